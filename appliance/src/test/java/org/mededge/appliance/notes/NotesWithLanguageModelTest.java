package org.mededge.appliance.notes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.mededge.appliance.Appliance;
import org.mededge.appliance.Http;
import org.mededge.appliance.TestAppliance;
import org.mededge.appliance.TestModels;
import org.mededge.fusion.assess.Specialties;

/**
 * POST /v1/notes with a real language model in the "llm" slot: the project's tiny random-weight
 * decoder (it knows no medicine) with its respiratory and cardiology adapters, installed by the
 * installer. Constrained decoding must still give an assessment that satisfies the schema: a
 * candidate diagnosis, a confidence in 0..1, the adapter named, the model in the provenance, and
 * NEEDS_REVIEW exactly when the confidence is below the threshold.
 */
class NotesWithLanguageModelTest {
    private static Appliance appliance;
    private static Http http;

    @BeforeAll
    static void start() {
        Path home = TestModels.sharedHome("silero-vad", "tiny-decoder-test");
        appliance = TestAppliance.start(home, Map.of(
                "mededge.engines.llm.model", "tiny-decoder-test",
                "mededge.engines.llm.required", "true",
                "mededge.engines.asr.enabled", "false",
                "mededge.engines.vision.enabled", "false"));
        http = new Http(appliance.port());
    }

    @AfterAll
    static void stop() {
        appliance.close();
    }

    private static JsonNode note(String text, String specialty) {
        Http.Response r = http.post("/v1/notes", "application/json", ("{\"text\":\"" + text + "\",\"specialty\":\"" + specialty
                + "\"}").getBytes(StandardCharsets.UTF_8));
        assertEquals(200, r.status(), r.body());
        return r.json();
    }

    @Test
    void theAssessmentSatisfiesTheSchemaAndNamesItsAdapter() {
        JsonNode j = note("Cough and fever for 3 days, T 38.6, crackles right base, SpO2 94%.", "respiratory");
        JsonNode a = j.at("/report/assessment");
        assertTrue(a.isObject(), j.toString());
        assertTrue(Specialties.get("respiratory").names().contains(a.get("diagnosis").asText()), a.toString());
        double c = a.get("confidence").asDouble();
        assertTrue(c >= 0 && c <= 1, a.toString());
        assertEquals("respiratory", a.get("adapter").asText());
        List<String> roles = new ArrayList<>();
        j.at("/report/provenance/models").forEach(m -> roles.add(m.get("role").asText()));
        assertEquals(List.of("rules", "llm"), roles);
        assertEquals("tiny-decoder-test", j.at("/report/provenance/models/1/name").asText());
        assertEquals("respiratory", j.at("/report/provenance/models/1/adapter").asText());
        assertEquals(c < 0.6, j.at("/report/flags").toString().contains("NEEDS_REVIEW"), j.at("/report/flags").toString());
        assertTrue(j.at("/report/provenance/timings/assessmentMs").asDouble() > 0);
        // the FHIR document carries the assessment and names the model and adapter
        String fhir = j.get("fhir").toString();
        assertTrue(fhir.contains("\"resourceType\":\"ClinicalImpression\""), fhir);
        assertTrue(fhir.contains("tiny-decoder-test") && fhir.contains("LoRA adapter"), fhir);
    }

    @Test
    void aSpecialtyWithoutALoadedAdapterUsesTheBaseModel() {
        JsonNode j = note("X-ray shows right lower lobe consolidation.", "radiology");
        JsonNode a = j.at("/report/assessment");
        assertTrue(a.isObject(), j.toString());
        assertTrue(Specialties.get("radiology").names().contains(a.get("diagnosis").asText()));
        assertTrue(a.path("adapter").isMissingNode(), "a radiology note is assessed by the base model (the radiology adapter writes impressions)");
    }
}
