package org.mededge.appliance.studies;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.mededge.appliance.Appliance;
import org.mededge.appliance.Http;
import org.mededge.appliance.TestAppliance;
import org.mededge.appliance.TestModels;

/**
 * The project's demo chest radiograph model (chest-demo, trained on synthetic phantoms) as a fresh
 * box serves it: the default configuration asks for the production model, which is not installed,
 * so chest-demo serves as its fallback. A held-out phantom DICOM (generator ranges the training never
 * saw) with a left pneumothorax and a right effusion comes back with both findings on the right
 * side, the pneumothorax critical, the cardiothoracic ratio measured; a photo is refused by the
 * model's gate; attached to a note, the findings reach the report marked as a demonstration.
 */
class ChestDemoHttpTest {
    private static final Path SAMPLES = TestModels.repo().resolve("firmware-scripts/models/demo/chest-demo/samples");
    private static Path home;

    @BeforeAll
    static void install() throws Exception {
        home = TestModels.repo().resolve("appliance/target/test-home-chest");
        Files.createDirectories(home);
        TestModels.homeWith(home, "chest-demo");
    }

    private static Appliance start() {
        return TestAppliance.start(home, Map.of("mededge.engines.vad.enabled", "false",
                "mededge.engines.asr.enabled", "false", "mededge.engines.llm.enabled", "false"));
    }

    private static Map<String, JsonNode> byLabel(JsonNode findings) {
        Map<String, JsonNode> m = new HashMap<>();
        findings.forEach(f -> m.put(f.get("label").asText(), f));
        return m;
    }

    @Test
    void aHeldOutPhantomGivesBothFindingsOnTheirSidesAndAPhotoIsRefused() throws Exception {
        try (Appliance a = start()) {
            Http http = new Http(a.port());
            Http.Response ready = http.get("/health/ready");
            assertEquals(200, ready.status(), ready.body());
            JsonNode vision = null;
            for (JsonNode c : ready.json().get("checks")) {
                if (c.get("name").asText().equals("vision")) {
                    vision = c;
                }
            }
            assertNotNull(vision, ready.body());
            assertEquals("UP", vision.get("status").asText(), vision.toString());
            assertTrue(vision.get("detail").asText().contains("xrv-densenet121-res224-all is not installed, so the fallback chest-demo serves"),
                    vision.toString());

            Http.Response r = http.post("/v1/studies", "application/dicom",
                    Files.readAllBytes(SAMPLES.resolve("heldout-pneumothorax-left-effusion-right.dcm")));
            assertEquals(200, r.status(), r.body());
            Map<String, JsonNode> f = byLabel(r.json().get("findings"));
            JsonNode ptx = f.get("Left pneumothorax");
            assertTrue(ptx.get("positive").asBoolean(), r.body());
            assertEquals("left", ptx.get("laterality").asText());
            assertTrue(ptx.get("critical").asBoolean(), "pneumothorax is declared critical");
            JsonNode eff = f.get("Right pleural effusion");
            assertTrue(eff.get("positive").asBoolean(), r.body());
            assertEquals("right", eff.get("laterality").asText());
            assertFalse(f.get("Right pneumothorax").get("positive").asBoolean(), "the other side: " + r.body());
            assertFalse(f.get("Left pleural effusion").get("positive").asBoolean(), "the other side: " + r.body());
            JsonNode ctr = r.json().get("measurements").get(0);
            assertEquals("cardiothoracic ratio", ctr.get("name").asText());
            assertEquals("1", ctr.get("unit").asText());
            assertTrue(ctr.get("value").asDouble() > 0.3 && ctr.get("value").asDouble() < 0.75, ctr.toString());
            assertEquals("demo", r.json().get("model").get("tier").asText());
            assertFalse(r.json().get("model").get("clinical").asBoolean());
            assertEquals("CHEST", r.json().get("study").get("bodyPart").asText());

            assertTrue(r.json().get("heatmap").asText().endsWith("?label=Left+pneumothorax"), "the critical finding's heatmap first");
            Http.Response heat = http.get(r.json().get("heatmap").asText());
            assertEquals(200, heat.status(), heat.body());
            assertEquals("image/png", heat.header("Content-Type"));

            for (String photo : new String[] {"img-pelican.jpeg", "img-mnist-7.jpg"}) {
                Http.Response refused = http.post("/v1/studies", "image/jpeg",
                        Files.readAllBytes(TestModels.shared().resolve("samples").resolve(photo)));
                assertEquals(422, refused.status(), photo + ": " + refused.body());
                assertEquals("VISION_NOT_A_CHEST_RADIOGRAPH", refused.json().get("error").get("code").asText());
            }
        }
    }

