package org.mededge.appliance.radiology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.Test;

import org.mededge.appliance.Appliance;
import org.mededge.appliance.FoundationHttpTest;
import org.mededge.appliance.Http;
import org.mededge.appliance.TestAppliance;
import org.mededge.appliance.TestModels;

/**
 * The reading-room draft over HTTP with the demo chest model and the demo LLM's radiology adapter: a
 * held-out phantom DICOM with a left pneumothorax and a right effusion is read; the radiologist's text
 * states the effusion and a 7 mm nodule but not the pneumothorax: one review item, critical, for the
 * pneumothorax; the impression drafted by the adapter, marked as an AI draft; the Fleischner
 * recommendation for the nodule; signing blocked by the unacknowledged item and the missing
 * critical-result record.
 */
class RadiologyDraftTest {

    @Test
    void aStudyDraftedFromTheRadiologistsWords() throws Exception {
        Path home = TestModels.sharedHome("chest-demo", "llm-demo");
        try (Appliance a = TestAppliance.start(home, Map.of("mededge.engines.vad.enabled", "false",
                "mededge.engines.asr.enabled", "false", "mededge.engines.llm.model", "llm-demo",
                "mededge.engines.llm.required", "true", "mededge.engines.vision.model", "chest-demo"))) {
            Http http = new Http(a.port());
            assertEquals(200, http.get("/health/ready").status(), http.get("/health/ready").body());
            Http.Response s = http.post("/v1/studies", "application/dicom", Files.readAllBytes(TestModels.repo().resolve(
                    "firmware-scripts/models/demo/chest-demo/samples/heldout-pneumothorax-left-effusion-right.dcm")));
            assertEquals(200, s.status(), s.body());
            String id = s.json().get("reportId").asText();

            Http.Response d = http.post("/v1/radiology/reports/" + id + "/draft", "application/json",
                    "{\"text\":\"Right pleural effusion. Solid nodule in the right upper lobe, 7 mm.\",\"language\":\"en\"}"
                            .getBytes(StandardCharsets.UTF_8));
            assertEquals(200, d.status(), d.body());
            JsonNode j = d.json();
            System.out.println("reading-room draft: " + j);
            List<String> reviewLabels = new ArrayList<>();
            j.get("review").forEach(i -> reviewLabels.add(i.get("label").asText() + ":" + i.get("kind").asText()));
            assertTrue(reviewLabels.contains("pneumothorax_left:AI_NOT_IN_REPORT"), reviewLabels.toString());
            for (JsonNode i : j.get("review")) {
                if (i.get("label").asText().equals("pneumothorax_left")) {
                    assertTrue(i.get("critical").asBoolean(), i.toString());
                }
            }
            JsonNode imp = j.get("impression");
            assertTrue(imp.get("draft").asBoolean());
            assertEquals("radiology", imp.get("adapter").asText(), imp.toString());
            assertFalse(imp.get("text").asText().isBlank(), imp.toString());
            assertTrue(imp.get("disclaimer").asText().contains("AI-generated"), imp.toString());
            // the ranked findings put the (model-only, possible) left pneumothorax first; the draft says so
            assertEquals("pneumothorax_left", j.get("ranked").get(0).get("label").asText(), j.get("ranked").toString());
            assertEquals("pneumothorax_left", imp.get("primary").asText(), imp.toString());
            JsonNode fu = j.get("followUp").get(0);
            assertEquals(7, fu.get("sizeMm").asInt());
            assertEquals("CT at 6-12 months, then consider CT at 18-24 months.", fu.get("recommendation").asText());
            List<String> codes = new ArrayList<>();
            j.get("checks").forEach(c -> codes.add(c.get("code").asText()));
            assertTrue(codes.contains("REVIEW_UNACKNOWLEDGED") && codes.contains("CRITICAL_RESULT_NOT_RECORDED"), codes.toString());
            assertFalse(j.get("signable").asBoolean());
            // the draft is checked against the rules: a draft that differs says so and blocks signing, one that agrees passes
            boolean differs = imp.get("problems").size() > 0;
            assertEquals(differs, imp.get("rulesCheck").asText().startsWith("DIFFERS"), imp.toString());
            assertEquals(differs, codes.contains("IMPRESSION_NOT_GROUNDED"), codes.toString());

            FoundationHttpTest.assertError(http.post("/v1/radiology/reports/no-such-report/draft", "application/json",
                    "{\"text\":\"x\"}".getBytes(StandardCharsets.UTF_8)), 404, "REPORT_NOT_FOUND");
            FoundationHttpTest.assertError(http.post("/v1/radiology/reports/" + id + "/draft", "application/json",
                    "{\"text\":\"nodule 7 mm\",\"risk\":\"medium\"}".getBytes(StandardCharsets.UTF_8)), 422, "INVALID_RISK");
        }
    }
}
