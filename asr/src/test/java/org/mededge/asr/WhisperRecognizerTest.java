package org.mededge.asr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.mededge.asr.whisper.WhisperRecognizer;
import org.mededge.asr.whisper.WhisperRecognizer.WhisperModelSpec;

/**
 * The whisper.cpp engine with whisper.cpp's weightless test files (installed from the catalog):
 * load, run, pool of states, close, and refusal of damaged files. The weightless model transcribes
 * nothing; content is tested by DemoTranscriptionTest once the trained demo model is installed.
 */
class WhisperRecognizerTest {
    private static Path multi;
    private static Path english;

    @BeforeAll
    static void install() {
        TestAudio.Installed i = TestAudio.install("whisper-for-tests", "whisper-for-tests-en").require();
        multi = i.model("whisper-for-tests", "1").resolve("ggml-model.bin");
        english = i.model("whisper-for-tests-en", "1").resolve("ggml-model.bin");
    }

    static SpeechRecognizer.Recognition rec(WhisperRecognizer r, float[] audio, List<SpeechRegion> windows, AsrOptions o, String prompt) {
        return r.recognize(audio, windows.iterator(), o, prompt);
    }

    static WhisperModelSpec spec(Path file, Map<String, Object> yaml) {
        return WhisperModelSpec.from("whisper-for-tests", "1", "c486fb9f", file, yaml);
    }

    static final Map<String, Object> TEST_YAML = Map.of("weights", "none", "languages", List.of("auto", "zh", "en"));
    /** 2-second windows (100 encoder positions) keep the pool tests quick on two cores */
    static final Map<String, Object> SHORT_YAML = Map.of("weights", "none", "audioCtx", 100);
    static final AsrOptions FAST = new AsrOptions("auto", "general", 1, false);
    static final List<SpeechRegion> TWO_SECONDS = List.of(new SpeechRegion(0, 16000), new SpeechRegion(16000, 32000));

    static AsrConfig config(int states, Duration wait) {
        return AsrConfig.defaults().withPool(states, 4, wait);
    }

    @Test
    void loadsRunsAndClosesTwice() {
        WhisperRecognizer r = WhisperRecognizer.load(spec(multi, TEST_YAML), config(1, Duration.ofSeconds(5)));
        assertTrue(r.multilingual());
        assertEquals(30_000, r.maxWindowMs());
        float[] jfk = TestAudio.pcm16k("jfk-en.wav");
        SpeechRecognizer.Recognition rec = rec(r, jfk, List.of(new SpeechRegion(0, jfk.length)),
                FAST, "troponin, 二尖瓣");
        System.out.println("weightless whisper, one 11 s window: " + rec.recognizeMs() + " ms");
        assertEquals(1, rec.windows().size());
        assertEquals(List.of(), rec.windows().get(0), "no weights, no words");
        assertEquals("whisper.cpp", r.provenance().engine());
        r.close();
        r.close();
        AsrException after = assertThrows(AsrException.class, () -> rec(r, jfk, List.of(new SpeechRegion(0, 16000)),
                AsrOptions.defaults(AsrConfig.defaults()), ""));
        assertEquals(AsrError.ASR_BUSY, after.error());
    }

