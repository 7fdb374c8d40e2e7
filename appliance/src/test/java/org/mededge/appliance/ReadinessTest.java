package org.mededge.appliance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Readiness says DOWN, and why in actionable words, until the configured models are installed and intact. */
class ReadinessTest {

    @Test
    void downWithActionableDetailWhenNothingIsInstalled(@TempDir Path home) {
        try (Appliance a = TestAppliance.start(home, Map.of())) {
            Http.Response r = new Http(a.port()).get("/health/ready");
            assertEquals(503, r.status());
            JsonNode json = r.json();
            assertEquals("DOWN", json.get("status").asText());
            String detail = FoundationHttpTest.check(json, "vad").get("detail").asText();
            assertTrue(detail.contains("not installed") && detail.contains("firmware-scripts/install-models.sh --only silero-vad"), detail);
            assertEquals(200, new Http(a.port()).get("/health/live").status(), "live even when not ready");
            assertTrue(new Http(a.port()).get("/metrics").body().contains("mededge_model_ready{model=\"silero-vad\",engine=\"vad\",} 0.0"));
        }
    }

    @Test
    void upOnceInstalledThenRefusedWhenAFileIsAltered(@TempDir Path home) throws IOException {
        TestModels.homeWith(home, "silero-vad");
        try (Appliance a = TestAppliance.start(home, Map.of())) {
            assertEquals(200, new Http(a.port()).get("/health/ready").status());
        }
        Path onnx = home.resolve("models/silero-vad/6.2/silero_vad.onnx");
        try (RandomAccessFile f = new RandomAccessFile(onnx.toFile(), "rw")) {
            f.seek(1000);
            int b = f.read();
            f.seek(1000);
            f.write(b ^ 0x01);
        }
        try (Appliance a = TestAppliance.start(home, Map.of())) {
            Http http = new Http(a.port());
            Http.Response r = http.get("/health/ready");
            assertEquals(503, r.status());
            String detail = FoundationHttpTest.check(r.json(), "vad").get("detail").asText();
            assertTrue(detail.contains("does not match model.yaml") && detail.contains("reinstall"), detail);
            JsonNode model = http.get("/v1/models").json().get("models").get(0);
            assertEquals("REFUSED", model.get("verification").asText());
        }
        // the installer repairs it
        TestModels.Run again = TestModels.installer(home, "--mirror", TestModels.mirror().toString(), "--only", "silero-vad");
        assertEquals(0, again.exit(), again.output());
        assertTrue(again.output().contains("installed"), again.output());
        try (Appliance a = TestAppliance.start(home, Map.of())) {
            assertEquals(200, new Http(a.port()).get("/health/ready").status());
        }
    }

    @Test
    void aDisabledEngineIsNotChecked(@TempDir Path home) throws IOException {
        Files.createDirectories(home);
        try (Appliance a = TestAppliance.start(home, Map.of("mededge.engines.vad.enabled", "false",
                "mededge.engines.asr.enabled", "false", "mededge.engines.vision.enabled", "false",
                "mededge.engines.llm.enabled", "false"))) {
            Http.Response r = new Http(a.port()).get("/health/ready");
            assertEquals(200, r.status(), r.body());
            // no engine is checked; only the advisory data-at-rest check (never required) remains
            assertEquals(1, r.json().get("checks").size(), r.body());
            assertEquals("data-at-rest", r.json().get("checks").get(0).get("name").asText(), r.body());
        }
    }
}
