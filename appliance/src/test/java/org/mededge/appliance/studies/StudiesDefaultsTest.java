package org.mededge.appliance.studies;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.mededge.appliance.Appliance;
import org.mededge.appliance.Http;
import org.mededge.appliance.TestAppliance;
import org.mededge.appliance.TestModels;

/**
 * The default configuration is honest: it asks for the chest X-ray model, which cannot be obtained
 * offline, says so, and never falls back to a test model that happens to be installed.
 */
class StudiesDefaultsTest {

    @Test
    void withoutTheChestModelStudiesAre503WithTheReasonAndTestModelsAreNotUsed(@TempDir Path home) throws Exception {
        TestModels.homeWith(home, "mobilenetv2-int8");
        try (Appliance a = TestAppliance.start(home, Map.of("mededge.engines.vad.enabled", "false",
                "mededge.engines.asr.enabled", "false"))) {
            Http http = new Http(a.port());
            Http.Response ready = http.get("/health/ready");
            assertEquals(200, ready.status(), "vision is not required by default: " + ready.body());
            JsonNode vision = null;
            for (JsonNode c : ready.json().get("checks")) {
                if (c.get("name").asText().equals("vision")) {
                    vision = c;
                }
            }
            assertNotNull(vision, ready.body());
            assertEquals("DOWN", vision.get("status").asText());
            assertFalse(vision.get("required").asBoolean());
            assertTrue(vision.get("detail").asText().contains("xrv-densenet121-res224-all")
                    && vision.get("detail").asText().contains("not installed"), vision.toString());

            Http.Response r = http.post("/v1/studies", "image/png",
                    Files.readAllBytes(TestModels.shared().resolve("samples/cxr-nih-00000001_000-cardiomegaly.png")));
            assertEquals(503, r.status(), r.body());
            assertEquals("VISION_NOT_READY", r.json().get("error").get("code").asText());
            String message = r.json().get("error").get("message").asText();
            assertTrue(message.contains("export-xrv-densenet.md"), message);
            assertTrue(r.header("Retry-After") != null);
            assertTrue(http.get("/metrics").body()
                    .contains("mededge_model_ready{model=\"xrv-densenet121-res224-all\",engine=\"vision\",} 0.0"));
        }
    }

    @Test
    void aModelThatIsNotAnImagingModelIsRefusedAtStartUp(@TempDir Path home) {
        TestModels.homeWith(home, "silero-vad");
        try (Appliance a = TestAppliance.start(home, Map.of("mededge.engines.vad.enabled", "false",
                "mededge.engines.asr.enabled", "false", "mededge.engines.vision.model", "silero-vad"))) {
            Http.Response ready = new Http(a.port()).get("/health/ready");
            String body = ready.body();
            assertTrue(body.contains("has role 'vad', not vision"), body);
        }
    }

    @Test
    void settingsAreValidated() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> VisionSettings.from(
                TestAppliance.config(Path.of("target/x"), Map.of("mededge.vision.backends", "tensorrt,cuda")).section("vision")));
        assertTrue(e.getMessage().contains("'cuda' is not one of"), e.getMessage());
        VisionSettings d = VisionSettings.from(TestAppliance.config(Path.of("target/x"), Map.of()).section("vision"));
        assertEquals(java.util.List.of("tensorrt", "onnxruntime", "torch"), d.engine().backends());
        assertEquals(36_000_000L, d.engine().maxPixels());
        assertEquals(64, d.keepStudies());
    }
}
