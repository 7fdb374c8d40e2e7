package org.mededge.appliance.radiology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.DiagnosticReport;
import org.junit.jupiter.api.Test;

import org.mededge.appliance.Appliance;
import org.mededge.appliance.FoundationHttpTest;
import org.mededge.appliance.Http;
import org.mededge.appliance.TestAppliance;
import org.mededge.appliance.TestModels;
import org.mededge.fusion.fhir.BundleValidator;
import org.mededge.fusion.fhir.Fhir;

/**
 * The reading room over HTTP, with the demo chest model and the demo LLM's radiology adapter, from the
 * worklist to the signature: a held-out phantom DICOM with a left pneumothorax and a right effusion;
 * the radiologist states the effusion and a 7 mm nodule but not the pneumothorax: a critical review
 * item for the pneumothorax, the AI impression draft checked against the rules, the Fleischner
 * recommendation for the nodule; signing is refused until every review item is answered and the
 * critical result is recorded; the signed DiagnosticReport (final, the radiologist's impression as its
 * conclusion) validates.
 */
class ReadingRoomTest {

    private static List<String> codes(JsonNode checks) {
        List<String> out = new ArrayList<>();
        checks.forEach(c -> out.add(c.get("code").asText()));
        return out;
    }

    private static Http.Response post(Http http, String path, String json) {
        return http.post(path, "application/json", json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void fromTheWorklistToTheSignature() throws Exception {
        Path home = TestModels.sharedHome("chest-demo", "llm-demo");
        try (Appliance a = TestAppliance.start(home, Map.of("mededge.engines.vad.enabled", "false",
                "mededge.engines.asr.enabled", "false", "mededge.engines.llm.model", "llm-demo",
                "mededge.engines.llm.required", "true", "mededge.engines.vision.model", "chest-demo"))) {
            Http http = new Http(a.port());
            assertEquals(200, http.get("/health/ready").status(), http.get("/health/ready").body());
            Http.Response s = http.post("/v1/studies?patient=P-RR-1", "application/dicom", Files.readAllBytes(TestModels.repo()
                    .resolve("firmware-scripts/models/demo/chest-demo/samples/heldout-pneumothorax-left-effusion-right.dcm")));
            assertEquals(200, s.status(), s.body());
            String id = s.json().get("reportId").asText();
            String base = "/v1/radiology/reports/" + id;

            // 1. the worklist: the study with a critical AI finding, read by the AI, at the top
            JsonNode first = http.get("/v1/radiology/worklist").json().get("studies").get(0);
            assertEquals(id, first.get("reportId").asText(), first.toString());
            assertEquals("critical", first.get("priority").asText());
            assertEquals("ai-read", first.get("state").asText());

            // 2-5. the radiologist's words: review list, AI draft, follow-up, checks
            long t0 = System.nanoTime();
            Http.Response f = post(http, base + "/findings",
                    "{\"text\":\"Right pleural effusion. Solid nodule in the right upper lobe, 7 mm.\",\"language\":\"en\"}");
            long draftMs = (System.nanoTime() - t0) / 1_000_000;
            assertEquals(200, f.status(), f.body());
            JsonNode r = f.json().get("reading");
            System.out.println("reading room, findings to draft in " + draftMs + " ms: " + f.body());
            JsonNode ptx = null;
            for (JsonNode i : r.get("review")) {
                if (i.get("label").asText().equals("pneumothorax_left")) {
                    ptx = i;
                }
            }
            assertTrue(ptx != null && ptx.get("kind").asText().equals("AI_NOT_IN_REPORT") && ptx.get("critical").asBoolean(),
                    r.get("review").toString());
            assertEquals("radiology", r.at("/impression/adapter").asText(), r.get("impression").toString());
            assertTrue(r.at("/impression/draft").asBoolean());
            assertEquals("CT at 6-12 months, then consider CT at 18-24 months.", r.at("/followUp/0/recommendation").asText());
            assertEquals(7, r.at("/followUp/0/sizeMm").asInt());
            List<String> c = codes(f.json().get("checks"));
            assertTrue(c.contains("REVIEW_UNACKNOWLEDGED") && c.contains("CRITICAL_RESULT_NOT_RECORDED"), c.toString());
            assertFalse(f.json().get("signable").asBoolean());
            assertEquals("in-progress", http.get("/v1/radiology/worklist").json().get("studies").get(0).get("state").asText());
            assertTrue(http.get("/v1/radiology/critical").body().contains(id), "an open critical result");

            String impression = "Left pneumothorax. Right pleural effusion. "
                    + "Right lung nodule, 7 mm. Follow-up imaging advised.";
            String signBody = "{\"impression\":\"" + impression + "\"}";
            FoundationHttpTest.assertError(post(http, base + "/sign", signBody), 409, "RADIOLOGY_CHECKS_FAILED");

            // 4. every review item answered, then still refused: the critical result is not recorded
            Http.Response ans = null;
            for (JsonNode i : r.get("review")) {
                ans = post(http, base + "/review", "{\"label\":\"" + i.get("label").asText()
                        + "\",\"answer\":\"" + (i.get("critical").asBoolean() ? "agree" : "not-relevant") + "\"}");
                assertEquals(200, ans.status(), ans.body());
            }
            // agreeing with the AI's pneumothorax put it into the radiologist's findings
            assertTrue(ans.json().at("/reading/findings/normalizedText").asText().endsWith("Left pneumothorax."), ans.body());
            FoundationHttpTest.assertError(post(http, base + "/review", "{\"label\":\"pneumothorax_left\",\"answer\":\"maybe\"}"),
                    422, "INVALID_ANSWER");
            Http.Response refused = post(http, base + "/sign", signBody);
            FoundationHttpTest.assertError(refused, 409, "RADIOLOGY_CHECKS_FAILED");
            assertTrue(refused.body().contains("CRITICAL_RESULT_NOT_RECORDED") && !refused.body().contains("REVIEW_UNACKNOWLEDGED"),
                    refused.body());
            // an impression that names the wrong side is refused too
            Http.Response wrongSide = post(http, base + "/sign", "{\"impression\":\"Possible right pneumothorax (model finding only)."
                    + " Right pleural effusion. Right lung nodule, 7 mm.\"}");
            assertTrue(wrongSide.body().contains("LATERALITY_MISMATCH"), wrongSide.body());

            // 8. the critical result: who was told, when, read back
            Http.Response crit = post(http, base + "/critical", "{\"name\":\"Dr. Wang\",\"role\":\"attending physician\",\"time\":\""
                    + Instant.now() + "\",\"readBack\":true}");
            assertEquals(200, crit.status(), crit.body());
            assertFalse(http.get("/v1/radiology/critical").body().contains(id), "no longer open");

            // 9. signed: final, the impression as the DiagnosticReport's conclusion, the bundle valid
            Http.Response signed = post(http, base + "/sign", signBody);
            assertEquals(200, signed.status(), signed.body());
            assertEquals("final", signed.json().get("status").asText());
            Bundle b = Fhir.context().newJsonParser().parseResource(Bundle.class, http.get("/v1/reports/" + id + "/fhir").body());
            assertEquals(List.of(), BundleValidator.get().errors(b), "the signed bundle validates");
            DiagnosticReport dr = b.getEntry().stream().map(Bundle.BundleEntryComponent::getResource)
                    .filter(x -> x instanceof DiagnosticReport).map(x -> (DiagnosticReport) x).findFirst().orElseThrow();
            assertEquals(DiagnosticReport.DiagnosticReportStatus.FINAL, dr.getStatus());
            assertEquals(impression, dr.getConclusion());
            assertEquals("18748-4", dr.getCode().getCodingFirstRep().getCode());
            assertEquals(1, dr.getImagingStudy().size(), "the DiagnosticReport cites its ImagingStudy");
            List<String> conclusion = dr.getConclusionCode().stream().map(cc -> cc.getCodingFirstRep().getCode()).toList();
            assertTrue(conclusion.containsAll(List.of("RID34539", "RID5352")), "conclusion codes: " + conclusion);
            boolean leftCoded = b.getEntry().stream().map(Bundle.BundleEntryComponent::getResource)
                    .filter(x -> x instanceof org.hl7.fhir.r4.model.Observation).map(x -> (org.hl7.fhir.r4.model.Observation) x)
                    .anyMatch(o -> o.getStatus() == org.hl7.fhir.r4.model.Observation.ObservationStatus.FINAL
                            && "RID5352".equals(o.getCode().getCodingFirstRep().getCode())
                            && "7771000".equals(o.getBodySite().getCodingFirstRep().getCode()));
            assertTrue(leftCoded, "the radiologist's left pneumothorax: final, RadLex-coded, its side SNOMED-coded");
            FoundationHttpTest.assertError(post(http, base + "/findings", "{\"text\":\"x\"}"), 409, "REPORT_SIGNED");
            // an amendment needs the corrected impression and a reason; the signed version stays in the history
            FoundationHttpTest.assertError(post(http, base + "/sign", signBody), 422, "AMENDMENT_INCOMPLETE");
            String corrected = impression.replace("7 mm", "8 mm");
            Http.Response amended = post(http, base + "/sign", "{\"impression\":\"" + corrected + "\",\"reason\":\"nodule re-measured\"}");
            // 8 mm is not the stated 7 mm: the grounding check refuses it; with the findings' size it is accepted
            FoundationHttpTest.assertError(amended, 409, "RADIOLOGY_CHECKS_FAILED");
            amended = post(http, base + "/sign", "{\"impression\":\"" + impression.replace("Follow-up imaging advised.",
                    "Follow-up CT advised.") + "\",\"reason\":\"wording\"}");
            assertEquals(200, amended.status(), amended.body());
            assertEquals("amended", amended.json().get("status").asText());
            assertEquals("wording", amended.json().at("/reading/amendments/0/reason").asText());
            assertEquals(impression, amended.json().at("/reading/amendments/0/previousImpression").asText());
            Http.Response page = http.get("/v1/reports/" + id + "/html");
            assertEquals(200, page.status(), page.body());
            assertTrue(page.body().contains("Chest radiograph report") && page.body().contains("Follow-up CT advised.")
                    && page.body().contains("Status: amended")
                    && page.body().contains("Dr. Wang") && page.body().contains("CT at 6-12 months")
                    && page.body().contains("demonstration model, not a clinical finding"), page.body());
            JsonNode versions = http.get("/v1/reports/" + id).json().get("versions");
            List<String> inputs = new ArrayList<>();
            versions.forEach(v -> inputs.add(v.path("input").asText()));
            assertTrue(inputs.containsAll(List.of("findings", "review", "critical-result", "signature")), inputs.toString());
            assertEquals(2, inputs.stream().filter("signature"::equals).count(), "signed, then amended: " + inputs);
            assertTrue(http.get("/metrics").body().contains("mededge_radiology_review_answers_total{label=\"pneumothorax_left\""));
        }
    }
}
