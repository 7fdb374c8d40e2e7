package org.mededge.appliance.reports;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.junit.jupiter.api.Test;

import org.mededge.appliance.Appliance;
import org.mededge.appliance.Http;
import org.mededge.appliance.TestAppliance;
import org.mededge.appliance.TestModels;

/**
 * With {@code mededge.fusion.validate-fhir} on, every bundle the appliance emits passes the offline
 * validator before it is stored: a typed note, a dictation (the demo Whisper on a committed held-out
 * clip), a study (MobileNetV2-int8, a test model), a signed report and an amended one. All go through
 * the one {@link ReportPublisher}; the validator's stage counter counts each.
 */
class EveryBundleValidatedTest {
    private static final ObjectMapper M = new ObjectMapper();
    private static final Pattern VALIDATED = Pattern.compile(
            "mededge_stage_seconds_count\\{stage=\"fusion_fhir_validate\",model=\"none\",outcome=\"(ok|invalid)\",} ([0-9.]+)");

    private static int validated(Http http, String outcome) {
        Matcher m = VALIDATED.matcher(http.get("/metrics").body());
        while (m.find()) {
            if (m.group(1).equals(outcome)) {
                return (int) Double.parseDouble(m.group(2));
            }
        }
        return 0;
    }

    @Test
    void noteDictationStudySignedAndAmendedBundlesAreAllValidated() throws Exception {
        Path home = TestModels.repo().resolve("appliance/target/test-home-demo");
        assertEquals(0, TestModels.installer(home, "--mirror", TestModels.mirror().toString(), "--only", "silero-vad",
                "--only", "whisper-demo", "--only", "mobilenetv2-int8").exit(), "the models install");
        try (Appliance a = TestAppliance.start(home, Map.of(
                "mededge.engines.asr.model", "whisper-demo",
                "mededge.engines.asr.required", "true",
                "mededge.engines.llm.enabled", "false",
                "mededge.engines.vision.model", "mobilenetv2-int8",
                "mededge.engines.vision.required", "true",
                "mededge.fusion.validate-fhir", "true"))) {
            Http http = new Http(a.port());
            assertEquals(200, http.get("/health/ready").status(), http.get("/health/ready").body());

            Http.Response note = http.post("/v1/notes", "application/json", ("{\"text\":\"Chief complaint: cough for 3 days."
                    + " Exam: T 38.6 C, SpO2 88% on room air, 95% on 2 L. Baseline creatinine 70, today 160.\"}")
                    .getBytes(StandardCharsets.UTF_8));
            assertEquals(200, note.status(), note.body());
            assertEquals(1, validated(http, "ok"), "the note's bundle");

            byte[] clip = Files.readAllBytes(TestModels.repo().resolve("firmware-scripts/models/demo/heldout/heldout-en-1.wav"));
            Http.Response dictation = http.post("/v1/dictations?language=en", "audio/wav", clip);
            assertEquals(200, dictation.status(), dictation.body());
            assertFalse(dictation.json().get("report").isNull(), "the demo Whisper hears a note");
            assertEquals(2, validated(http, "ok"), "the dictation's bundle");

            byte[] image = Files.readAllBytes(TestModels.shared().resolve("samples").resolve("cxr-nih-00000001_000-cardiomegaly.png"));
            Http.Response study = http.post("/v1/studies", "image/png", image);
            assertEquals(200, study.status(), study.body());
            assertEquals(3, validated(http, "ok"), "the study's bundle");

            String id = note.json().get("reportId").asText();
            JsonNode stored = http.get("/v1/reports/" + id).json();
            ObjectNode corrected = (ObjectNode) stored.get("report").deepCopy();
            Http.Response signed = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + a.port() + "/v1/reports/" + id))
                    .header("Content-Type", "application/json")
                    .PUT(java.net.http.HttpRequest.BodyPublishers.ofString(M.writeValueAsString(Map.of("version", 1, "report", corrected)))));
            assertEquals(200, signed.status(), signed.body());
            assertEquals(4, validated(http, "ok"), "the signed report's bundle");
            Http.Response amended = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + a.port() + "/v1/reports/" + id))
                    .header("Content-Type", "application/json")
                    .PUT(java.net.http.HttpRequest.BodyPublishers.ofString(M.writeValueAsString(Map.of("version", 2, "report", corrected)))));
            assertEquals(200, amended.status(), amended.body());
            assertEquals("amended", amended.json().get("status").asText());
            assertEquals(5, validated(http, "ok"), "the amended report's bundle");
            assertEquals(0, validated(http, "invalid"));

            // the earlier readings were kept through the sign-off
            assertTrue(http.get("/v1/reports/" + id).json().get("report").get("earlier").size() == 2);
            // fusion is timed under one set of stage names, labelled by the language model, never by the speech model
            String metrics = http.get("/metrics").body();
            assertTrue(metrics.contains("stage=\"fusion_note\""), metrics);
            assertFalse(metrics.contains("stage=\"fusion\","), "the old literal stage is gone");
        }
    }
}
