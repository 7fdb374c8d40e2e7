package org.mededge.appliance.reports;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.hl7.fhir.r4.model.Bundle;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.mededge.appliance.Appliance;
import org.mededge.appliance.FoundationHttpTest;
import org.mededge.appliance.Http;
import org.mededge.appliance.TestAppliance;
import org.mededge.appliance.TestModels;
import org.mededge.fusion.ImagingFinding;
import org.mededge.fusion.fhir.BundleValidator;
import org.mededge.fusion.fhir.Fhir;

/**
 * One report from every modality, end to end over HTTP with tokens: a dictation (the demo Whisper on
 * a committed held-out clip, the demo LLM's assessment), then a study attached to its report, and the
 * report re-fused: vitals, symptoms, the imaging findings with their marking, the assessment redone,
 * the FHIR bundle validated, the history showing both inputs. The imaging model is chest-demo, the
 * project's demo chest radiograph model, on held-out phantom films: its findings must come out marked
 * as a demonstration, the left pneumothorax as a red flag.
 */
class MultimodalReportTest {
    private static final ObjectMapper M = new ObjectMapper();
    private static final String DR = "clinician-dr-li-0123456789";
    private static final String OTHER = "clinician-dr-wu-0123456789";
    private static final String RAD = "radiology-zhang-0123456789";

    private static Http.Response call(int port, String method, String path, String token, String type, byte[] body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Authorization", "Bearer " + token);
        if (body == null) {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            b.header("Content-Type", type).method(method, HttpRequest.BodyPublishers.ofByteArray(body));
        }
        return new Http(port).send(b);
    }

    @Test
    void aDictationThenAStudyBecomeOneReport(@TempDir Path dir) throws Exception {
        Path home = TestModels.repo().resolve("appliance/target/test-home-demo");
        assertEquals(0, TestModels.installer(home, "--mirror", TestModels.mirror().toString(), "--only", "silero-vad",
                "--only", "whisper-demo", "--only", "llm-demo", "--only", "chest-demo").exit(), "the models install");
        Path tokens = dir.resolve("tokens");
        Files.writeString(tokens, "clinician " + DR + "\nclinician " + OTHER + "\nradiology " + RAD + "\n");
        try (Appliance a = TestAppliance.start(home, Map.of(
                "mededge.auth.enabled", "true",
                "mededge.auth.tokens-file", tokens.toString(),
                "mededge.store.dir", dir.resolve("data").toString(),
                "mededge.engines.asr.model", "whisper-demo",
                "mededge.engines.asr.required", "true",
                "mededge.engines.llm.model", "llm-demo",
                "mededge.engines.llm.required", "true",
                "mededge.engines.vision.model", "chest-demo",
                "mededge.engines.vision.required", "true",
                "mededge.fusion.validate-fhir", "true"))) {
            int port = a.port();
            byte[] clip = Files.readAllBytes(TestModels.repo().resolve("firmware-scripts/models/demo/heldout/heldout-en-1.wav"));
            Http.Response d = call(port, "POST", "/v1/dictations?language=en&specialty=respiratory", DR, "audio/wav", clip);
            assertEquals(200, d.status(), d.body());
            String id = d.json().get("reportId").asText();
            assertTrue(d.json().get("report").get("imaging") == null, "no study yet");

            Path samples = TestModels.repo().resolve("firmware-scripts/models/demo/chest-demo/samples");
            byte[] film = Files.readAllBytes(samples.resolve("heldout-pneumothorax-left-effusion-right.dcm"));
            FoundationHttpTest.assertError(call(port, "POST", "/v1/reports/" + id + "/studies", OTHER, "application/dicom", film),
                    404, "REPORT_NOT_FOUND");
            Http.Response s = call(port, "POST", "/v1/reports/" + id + "/studies", DR, "application/dicom", film);
            assertEquals(200, s.status(), s.body());
            assertEquals(2, s.json().get("version").asInt());
            JsonNode report = s.json().get("report");
            assertTrue(report.get("vitals").size() + report.get("labs").size() > 0, "the dictation's values stay");
            JsonNode imaging = report.get("imaging");
            assertTrue(imaging != null && imaging.size() > 0, "the study's positive findings are in the report: " + report);
            List<String> labels = new ArrayList<>();
            for (JsonNode f : imaging) {
                assertEquals(ImagingFinding.NOT_CLINICAL_EN, f.get("marking").asText(), "a demo model's finding is marked");
                assertEquals("chest-demo", f.get("model").asText());
                labels.add(f.get("label").asText());
            }
            assertTrue(labels.containsAll(List.of("Left pneumothorax", "Right pleural effusion")), labels.toString());
            assertTrue(report.get("flags").toString().contains("imaging.Left pneumothorax"), "critical: " + report.get("flags"));
            assertFalse(report.get("assessment").isNull(), "the assessment is redone with everything known");
            List<String> roles = new ArrayList<>();
            report.get("provenance").get("models").forEach(m -> roles.add(m.get("role").asText()));
            assertTrue(roles.containsAll(List.of("asr", "rules", "vision", "llm")), roles.toString());

            // the stored report: its history shows both inputs, its bundle validates and marks the finding
            JsonNode stored = call(port, "GET", "/v1/reports/" + id, DR, null, null).json();
            List<String> inputs = new ArrayList<>();
            stored.get("versions").forEach(v -> inputs.add(v.get("input").asText()));
            assertEquals(List.of("dictation", "study"), inputs);
            String fhir = call(port, "GET", "/v1/reports/" + id + "/fhir", DR, null, null).body();
            assertEquals(List.of(), BundleValidator.get().errors(Fhir.context().newJsonParser().parseResource(Bundle.class, fhir)));
            assertTrue(fhir.contains(ImagingFinding.NOT_CLINICAL_EN) && fhir.contains("urn:mededge:model-tier"), "FHIR marks it");
            Http.Response html = call(port, "GET", "/v1/reports/" + id + "/html", DR, null, null);
            assertTrue(html.body().contains(ImagingFinding.NOT_CLINICAL_EN), html.status() + " " + html.body());

            // radiology may attach to anyone's report (another held-out film, MONOCHROME1: its header names the study
            // in FHIR); a signed report takes no new input
            byte[] dicom = Files.readAllBytes(samples.resolve("heldout-cardiomegaly.dcm"));
            Http.Response r2 = call(port, "POST", "/v1/reports/" + id + "/studies", RAD, "application/dicom", dicom);
            assertEquals(200, r2.status(), r2.body());
            assertEquals(3, r2.json().get("version").asInt());
            String uid = r2.json().get("study").get("study").get("studyInstanceUid").asText();
            assertEquals(2, r2.json().get("report").get("studies").size());
            String fhir3 = call(port, "GET", "/v1/reports/" + id + "/fhir", DR, null, null).body();
            assertTrue(fhir3.contains("urn:oid:" + uid) && fhir3.contains("\"ImagingStudy\""), "the study's UID is in FHIR");
            assertEquals(List.of(), BundleValidator.get().errors(Fhir.context().newJsonParser().parseResource(Bundle.class, fhir3)));
            JsonNode current = call(port, "GET", "/v1/reports/" + id, DR, null, null).json();
            byte[] sign = M.writeValueAsBytes(Map.of("version", 3, "report", current.get("report")));
            assertEquals(200, call(port, "PUT", "/v1/reports/" + id, DR, "application/json", sign).status());
            FoundationHttpTest.assertError(call(port, "POST", "/v1/reports/" + id + "/studies", DR, "application/dicom", film),
                    409, "REPORT_SIGNED");
        }
    }
}
