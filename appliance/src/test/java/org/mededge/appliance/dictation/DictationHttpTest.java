package org.mededge.appliance.dictation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.mededge.appliance.Appliance;
import org.mededge.appliance.Http;
import org.mededge.appliance.TestAppliance;
import org.mededge.appliance.TestModels;

/**
 * POST /v1/dictations through real HTTP on a real appliance, with Silero VAD and whisper.cpp's
 * weightless test model installed by the project's installer (it runs the whole pipeline and
 * transcribes nothing).
 */
class DictationHttpTest {
    private static Appliance appliance;
    private static Http http;

    @BeforeAll
    static void start() {
        Path home = TestModels.sharedHome("silero-vad", "whisper-for-tests");
        // temperature fallback re-decodes the weightless model's empty output up to five times: off keeps the tests quick
        appliance = TestAppliance.start(home, Map.of("mededge.engines.asr.model", "whisper-for-tests",
                "mededge.asr.temperature-fallback", "false"));
        http = new Http(appliance.port());
    }

    @AfterAll
    static void stop() {
        appliance.close();
    }

    static byte[] sample(String name) {
        return read(TestModels.shared().resolve("samples").resolve(name));
    }

    static byte[] clip(String name) {
        return read(TestModels.repo().resolve("asr/src/test/resources/audio").resolve(name));
    }

