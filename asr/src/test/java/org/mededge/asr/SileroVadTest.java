package org.mededge.asr;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.mededge.asr.audio.SileroVad;
import org.mededge.asr.audio.VoiceActivity;
import org.mededge.asr.audio.WindowFeed;

/** Silero VAD (installed from the catalog by the project's installer) on real speech, silence and noise. */
class SileroVadTest {
    private static SileroVad vad;

    @BeforeAll
    static void load() {
        TestAudio.Installed i = TestAudio.install("silero-vad").require();
        vad = SileroVad.load(i.model("silero-vad", "6.2").resolve("silero_vad.onnx"));
    }

    @AfterAll
    static void close() {
        vad.close();
        vad.close(); // safe twice
    }

    /**
     * jfk-en.wav is "And so my fellow Americans / ask not / what your country can do for you / ask
     * what you can do for your country", spoken with a rhetorical pause at each slash (about 1 s,
     * 0.9 s and 0.5 s) and near-silence before 0.3 s and after 10.6 s of its 11 s. The detector must
     * find exactly those four phrases, each bounded within 200 ms (six frames of 32 ms).
     */
    @Test
    void jfkHasFourPhrasesSeparatedByItsPauses() {
        float[] audio = TestAudio.pcm16k("jfk-en.wav");
        VoiceActivity va = vad.detect(audio, AsrConfig.Vad.defaults());
        long[][] expected = {{320, 2270}, {3270, 4450}, {5380, 7680}, {8160, 10620}};
        assertEquals(expected.length, va.regions().size(), va.regions().toString());
        for (int i = 0; i < expected.length; i++) {
            SpeechRegion r = va.regions().get(i);
            assertEquals(expected[i][0], r.startMs(), 200, "start of phrase " + i);
            assertEquals(expected[i][1], r.endMs(), 200, "end of phrase " + i);
        }
        // the pauses themselves score low, the phrases high
        assertTrue(va.meanProbability(16000 * 25 / 10, 16000 * 31 / 10) < 0.2, "pause 2.5-3.1 s");
        assertTrue(va.meanProbability(16000 * 6, 16000 * 7) > 0.8, "speech 6-7 s");
    }

    @Test
    void silenceAndNoiseHaveNoSpeech() {
        assertFalse(vad.detect(new float[16000 * 5], AsrConfig.Vad.defaults()).hasSpeech(), "digital silence");
        assertFalse(vad.detect(TestAudio.noise(0.3, 16000, 5, 7), AsrConfig.Vad.defaults()).hasSpeech(), "white noise");
        assertFalse(vad.detect(TestAudio.noise(0.002, 16000, 5, 8), AsrConfig.Vad.defaults()).hasSpeech(), "room-level hiss");
        assertFalse(vad.detect(TestAudio.tone(440, 0.5, 16000, 3), AsrConfig.Vad.defaults()).hasSpeech(), "a steady tone");
    }

    @Test
    void windowsCutAtPausesAndStayUnderTheLimit() {
        float[] audio = TestAudio.pcm16k("jfk-en.wav");
        VoiceActivity va = vad.detect(audio, AsrConfig.Vad.defaults());
        List<SpeechRegion> whole = va.windows(30 * 16000);
        assertEquals(1, whole.size(), "11 s of speech fit one 30 s window");
        assertEquals(va.regions().get(0).start(), whole.get(0).start());
        assertEquals(va.regions().get(3).end(), whole.get(0).end());
        List<SpeechRegion> short5 = va.windows(5 * 16000);
        // phrases 1+2 (0.3-4.4 s) fit 5 s; 3 alone (5.4 s would exceed 5 s with 4); 4 alone
        assertEquals(3, short5.size(), short5.toString());
        for (SpeechRegion w : short5) {
            assertTrue(w.length() <= 5 * 16000, w.toString());
        }
        // a phrase longer than the limit is cut, in its second half, and nothing is lost
        List<SpeechRegion> tiny = va.windows(16000);
        assertEquals(va.regions().get(0).start(), tiny.get(0).start());
        for (int i = 1; i < tiny.size(); i++) {
            assertTrue(tiny.get(i).start() >= tiny.get(i - 1).end());
            assertTrue(tiny.get(i).length() <= 16000);
        }
        int covered = tiny.stream().mapToInt(SpeechRegion::length).sum();
        int speech = va.regions().stream().mapToInt(SpeechRegion::length).sum();
        assertEquals(speech, covered);
    }

