package org.mededge.asr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.mededge.asr.audio.SileroVad;
import org.mededge.asr.text.DictationText;
import org.mededge.asr.whisper.WhisperRecognizer;

/**
 * Real transcription with the project's trained demo Whisper ("whisper-demo", trained on synthetic
 * espeak speech). It switches on when the installer can install that model from the catalog and
 * skips (assumption) until then. The clips are espeak phrases in the demo model's domain, made by
 * make-test-audio.sh and sent as Ogg/Opus like a browser would.
 */
class DemoTranscriptionTest {
    private static SileroVad vad;
    private static WhisperRecognizer whisper;
    private static Dictation dictation;
    private static String skip;

    @BeforeAll
    static void load() {
        TestAudio.Installed i = TestAudio.install("silero-vad", "whisper-demo");
        if (i.exit() != 0) {
            skip = "whisper-demo is not installable yet; real-transcription tests skipped:\n" + i.output();
            return;
        }
        AsrConfig config = AsrConfig.defaults().withPool(1, 2, Duration.ofSeconds(120));
        vad = SileroVad.load(i.model("silero-vad", "6.2").resolve("silero_vad.onnx"));
        java.nio.file.Path dir;
        try (var versions = java.nio.file.Files.list(i.modelsDir().resolve("whisper-demo"))) {
            dir = versions.filter(java.nio.file.Files::isDirectory).sorted().reduce((a, b) -> b).orElseThrow();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        whisper = WhisperRecognizer.load(TestEngines.whisperSpec(dir), config);
        dictation = new Dictation(config, vad, whisper, DictationText.load(null));
    }

    @BeforeEach
    void demoModelInstalled() {
        assumeTrue(skip == null, skip);
    }

    @AfterAll
    static void close() {
        if (whisper != null) {
            whisper.close();
            vad.close();
        }
    }

    /** Share of the reference's words (English) or characters (Chinese) found in the transcript. */
    static double recall(String reference, String transcript, boolean chars) {
        String t = transcript.toLowerCase();
        List<String> units = chars ? Arrays.stream(reference.split("")).toList() : Arrays.asList(reference.split(" "));
        return units.stream().filter(u -> chars ? t.contains(u) : t.matches("(?s).*\\b" + u + "\\b.*")).count()
                / (double) units.size();
    }

    @Test
    void english() {
        Dictation.Result r = dictation.transcribe(TestAudio.resource("demo-en.ogg"), "audio/ogg",
                new AsrOptions("en", "general", 1, true));
        String text = r.transcript().text();
        assertTrue(recall("the patient has had chest pain for three days", text, false) >= 0.6, text);
        assertEquals("en", r.transcript().language());
        for (Segment s : r.transcript().segments()) {
            assertTrue(s.startMs() >= 0 && s.endMs() <= r.transcript().durationMs(), s.toString());
        }
    }

    @Test
    void chinese() {
        Dictation.Result r = dictation.transcribe(TestAudio.resource("demo-zh.ogg"), "audio/ogg",
                new AsrOptions("zh", "general", 1, true));
        assertTrue(recall("患者自述胸痛已经三天", r.transcript().text(), true) >= 0.6, r.transcript().text());
    }

    @Test
    void autoLanguageIsInferredFromTheText() {
        Dictation.Result r = dictation.transcribe(TestAudio.resource("demo-zh.ogg"), "audio/ogg",
                new AsrOptions("auto", "general", 1, true));
        assertEquals("zh", r.transcript().language(), r.transcript().text());
    }
}
