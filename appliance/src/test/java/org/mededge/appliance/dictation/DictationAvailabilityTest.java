package org.mededge.appliance.dictation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.mededge.appliance.Appliance;
import org.mededge.appliance.Http;
import org.mededge.appliance.TestAppliance;
import org.mededge.appliance.TestModels;

/** 503 with Retry-After while the speech model is missing or corrupt, and when the pool and its queue are full. */
class DictationAvailabilityTest {

    @Test
    void aMissingSpeechModelAnswers503WithTheReason(@TempDir Path home) {
        TestModels.homeWith(home, "silero-vad");
        try (Appliance a = TestAppliance.start(home, Map.of("mededge.engines.asr.model", "whisper-for-tests"))) {
            Http http = new Http(a.port());
            Http.Response r = http.post("/v1/dictations", "audio/wav", DictationHttpTest.silence(16000, 1));
            assertEquals(503, r.status(), r.body());
            assertEquals("ASR_NOT_READY", r.json().get("error").get("code").asText());
            assertTrue(r.json().get("error").get("message").asText().contains("install-models.sh --only whisper-for-tests"), r.body());
            assertEquals("30", r.header("Retry-After"));
            JsonNode ready = http.get("/health/ready").json();
            assertEquals("UP", ready.get("status").asText(), "asr is not required by default");
        }
    }

    @Test
    void aCorruptSpeechModelIsRefusedAtStartUpNotACrash(@TempDir Path home) throws Exception {
        TestModels.homeWith(home, "silero-vad", "whisper-for-tests");
        Path model = home.resolve("models/whisper-for-tests/1/ggml-model.bin");
        byte[] b = java.nio.file.Files.readAllBytes(model);
        b[4] = 0x7f; // n_vocab
        model.toFile().setWritable(true);
        java.nio.file.Files.write(model, b);
        try (Appliance a = TestAppliance.start(home, Map.of("mededge.engines.asr.model", "whisper-for-tests",
                "mededge.engines.asr.required", "true"))) {
            Http http = new Http(a.port());
            Http.Response ready = http.get("/health/ready");
            assertEquals(503, ready.status());
            assertTrue(ready.body().contains("does not match model.yaml"), ready.body());
            assertEquals(503, http.post("/v1/dictations", "audio/wav", DictationHttpTest.silence(16000, 1)).status());
        }
    }

    /** With one decoder state and no queue, a second dictation is refused at once while the first runs. */
    @Test
    void aFullPoolAnswers503Busy() throws Exception {
        Path home = TestModels.sharedHome("silero-vad", "whisper-for-tests");
        Appliance a = TestAppliance.start(home, Map.of("mededge.engines.asr.model", "whisper-for-tests",
                "mededge.asr.states", "1", "mededge.asr.max-queued", "0"));
        try (a) {
            Http http = new Http(a.port());
            byte[] jfk = DictationHttpTest.sample("jfk-en.wav");
            CompletableFuture<Http.Response> first = CompletableFuture.supplyAsync(() -> http.post("/v1/dictations", "audio/wav", jfk));
            while (!http.get("/metrics").body().contains(DictationMetrics.STATES_IN_USE + "{model=\"whisper-for-tests\",} 1.0")
                    && !first.isDone()) {
                Thread.sleep(20);
            }
            Http.Response second = http.post("/v1/dictations", "audio/wav", jfk);
            assertEquals(503, second.status(), second.body());
            assertEquals("ASR_BUSY", second.json().get("error").get("code").asText());
            assertEquals("5", second.header("Retry-After"));
            assertEquals(200, first.get().status());
            Http.Response third = http.post("/v1/dictations", "audio/wav", jfk);
            assertEquals(200, third.status(), "served again once free: " + third.body());
        }
    }
}
