package org.mededge.appliance.language;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;

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
}
