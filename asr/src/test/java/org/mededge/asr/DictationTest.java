package org.mededge.asr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;


/** The whole pipeline (decode, resample, VAD, windows, whisper, guards) with the weightless whisper.cpp test model. */
class DictationTest {
    private static Dictation dictation;
    private static final AsrOptions FAST = new AsrOptions("auto", "general", 1, false);

    @BeforeAll
    static void load() {
        TestAudio.Installed i = TestAudio.install("silero-vad", "whisper-for-tests").require();
        AsrConfig config = AsrConfig.defaults().withPool(1, 2, Duration.ofSeconds(120));
        // the engine as the appliance loads it: one object owning the VAD and the recognizer
        dictation = Dictation.load(config, i.model("silero-vad", "6.2").resolve("silero_vad.onnx"),
                TestEngines.whisperSpec(i.model("whisper-for-tests", "1")));
        assertEquals(1, dictation.states());
        assertEquals(0, dictation.statesInUse());
    }

    @AfterAll
    static void close() {
        dictation.close();
    }

    @Test
    void silenceAndNoiseNeverReachWhisperAndGiveNoText() {
        for (float[] audio : new float[][] {new float[48000 * 5], TestAudio.noise(0.3, 48000, 5, 3)}) {
            Dictation.Result r = dictation.transcribe(TestAudio.wav16(48000, audio), "audio/wav", FAST);
            assertEquals("", r.transcript().text());
            assertEquals(0, r.transcript().segments().size());
            assertEquals(0, r.windows(), "nothing was sent to the recognizer");
            assertEquals(5000, r.transcript().durationMs());
            assertEquals("und", r.transcript().language());
        }
    }

    @Test
    void speechIsWindowedAndRecognized() {
        Dictation.Result r = dictation.transcribe(TestAudio.sample("jfk-en.wav"), "audio/wav", FAST.with("en", "cardiology"));
        assertEquals(1, r.windows(), "11 s of speech is one window");
        assertEquals(11_000, r.transcript().durationMs(), 20);
        assertEquals("en", r.transcript().language(), "the requested language");
        assertEquals("", r.transcript().text(), "a weightless model hears nothing");
        assertEquals("whisper-for-tests", r.transcript().model().name());
        assertEquals("c486fb9f14a28b1c1dc252741a431646cc573450c900b9d9c406e10294aa01e6", r.transcript().model().sha256());
        assertTrue(r.timings().asrMs() > 0);
        assertTrue(r.timings().speechMs() >= r.timings().asrMs());
        // what a browser sends: Opus in WebM at 48 kHz
        Dictation.Result webm = dictation.transcribe(TestAudio.resource("note-en.webm"), "audio/webm", FAST);
        assertEquals(1, webm.windows());
        assertEquals(6000, webm.transcript().durationMs(), 100);
    }

    @Test
    void optionsAreCheckedBeforeTheAudio() {
        AsrException e = assertThrows(AsrException.class, () -> dictation.transcribe(new byte[] {1, 2, 3}, "audio/wav",
                FAST.with(null, "dermatology")));
        assertEquals(AsrError.ASR_OPTION_INVALID, e.error());
        assertEquals(AsrError.ASR_OPTION_INVALID, assertThrows(AsrException.class, () -> new AsrOptions("fr", null, 1, true)).error());
        assertEquals(AsrError.ASR_OPTION_INVALID, assertThrows(AsrException.class,
                () -> dictation.check(FAST.with(null, "dermatology"), "audio/wav")).error());
        assertEquals(AsrError.ASR_AUDIO_UNSUPPORTED, assertThrows(AsrException.class,
                () -> dictation.check(FAST, "image/png")).error(), "a request is refused before its body is read");
        assertEquals(AsrError.ASR_AUDIO_UNREADABLE, assertThrows(AsrException.class,
                () -> dictation.transcribe(new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13}, "audio/wav", FAST)).error());
    }
}
