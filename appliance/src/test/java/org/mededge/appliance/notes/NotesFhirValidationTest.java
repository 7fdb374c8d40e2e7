package org.mededge.appliance.notes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Map;

import org.junit.jupiter.api.Test;

import org.mededge.appliance.Appliance;
import org.mededge.appliance.Http;
import org.mededge.appliance.TestAppliance;
import org.mededge.appliance.TestModels;

/** With mededge.fusion.validate-fhir on, every answered bundle has passed the offline validator. */
class NotesFhirValidationTest {

    @Test
    void bundlesAreValidatedOnTheRequestPathWhenConfigured() {
        try (Appliance a = TestAppliance.start(TestModels.sharedHome("silero-vad"), Map.of(
                "mededge.engines.llm.enabled", "false",
                "mededge.engines.asr.enabled", "false",
                "mededge.engines.vision.enabled", "false",
                "mededge.fusion.validate-fhir", "true"))) {
            Http http = new Http(a.port());
            Http.Response r = http.post("/v1/notes", "application/json", ("{\"text\":\"主诉：胸痛2小时，伴大汗。查体：BP 150/90mmHg，"
                    + "HR 104次/分，SpO2 95%，T 36.8℃。肌钙蛋白I 0.9ng/mL，血钾 4.1mmol/L。\",\"specialty\":\"cardiology\"}")
                    .getBytes(StandardCharsets.UTF_8));
            assertEquals(200, r.status(), r.body());
            String metrics = http.get("/metrics").body();
            assertTrue(metrics.contains("mededge_stage_seconds_count{stage=\"fusion_fhir_validate\",model=\"none\",outcome=\"ok\",} 1.0"),
                    metrics);
        }
    }
}