    @Test
    void concurrentRequestsShareTheContextThroughThePool() throws Exception {
        WhisperRecognizer r = WhisperRecognizer.load(spec(multi, SHORT_YAML), config(2, Duration.ofSeconds(120)));
        float[] audio = new float[16000 * 2];
        AtomicInteger peak = new AtomicInteger();
        AtomicBoolean done = new AtomicBoolean();
        Thread watcher = Thread.ofPlatform().start(() -> {
            while (!done.get()) {
                peak.accumulateAndGet(r.statesInUse(), Math::max);
                try {
                    Thread.sleep(1);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<SpeechRecognizer.Recognition>> futures = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                futures.add(pool.submit(() -> rec(r, audio, TWO_SECONDS, FAST, "")));
            }
            for (Future<SpeechRecognizer.Recognition> f : futures) {
                assertEquals(2, f.get().windows().size());
            }
        } finally {
            done.set(true);
            watcher.join();
            pool.shutdown();
        }
        assertEquals(2, peak.get(), "four requests kept both states busy, never more");
        assertEquals(0, r.statesInUse());
        r.close();
    }

    @Test
    void aRequestThatFindsNoFreeStateInTimeIsBusy() throws Exception {
        WhisperRecognizer r = WhisperRecognizer.load(spec(multi, SHORT_YAML), config(1, Duration.ofMillis(50)));
        float[] audio = new float[16000 * 2];
        List<SpeechRegion> many = java.util.Collections.nCopies(20, new SpeechRegion(0, 32000));
        CompletableFuture<SpeechRecognizer.Recognition> first = CompletableFuture.supplyAsync(() ->
                rec(r, audio, many, FAST, ""));
        while (r.statesInUse() == 0 && !first.isDone()) {
            Thread.sleep(1);
        }
        assertFalse(first.isDone(), "twenty windows take longer than this check");
        AsrException busy = assertThrows(AsrException.class, () -> rec(r, audio, List.of(new SpeechRegion(0, 16000)),
                FAST, ""));
        assertEquals(AsrError.ASR_BUSY, busy.error());
        assertEquals(503, busy.error().status());
        first.get();
        assertEquals(1, rec(r, audio, List.of(new SpeechRegion(0, 16000)), FAST, "")
                .windows().size(), "served once the state is free");
        r.close();
    }

    @Test
    void englishOnlyModelRefusesChinese() {
        WhisperRecognizer r = WhisperRecognizer.load(spec(english, TEST_YAML), config(1, Duration.ofSeconds(5)));
        try {
            assertFalse(r.multilingual());
            assertEquals(List.of("auto", "en"), r.languages());
            AsrException e = assertThrows(AsrException.class, () -> rec(r, new float[16000],
                    List.of(new SpeechRegion(0, 16000)), AsrOptions.defaults(AsrConfig.defaults()).with("zh", null), ""));
            assertEquals(AsrError.ASR_OPTION_INVALID, e.error());
        } finally {
            r.close();
        }
    }

    @Test
    void modelYamlSetsTheWindow() {
        WhisperModelSpec tenSeconds = spec(multi, Map.of("audioCtx", 500, "weights", "none"));
        assertEquals(500, tenSeconds.audioCtx());
        assertEquals(10_000, tenSeconds.maxWindowMs());
        assertEquals(8_000, spec(multi, Map.of("audioCtx", 500, "maxWindowSeconds", 8)).maxWindowMs());
        assertEquals(30_000, spec(multi, Map.of()).maxWindowMs());
        assertThrows(IllegalArgumentException.class, () -> spec(multi, Map.of("audioCtx", 2000)));
        assertThrows(IllegalArgumentException.class, () -> spec(multi, Map.of("audioCtx", 500, "maxWindowSeconds", 20)));
        WhisperRecognizer r = WhisperRecognizer.load(tenSeconds, config(1, Duration.ofSeconds(5)));
        try {
            assertEquals(10_000, r.maxWindowMs());
            float[] audio = new float[16000 * 10];
            assertEquals(List.of(), rec(r, audio, List.of(new SpeechRegion(0, audio.length)),
                    AsrOptions.defaults(AsrConfig.defaults()), "").windows().get(0));
        } finally {
            r.close();
        }
    }

    @Test
    void modelYamlSaysHowTheModelWasTrained() {
        WhisperModelSpec plain = spec(multi, Map.of("weights", "none"));
        assertTrue(plain.initialPrompt() && plain.timestamps());
        assertEquals(0, plain.windowBreakPauseMs());
        WhisperModelSpec demo = spec(multi, Map.of("weights", "none", "initialPrompt", false, "timestamps", false,
                "windowBreakPauseMs", 700));
        assertFalse(demo.initialPrompt());
        assertFalse(demo.timestamps());
        assertEquals(700, demo.windowBreakPauseMs());
        assertThrows(IllegalArgumentException.class, () -> spec(multi, Map.of("initialPrompt", "no")));
        assertThrows(IllegalArgumentException.class, () -> spec(multi, Map.of("windowBreakPauseMs", -1)));
        WhisperRecognizer r = WhisperRecognizer.load(demo, config(1, Duration.ofSeconds(5)));
        try {
            assertEquals(700, r.windowBreakPauseMs());
            float[] audio = new float[16000 * 2];
            assertEquals(1, rec(r, audio, List.of(new SpeechRegion(0, audio.length)),
                    AsrOptions.defaults(AsrConfig.defaults()), "a prompt it ignores").windows().size());
        } finally {
            r.close();
        }
    }

    @Test
    void audioCtxPerWindowFollowsTheWindowLength() {
        assertFalse(spec(multi, Map.of("audioCtx", 500, "weights", "none")).audioCtxPerWindow());
        WhisperModelSpec perWindow = spec(multi, Map.of("audioCtx", 500, "weights", "none", "audioCtxPerWindow", true));
        assertTrue(perWindow.audioCtxPerWindow());
        assertEquals(10_000, perWindow.maxWindowMs());
        assertThrows(IllegalArgumentException.class, () -> spec(multi, Map.of("audioCtxPerWindow", "yes")));
        // 20 ms a position, rounded up; windows under 1.1 s are padded to 1.1 s (whisper.cpp refuses < 1 s)
        assertEquals(55, WhisperRecognizer.audioCtxFor(8_000, 500));
        assertEquals(55, WhisperRecognizer.audioCtxFor(17_600, 500));
        assertEquals(100, WhisperRecognizer.audioCtxFor(32_000, 500));
        assertEquals(101, WhisperRecognizer.audioCtxFor(32_001, 500));
        assertEquals(500, WhisperRecognizer.audioCtxFor(160_000, 500));
        assertEquals(100, WhisperRecognizer.audioCtxFor(160_000, 100));
        WhisperRecognizer r = WhisperRecognizer.load(perWindow, config(1, Duration.ofSeconds(5)));
        try {
            float[] audio = new float[16000 * 4];
            // a 0.5 s window (padded before whisper.cpp sees it) and a 2.5 s one (audio_ctx 125)
            SpeechRecognizer.Recognition out = rec(r, audio, List.of(new SpeechRegion(0, 8_000),
                    new SpeechRegion(8_000, 48_000)), AsrOptions.defaults(AsrConfig.defaults()), "");
            assertEquals(2, out.windows().size());
            assertThrows(IllegalArgumentException.class, () -> rec(r, new float[16000 * 11],
                    List.of(new SpeechRegion(0, 16000 * 11)), AsrOptions.defaults(AsrConfig.defaults()), ""));
        } finally {
            r.close();
        }
    }

    @Test
    void damagedModelFilesAreRefusedWithTheReason(@TempDir Path dir) throws Exception {
        byte[] good = Files.readAllBytes(multi);
        byte[] badMagic = good.clone();
        badMagic[0] ^= 0x55;
        byte[] badHeader = good.clone();
        ByteBuffer.wrap(badHeader).order(ByteOrder.LITTLE_ENDIAN).putInt(4 + 4 * 3, -7); // n_audio_head
        byte[] badVocab = good.clone();
        ByteBuffer.wrap(badVocab).order(ByteOrder.LITTLE_ENDIAN).putInt(4 + 44 + 8 + 4 * 80 * 201, 99_999_999);
        byte[] badTensor = java.util.Arrays.copyOf(good, good.length + 12);
        ByteBuffer.wrap(badTensor).order(ByteOrder.LITTLE_ENDIAN).putInt(good.length, 9).putInt(good.length + 4, 5);
        Map<String, byte[]> cases = Map.of(
                "wrong magic", badMagic,
                "implausible", badHeader,
                "vocabulary", badVocab,
                "truncated", java.util.Arrays.copyOf(good, good.length / 2),
                "corrupt header", badTensor,
                "random", new java.util.Random(1).ints(4096, 0, 256).collect(java.io.ByteArrayOutputStream::new,
                        (o, v) -> o.write(v), (a, b) -> { }).toByteArray());
        for (var c : cases.entrySet()) {
            Path f = dir.resolve(c.getKey().replace(' ', '-') + ".bin");
            Files.write(f, c.getValue());
            AsrException e = assertThrows(AsrException.class,
                    () -> WhisperRecognizer.load(spec(f, TEST_YAML), config(1, Duration.ofSeconds(1))), c.getKey());
            assertEquals(AsrError.ASR_MODEL_INVALID, e.error(), c.getKey());
            assertTrue(e.getMessage().contains(c.getKey().equals("random") ? "wrong magic" : c.getKey()), e.getMessage());
        }
        // the weightless file is refused unless its model.yaml declares it header-only
        AsrException noWeights = assertThrows(AsrException.class,
                () -> WhisperRecognizer.load(spec(multi, Map.of()), config(1, Duration.ofSeconds(1))));
        assertTrue(noWeights.getMessage().contains("holds no weights"), noWeights.getMessage());
        AsrException missing = assertThrows(AsrException.class,
                () -> WhisperRecognizer.load(spec(dir.resolve("absent.bin"), TEST_YAML), config(1, Duration.ofSeconds(1))));
        assertTrue(missing.getMessage().contains("missing"), missing.getMessage());
    }
}
