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

    private static byte[] sox(byte[] wav, int rate) throws Exception {
        java.nio.file.Path in = java.nio.file.Files.createTempFile("rate-in", ".wav");
        java.nio.file.Path out = java.nio.file.Files.createTempFile("rate-out", ".wav");
        try {
            java.nio.file.Files.write(in, wav);
            Process p = new ProcessBuilder("sox", in.toString(), "-r", Integer.toString(rate), "-b", "16", out.toString(), "rate", "-h")
                    .redirectErrorStream(true).start();
            String log = new String(p.getInputStream().readAllBytes());
            assertEquals(0, p.waitFor(), log);
            return java.nio.file.Files.readAllBytes(out);
        } finally {
            java.nio.file.Files.deleteIfExists(in);
            java.nio.file.Files.deleteIfExists(out);
        }
    }

    /**
     * The same words uploaded at 16, 22.05 and 44.1 kHz give the same transcript: the appliance's
     * resampler hands the model what sox (the training pipeline's resampler) would. Before the
     * resampler's pass band matched sox's, the 22.05 and 44.1 kHz uploads were heard as "thirty eight
     * point eight and heart rate" where the 16 kHz one said "point two heart rate".
     */
    @Test
    void theSameWordsAtEveryUploadRateGiveTheSameTranscript() throws Exception {
        boolean sox;
        try {
            sox = new ProcessBuilder("sox", "--version").start().waitFor() == 0;
        } catch (java.io.IOException e) {
            sox = false;
        }
        assumeTrue(sox, "sox is not installed (firmware-scripts/dev/test.sh installs it)");
        byte[] at22k = TestAudio.resource("rate-en-22k.wav");
        java.util.Map<Integer, String> heard = new java.util.LinkedHashMap<>();
        for (int rate : List.of(16_000, 22_050, 44_100)) {
            byte[] upload = rate == 22_050 ? at22k : sox(at22k, rate);
            long t0 = System.nanoTime();
            Dictation.Result r = dictation.transcribe(upload, "audio/wav", new AsrOptions("en", "general", 1, true));
            System.out.printf("upload at %d Hz: %d ms, \"%s\"%n", rate, (System.nanoTime() - t0) / 1_000_000, r.transcript().text());
            heard.put(rate, r.transcript().text());
        }
        assertEquals(1, new java.util.HashSet<>(heard.values()).size(), heard.toString());
        assertTrue(heard.get(16_000).toLowerCase().contains("thirty eight point two"), heard.toString());
    }

    @Test
    void autoLanguageIsInferredFromTheText() {
        Dictation.Result r = dictation.transcribe(TestAudio.resource("demo-zh.ogg"), "audio/ogg",
                new AsrOptions("auto", "general", 1, true));
        assertEquals("zh", r.transcript().language(), r.transcript().text());
    }
}
