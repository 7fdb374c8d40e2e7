package org.mededge.appliance.language;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.mededge.appliance.Appliance;
import org.mededge.appliance.Http;
import org.mededge.appliance.TestAppliance;
import org.mededge.appliance.TestModels;

/** Without its model the language engine says why, and the appliance stays ready (llm is not required by default). */
class LanguageNotReadyTest {
    @Test
    void adaptersAnswer503WithTheReasonAndMetricsStillExist() {
        Path home = TestModels.sharedHome("silero-vad");
        // a model this machine cannot install (the shared test home may hold llm-demo by now)
        try (Appliance a = TestAppliance.start(home, Map.of("mededge.engines.llm.model", "qwen2.5-0.5b-instruct-int4"))) {
            Http http = new Http(a.port());
            assertEquals(200, http.get("/health/ready").status(), "llm is not required");
            Http.Response r = http.get("/v1/adapters");
            assertEquals(503, r.status(), r.body());
            assertEquals("LLM_NOT_READY", r.json().get("error").get("code").asText());
            assertTrue(r.json().get("error").get("message").asText().contains("qwen2.5-0.5b-instruct-int4"), r.body());
            assertTrue(r.header("Retry-After") != null);
            assertTrue(http.get("/metrics").body().contains(LanguageMetrics.QUEUE_DEPTH + " 0.0"));
        }
    }

    /**
     * The model registry is the one place that checks every file's bytes against model.yaml; the
     * language engine trusts what it verified. So an altered adapter keeps the whole model from
     * loading, with the file named, rather than serving the base with a tampered specialty.
     */
    @Test
    void anAlteredAdapterFileKeepsTheModelFromLoading(@TempDir Path home) throws IOException {
        TestModels.homeWith(home, "silero-vad", "tiny-decoder-test-int8");
        Path adapter = home.resolve("models/tiny-decoder-test-int8/2/adapters/cardiology.onnx_adapter");
        try (RandomAccessFile f = new RandomAccessFile(adapter.toFile(), "rw")) {
            f.seek(f.length() / 2);
            int b = f.read();
            f.seek(f.length() / 2);
            f.write(b ^ 0x55);
        }
        try (Appliance a = TestAppliance.start(home, Map.of("mededge.engines.llm.model", "tiny-decoder-test-int8"))) {
            Http http = new Http(a.port());
            Http.Response r = http.get("/v1/adapters");
            assertEquals(503, r.status(), r.body());
            String why = r.json().get("error").get("message").asText();
            assertTrue(why.contains("adapters/cardiology.onnx_adapter does not match model.yaml"), why);
        }
    }
}