    @Test
    void attachedToANoteTheFindingsAreFusedMarkedAndTheCriticalOneIsARedFlag() throws Exception {
        try (Appliance a = start()) {
            Http http = new Http(a.port());
            String note = "{\"text\":\"Sudden pleuritic chest pain and dyspnoea for 2 hours. HR 118, RR 28, SpO2 89% on room air.\","
                    + "\"specialty\":\"respiratory\"}";
            String id = http.post("/v1/notes", "application/json", note.getBytes(StandardCharsets.UTF_8)).json().get("reportId").asText();
            Http.Response r = http.post("/v1/reports/" + id + "/studies", "application/dicom",
                    Files.readAllBytes(SAMPLES.resolve("heldout-pneumothorax-left-effusion-right.dcm")));
            assertEquals(200, r.status(), r.body());
            JsonNode report = r.json().get("report");
            boolean leftPtx = false;
            for (JsonNode f : report.get("imaging")) {
                assertEquals("demonstration model, not a clinical finding", f.get("marking").asText());
                leftPtx |= f.get("label").asText().equals("Left pneumothorax") && f.get("laterality").asText().equals("left");
            }
            assertTrue(leftPtx, report.toString());
            assertTrue(report.get("flags").toString().contains("RED_FLAG") && report.get("flags").toString().contains("Left pneumothorax"),
                    report.get("flags").toString());
            assertEquals("cardiothoracic ratio", report.get("studies").get(0).get("measurements").get(0).get("name").asText());
            String fhir = http.get("/v1/reports/" + id + "/fhir").body();
            assertTrue(fhir.contains("\"code\":\"7771000\""), "the left side as SNOMED CT laterality");
            assertTrue(fhir.contains("cardiothoracic ratio") && fhir.contains("urn:mededge:model-tier"), fhir);
        }
    }

    /** An installed but altered production model is an alarm: the demo model never stands in for it. */
    @Test
    void aRefusedProductionModelDoesNotFallBack(@TempDir Path other) throws Exception {
        TestModels.homeWith(other, "chest-demo");
        Path fake = other.resolve("models/xrv-densenet121-res224-all/1");
        Files.createDirectories(fake);
        Files.writeString(fake.resolve("model.onnx"), "not the model");
        Files.writeString(fake.resolve("model.yaml"), "name: xrv-densenet121-res224-all\nversion: \"1\"\nrole: vision\n"
                + "files:\n  - path: model.onnx\n    sha256: \"" + "ab".repeat(32) + "\"\n");
        try (Appliance a = TestAppliance.start(other, Map.of("mededge.engines.vad.enabled", "false",
                "mededge.engines.asr.enabled", "false", "mededge.engines.llm.enabled", "false"))) {
            Http http = new Http(a.port());
            Http.Response r = http.post("/v1/studies", "application/dicom",
                    Files.readAllBytes(SAMPLES.resolve("heldout-pneumothorax-left-effusion-right.dcm")));
            assertEquals(503, r.status(), r.body());
            assertTrue(r.json().get("error").get("message").asText().contains("does not match model.yaml"), r.body());
        }
    }
}
