package org.mededge.appliance.radiology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.Test;

import org.mededge.appliance.Appliance;
import org.mededge.appliance.Http;
import org.mededge.appliance.TestAppliance;
import org.mededge.appliance.TestModels;

/**
 * Findings dictated in the reading room: the audio goes to the same findings route, the dictation engine's
 * transcript becomes the findings text (the demo Whisper knows dictation vocabulary, not radiology wording:
 * here the transcript names no chest finding, so every AI-positive label becomes a review item), and the
 * transcript is kept with the reading. Also: a time from findings to drafted impression over several calls.
 */
class ReadingRoomDictationTest {

    @Test
    void dictatedFindingsBecomeTheFindingsText() throws Exception {
        Path home = TestModels.repo().resolve("appliance/target/test-home-demo");
        TestModels.Run run = TestModels.installer(home, "--mirror", TestModels.mirror().toString(),
                "--only", "silero-vad", "--only", "whisper-demo", "--only", "llm-demo", "--only", "chest-demo");
        assumeTrue(run.exit() == 0, "the demo models are not installable:\n" + run.output());
        try (Appliance a = TestAppliance.start(home, Map.of("mededge.engines.asr.model", "whisper-demo",
                "mededge.engines.asr.required", "true", "mededge.engines.llm.model", "llm-demo",
                "mededge.engines.llm.required", "true", "mededge.engines.vision.model", "chest-demo"))) {
            Http http = new Http(a.port());
            assertEquals(200, http.get("/health/ready").status(), http.get("/health/ready").body());
            Http.Response s = http.post("/v1/studies", "application/dicom", Files.readAllBytes(TestModels.repo().resolve(
                    "firmware-scripts/models/demo/chest-demo/samples/heldout-pneumothorax-left-effusion-right.dcm")));
            assertEquals(200, s.status(), s.body());
            String base = "/v1/radiology/reports/" + s.json().get("reportId").asText();
            byte[] wav = Files.readAllBytes(TestModels.repo().resolve("firmware-scripts/models/demo/heldout/heldout-en-1.wav"));
            Http.Response f = http.post(base + "/findings?language=en", "audio/wav", wav);
            assertEquals(200, f.status(), f.body());
            JsonNode r = f.json().get("reading");
            String heard = r.at("/dictation/text").asText();
            assertFalse(heard.isBlank(), f.body());
            assertEquals(heard, r.get("text").asText());
            assertEquals("whisper-demo", r.at("/dictation/model").asText());
            List<String> labels = new ArrayList<>();
            r.get("review").forEach(i -> labels.add(i.get("label").asText() + ":" + i.get("kind").asText()));
            assertTrue(labels.containsAll(List.of("effusion_right:AI_NOT_IN_REPORT", "pneumothorax_left:AI_NOT_IN_REPORT")), labels.toString());

            // typed findings to a drafted impression, several times (each a new version): the reading room's latency
            List<Long> ms = new ArrayList<>();
            for (int i = 0; i < 7; i++) {
                long t0 = System.nanoTime();
                Http.Response t = http.post(base + "/findings", "application/json",
                        "{\"text\":\"Right pleural effusion. Solid nodule in the right upper lobe, 7 mm.\",\"language\":\"en\"}"
                                .getBytes(java.nio.charset.StandardCharsets.UTF_8));
                ms.add((System.nanoTime() - t0) / 1_000_000);
                assertEquals(200, t.status(), t.body());
                assertFalse(t.json().at("/reading/impression/text").asText().isBlank(), t.body());
            }
            List<Long> sorted = ms.stream().sorted().toList();
            System.out.println("reading room: findings to drafted impression over HTTP, 7 calls: " + ms + " ms, p50 "
                    + sorted.get(3) + " ms, load " + java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        }
    }
}