    static byte[] read(Path p) {
        try {
            return Files.readAllBytes(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A 16-bit mono PCM WAV of silence. */
    static byte[] silence(int rate, int seconds) {
        int n = rate * seconds;
        ByteBuffer b = ByteBuffer.allocate(44 + 2 * n).order(ByteOrder.LITTLE_ENDIAN);
        b.put("RIFF".getBytes()).putInt(36 + 2 * n).put("WAVEfmt ".getBytes()).putInt(16).putShort((short) 1).putShort((short) 1)
                .putInt(rate).putInt(rate * 2).putShort((short) 2).putShort((short) 16).put("data".getBytes()).putInt(2 * n);
        return b.array();
    }

    @Test
    void readinessShowsTheSpeechModel() {
        JsonNode ready = http.get("/health/ready").json();
        assertEquals("UP", ready.get("status").asText());
        JsonNode asr = null;
        for (JsonNode c : ready.get("checks")) {
            if (c.get("name").asText().equals("asr")) {
                asr = c;
            }
        }
        assertNotNull(asr, ready.toString());
        assertEquals("UP", asr.get("status").asText());
        assertTrue(asr.get("detail").asText().contains("whisper-for-tests"), asr.toString());
    }

    @Test
    void wavDictationAnswersTranscriptAndTimings() {
        Http.Response r = http.post("/v1/dictations?language=en&specialty=cardiology", "audio/wav", sample("jfk-en.wav"));
        assertEquals(200, r.status(), r.body());
        JsonNode t = r.json().get("transcript");
        assertEquals("", t.get("text").asText(), "the weightless model hears nothing, and nothing is invented");
        assertEquals("en", t.get("language").asText());
        assertEquals(11_000, t.get("durationMs").asLong(), 20);
        assertEquals(0, t.get("segments").size());
        assertEquals("whisper-for-tests", t.get("model").get("name").asText());
        assertEquals("whisper.cpp", t.get("model").get("engine").asText());
        assertTrue(r.json().get("report").isNull(), "no text, no report");
        JsonNode timings = r.json().get("timings");
        for (String k : List.of("decodeMs", "vadMs", "queueMs", "asrMs", "speechMs", "postMs", "fusionMs", "totalMs")) {
            assertTrue(timings.has(k), k);
        }
        assertTrue(timings.get("asrMs").asLong() > 0, "whisper ran on the speech window");
        assertTrue(timings.get("totalMs").asLong() >= timings.get("asrMs").asLong());
    }

    @Test
    void browserAudioAndSilence() {
        Http.Response webm = http.post("/v1/dictations", "audio/webm;codecs=opus", clip("note-en.webm"));
        assertEquals(200, webm.status(), webm.body());
        assertEquals(6000, webm.json().get("transcript").get("durationMs").asLong(), 100);
        Http.Response ogg = http.post("/v1/dictations", "audio/ogg", clip("note-en.ogg"));
        assertEquals(200, ogg.status(), ogg.body());
        Http.Response quiet = http.post("/v1/dictations", "audio/wav", silence(16000, 4));
        assertEquals(200, quiet.status(), quiet.body());
        assertEquals("", quiet.json().get("transcript").get("text").asText());
        assertEquals(0, quiet.json().get("timings").get("asrMs").asLong(), "silence never reaches whisper");
    }

    /** Bad uploads all answer 4xx with a stable code, never 500. */
    @Test
    void badUploadsAreCleanClientErrors() {
        byte[] good = silence(16000, 1);
        byte[] lyingRate = good.clone();
        ByteBuffer.wrap(lyingRate).order(ByteOrder.LITTLE_ENDIAN).putInt(28, 999);
        // 11 minutes of 8 kHz 8-bit audio: 5.3 MB, over the 10-minute limit
        int n = 8000 * 660;
        ByteBuffer longWav = ByteBuffer.allocate(44 + n).order(ByteOrder.LITTLE_ENDIAN);
        longWav.put("RIFF".getBytes()).putInt(36 + n).put("WAVEfmt ".getBytes()).putInt(16).putShort((short) 1).putShort((short) 1)
                .putInt(8000).putInt(8000).putShort((short) 1).putShort((short) 8).put("data".getBytes()).putInt(n);
        byte[] random = new byte[3000];
        new java.util.Random(5).nextBytes(random);
        // 32-bit float WAV of one second whose samples are all NaN; a WAV of one 16-bit sample
        ByteBuffer nan = ByteBuffer.allocate(44 + 64000).order(ByteOrder.LITTLE_ENDIAN);
        nan.put("RIFF".getBytes()).putInt(36 + 64000).put("WAVEfmt ".getBytes()).putInt(16).putShort((short) 3).putShort((short) 1)
                .putInt(16000).putInt(64000).putShort((short) 4).putShort((short) 32).put("data".getBytes()).putInt(64000);
        while (nan.hasRemaining()) {
            nan.putFloat(Float.NaN);
        }
        byte[] oneSample = Arrays.copyOf(good, 46);
        ByteBuffer.wrap(oneSample).order(ByteOrder.LITTLE_ENDIAN).putInt(4, 38).putInt(40, 2);
        record Case(String query, String type, byte[] body, int status, String code) {
        }
        List<Case> cases = List.of(
                new Case("", "audio/wav", new byte[0], 422, "ASR_AUDIO_EMPTY"),
                new Case("", "audio/wav", Arrays.copyOf(good, 20), 422, "ASR_AUDIO_TRUNCATED"),
                new Case("", "audio/wav", Arrays.copyOf(good, 1000), 422, "ASR_AUDIO_TRUNCATED"),
                new Case("", "audio/wav", lyingRate, 422, "ASR_AUDIO_UNREADABLE"),
                new Case("", "audio/wav", longWav.array(), 413, "ASR_AUDIO_TOO_LONG"),
                new Case("", "audio/ogg", random, 422, "ASR_AUDIO_UNREADABLE"),
                new Case("", "audio/wav", nan.array(), 422, "ASR_AUDIO_UNREADABLE"),
                new Case("", "audio/wav", oneSample, 422, "ASR_AUDIO_EMPTY"),
                new Case("", "audio/wav", sample("img-mnist-7.jpg"), 422, "ASR_AUDIO_UNREADABLE"),
                new Case("", "image/jpeg", sample("img-mnist-7.jpg"), 415, "ASR_AUDIO_UNSUPPORTED"),
                new Case("", "text/plain", "period".getBytes(), 415, "ASR_AUDIO_UNSUPPORTED"),
                new Case("?language=fr", "audio/wav", good, 422, "ASR_OPTION_INVALID"),
                new Case("?specialty=dermatology", "audio/wav", good, 422, "ASR_OPTION_INVALID"));
        for (Case c : cases) {
            Http.Response r = http.post("/v1/dictations" + c.query(), c.type(), c.body());
            assertEquals(c.status(), r.status(), c + " " + r.body());
            assertEquals(c.code(), r.json().get("error").get("code").asText(), r.body());
        }
        String metrics = http.get("/metrics").body();
        assertTrue(metrics.contains("mededge_dictations_total{outcome=\"ASR_AUDIO_TRUNCATED\",} 2.0"), metrics);
    }

    @Test
    void concurrentDictationsShareThePoolAndAreMetered() throws Exception {
        List<CompletableFuture<Http.Response>> calls = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            calls.add(CompletableFuture.supplyAsync(() -> http.post("/v1/dictations", "audio/wav", sample("jfk-en.wav"))));
        }
        for (CompletableFuture<Http.Response> c : calls) {
            assertEquals(200, c.get().status(), c.get().body());
        }
        String m = http.get("/metrics").body();
        Map<String, String> expected = new LinkedHashMap<>();
        expected.put(DictationMetrics.AUDIO_SECONDS + "{model=\"whisper-for-tests\",}", "audio seconds");
        expected.put(DictationMetrics.REAL_TIME_FACTOR + "_count{model=\"whisper-for-tests\",}", "RTF histogram");
        expected.put(DictationMetrics.STATES_IN_USE + "{model=\"whisper-for-tests\",} 0.0", "states in use, idle now");
        expected.put(DictationMetrics.STATES + "{model=\"whisper-for-tests\",} 2.0", "pool size");
        expected.put(DictationMetrics.QUEUE_WAIT + "_count{model=\"whisper-for-tests\",}", "queue wait");
        expected.put("mededge_stage_seconds_count{stage=\"asr_whisper\",model=\"whisper-for-tests\",outcome=\"ok\",}", "stage timer");
        expected.forEach((k, what) -> assertTrue(m.contains(k), what + ": " + k));
    }
}