    @Test
    void aLongEnoughPauseEndsAWindow() {
        float[] audio = TestAudio.pcm16k("jfk-en.wav");
        VoiceActivity va = vad.detect(audio, AsrConfig.Vad.defaults());
        List<SpeechRegion> regions = va.regions();
        int longest = 0;
        for (int i = 1; i < regions.size(); i++) {
            longest = Math.max(longest, regions.get(i).start() - regions.get(i - 1).end());
        }
        assertEquals(va.windows(30 * 16000), va.windows(30 * 16000, longest + 1), "no pause that long: packed as before");
        List<SpeechRegion> split = va.windows(30 * 16000, longest);
        assertTrue(split.size() >= 2, "the longest pause ends a window: " + split);
        List<SpeechRegion> each = va.windows(30 * 16000, 1);
        assertEquals(regions, each, "any pause ends a window: one window per speech region");
    }

    /**
     * Windows are handed to the recognizer while the VAD is still scoring, each once the scores reach
     * far enough past it; they must be exactly the windows of the complete scores, for short and long
     * window limits, on 33 s of speech (jfk three times).
     */
    @Test
    void windowsHandedOutWhileScoringEqualThoseOfTheWholeRecording() {
        float[] jfk = TestAudio.pcm16k("jfk-en.wav");
        float[] three = new float[jfk.length * 3];
        for (int i = 0; i < 3; i++) {
            System.arraycopy(jfk, 0, three, i * jfk.length, jfk.length);
        }
        VoiceActivity whole = vad.detect(three, AsrConfig.Vad.defaults());
        for (int seconds : new int[] {2, 5, 10, 30}) {
            int max = seconds * 16000;
            try (WindowFeed feed = WindowFeed.start(vad, three, AsrConfig.Vad.defaults(), max)) {
                List<SpeechRegion> got = new ArrayList<>();
                feed.forEachRemaining(got::add);
                assertEquals(whole.windows(max), got, seconds + " s windows");
                assertEquals(whole.regions(), feed.activity().regions());
            }
        }
        int pause = 700 * 16;
        try (WindowFeed feed = WindowFeed.start(vad, three, AsrConfig.Vad.defaults(), 10 * 16000, pause)) {
            List<SpeechRegion> got = new ArrayList<>();
            feed.forEachRemaining(got::add);
            assertEquals(whole.windows(10 * 16000, pause), got, "10 s windows that end at 700 ms pauses");
        }
        try (WindowFeed silent = WindowFeed.start(vad, new float[16000 * 3], AsrConfig.Vad.defaults(), 30 * 16000)) {
            assertFalse(silent.hasNext(), "silence: no window at all");
        }
    }

    @Test
    void concurrentCallsKeepTheirOwnState() throws Exception {
        float[] jfk = TestAudio.pcm16k("jfk-en.wav");
        float[] alone = vad.probabilities(jfk);
        List<CompletableFuture<float[]>> runs = java.util.stream.IntStream.range(0, 3)
                .mapToObj(i -> CompletableFuture.supplyAsync(() -> vad.probabilities(i == 1 ? new float[jfk.length] : jfk)))
                .toList();
        assertArrayEquals(alone, runs.get(0).get());
        assertArrayEquals(alone, runs.get(2).get());
    }

    @Test
    void aFileThatIsNotSileroIsRefused() throws Exception {
        Path bogus = Files.createTempFile("vad", ".onnx");
        Files.write(bogus, new byte[] {1, 2, 3, 4});
        AsrException e = assertThrows(AsrException.class, () -> SileroVad.load(bogus));
        assertEquals(AsrError.ASR_MODEL_INVALID, e.error());
        AsrException missing = assertThrows(AsrException.class, () -> SileroVad.load(bogus.resolveSibling("none.onnx")));
        assertEquals(AsrError.ASR_MODEL_INVALID, missing.error());
    }
}
