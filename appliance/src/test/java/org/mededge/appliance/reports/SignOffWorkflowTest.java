package org.mededge.appliance.reports;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.hl7.fhir.r4.model.Bundle;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.mededge.appliance.Appliance;
import org.mededge.appliance.FoundationHttpTest;
import org.mededge.appliance.Http;
import org.mededge.appliance.TestAppliance;
import org.mededge.fusion.fhir.BundleValidator;
import org.mededge.fusion.fhir.Fhir;

/**
 * The clinical workflow through real HTTP with tokens: a note is stored before it is answered,
 * read back as JSON, FHIR and HTML, signed (final), corrected again (amended), and the pair lands
 * in the feedback export in the formats fine-tuning tools take; the audit chain holds throughout
 * and exports as valid FHIR AuditEvents.
 */
class SignOffWorkflowTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final String DR = "clinician-dr-li-0123456789";
    private static final String OTHER = "clinician-dr-wu-0123456789";
    private static final String ADMIN = "admin-0123456789abcdefghij";

    private static Http.Response call(int port, String method, String path, String token, String json) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Authorization", "Bearer " + token);
        if (json == null) {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            b.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(json, StandardCharsets.UTF_8));
        }
        return new Http(port).send(b);
    }

    @Test
    void noteIsStoredSignedAmendedAndExportedForTraining(@TempDir Path home) throws Exception {
        Path tokens = home.resolve("tokens");
        Files.writeString(tokens, "clinician " + DR + "\nclinician " + OTHER + "\nadmin " + ADMIN + "\n");
        try (Appliance a = TestAppliance.start(home, Map.of("mededge.auth.enabled", "true",
                "mededge.auth.tokens-file", tokens.toString(), "mededge.engines.vad.enabled", "false",
                "mededge.engines.asr.enabled", "false", "mededge.engines.vision.enabled", "false",
                "mededge.engines.llm.enabled", "false"))) {
            int port = a.port();
            String note = "{\"text\":\"Chief complaint: cough and fever for 3 days. Exam: temperature 38.6 C, SpO2 95%."
                    + " Labs: WBC 13.2, CRP 86 mg/L.\",\"specialty\":\"respiratory\",\"patient\":\"MRN-0042\"}";
            Http.Response created = call(port, "POST", "/v1/notes", DR, note);
            assertEquals(200, created.status(), created.body());
            String id = created.json().get("reportId").asText();
            assertEquals(1, created.json().get("version").asInt());

            // stored: JSON, FHIR (preliminary), HTML
            JsonNode stored = call(port, "GET", "/v1/reports/" + id, DR, null).json();
            assertEquals("preliminary", stored.get("status").asText());
            assertEquals("MRN-0042", stored.get("patient").asText());
            assertEquals(created.json().get("report"), stored.get("report"), "what was answered is what was stored");
            assertEquals("preliminary", composition(call(port, "GET", "/v1/reports/" + id + "/fhir", DR, null).body()).get("status").asText());
            Http.Response html = call(port, "GET", "/v1/reports/" + id + "/html", DR, null);
            assertEquals(200, html.status());
            assertTrue(html.header("Content-Type").startsWith("text/html"));
            assertTrue(html.body().contains("38.6"), "the page shows the vitals");

            // the clinician corrects the draft and adds the assessment the model could not make here
            ObjectNode corrected = (ObjectNode) stored.get("report").deepCopy();
            ObjectNode assessment = corrected.putObject("assessment");
            assessment.put("diagnosis", "Community-acquired pneumonia");
            assessment.put("confidence", 0.9);
            assessment.put("reason", "Fever, cough, raised WBC and CRP.");
            assessment.putArray("differential").add("Acute bronchitis");
            assessment.putArray("ruleOut").add("Pulmonary embolism");
            String put = MAPPER.writeValueAsString(Map.of("version", 1, "report", corrected));
            FoundationHttpTest.assertError(call(port, "PUT", "/v1/reports/" + id, OTHER, put), 404, "REPORT_NOT_FOUND");
            Http.Response signed = call(port, "PUT", "/v1/reports/" + id, DR, put);
            assertEquals(200, signed.status(), signed.body());
            assertEquals("final", signed.json().get("status").asText());
            assertEquals(2, signed.json().get("version").asInt());
            assertEquals("final", composition(call(port, "GET", "/v1/reports/" + id + "/fhir", DR, null).body()).get("status").asText());
            FoundationHttpTest.assertError(call(port, "PUT", "/v1/reports/" + id, DR, put), 409, "VERSION_CONFLICT");
            FoundationHttpTest.assertError(call(port, "PUT", "/v1/reports/" + id, DR,
                    "{\"version\":2,\"report\":{\"sections\":\"not an object\"}}"), 422, "INVALID_REPORT");
            assessment.put("diagnosis", "Acute bronchitis");
            Http.Response amended = call(port, "PUT", "/v1/reports/" + id, DR, MAPPER.writeValueAsString(Map.of("version", 2, "report", corrected)));
            assertEquals("amended", amended.json().get("status").asText());
            JsonNode history = call(port, "GET", "/v1/reports/" + id, DR, null).json().get("versions");
            Bundle signedBundle = Fhir.context().newJsonParser().parseResource(Bundle.class,
                    call(port, "GET", "/v1/reports/" + id + "/fhir", DR, null).body());
            assertEquals(List.of(), BundleValidator.get().errors(signedBundle), "the amended report's bundle validates");
            assertEquals(List.of("preliminary", "final", "amended"), List.of(history.get(0).get("status").asText(),
                    history.get(1).get("status").asText(), history.get(2).get("status").asText()));

            // the feedback dataset: the latest clinician version, with the prompt fusion would send
            Http.Response pc = call(port, "GET", "/v1/feedback/export?specialty=respiratory", ADMIN, null);
            assertEquals(200, pc.status(), pc.body());
            assertEquals("1", pc.header("X-MedEdge-Rows"));
            JsonNode row = MAPPER.readTree(pc.body().strip());
            assertTrue(row.get("prompt").asText().contains("Candidates:"), row.toString());
            assertTrue(row.get("prompt").asText().contains("38.6"), "the prompt carries the signed findings");
            assertEquals("Acute bronchitis", MAPPER.readTree(row.get("completion").asText()).get("diagnosis").asText());
            JsonNode alpaca = MAPPER.readTree(call(port, "GET", "/v1/feedback/export?format=alpaca", ADMIN, null).body().strip());
            assertNotNull(alpaca.get("instruction"));
            assertNotNull(alpaca.get("input"));
            assertNotNull(alpaca.get("output"));
            JsonNode pair = MAPPER.readTree(call(port, "GET", "/v1/feedback/export?format=pairs", ADMIN, null).body().strip());
            assertTrue(pair.get("draft").get("assessment") == null, "the draft had no assessment");
            assertEquals(0, call(port, "GET", "/v1/feedback/export?specialty=cardiology", ADMIN, null).body().length());
            FoundationHttpTest.assertError(call(port, "GET", "/v1/feedback/export", DR, null), 403, "FORBIDDEN");

            // the audit chain holds, and exports as FHIR AuditEvents that validate
            Http.Response verify = call(port, "GET", "/v1/audit/verify", ADMIN, null);
            assertTrue(verify.json().get("intact").asBoolean(), verify.body());
            Http.Response export = call(port, "GET", "/v1/audit/export?limit=1000", ADMIN, null);
            assertEquals(200, export.status());
            Bundle bundle = Fhir.context().newJsonParser().parseResource(Bundle.class, export.body());
            assertTrue(bundle.getEntry().size() >= 10, "entries: " + bundle.getEntry().size());
            assertEquals(List.of(), BundleValidator.get().errors(bundle), "AuditEvent bundle validates");
            assertTrue(!export.body().contains("cough") && !export.body().contains("MRN-0042"), "no clinical text in the audit");
        }
    }

    private static JsonNode composition(String bundleJson) throws Exception {
        JsonNode b = MAPPER.readTree(bundleJson);
        return b.get("entry").get(0).get("resource");
    }
}
