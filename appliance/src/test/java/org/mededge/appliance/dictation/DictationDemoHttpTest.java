package org.mededge.appliance.dictation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.Test;

import org.mededge.appliance.Appliance;
import org.mededge.appliance.Http;
import org.mededge.appliance.TestAppliance;
import org.mededge.appliance.TestModels;

/**
 * A dictation with the project's trained demo Whisper, end to end: Ogg/Opus upload, transcript,
 * and fusion's structured report of it. Switches on when the installer can install whisper-demo;
 * skips until then.
 */
class DictationDemoHttpTest {

    @Test
    void spokenNoteBecomesTranscriptAndReport() {
        Path home = TestModels.repo().resolve("appliance/target/test-home");
        TestModels.Run run = TestModels.installer(home, "--mirror", TestModels.mirror().toString(),
                "--only", "silero-vad", "--only", "whisper-demo");
        assumeTrue(run.exit() == 0, "whisper-demo is not installable yet:\n" + run.output());
        try (Appliance a = TestAppliance.start(home, Map.of("mededge.engines.asr.model", "whisper-demo"))) {
            Http.Response r = new Http(a.port()).post("/v1/dictations?language=en", "audio/ogg",
                    DictationHttpTest.clip("demo-en.ogg"));
            assertEquals(200, r.status(), r.body());
            JsonNode t = r.json().get("transcript");
            assertFalse(t.get("text").asText().isBlank(), r.body());
            assertEquals("whisper-demo", t.get("model").get("name").asText());
            assertFalse(r.json().get("report").isNull(), "fusion structured the transcript: " + r.body());
        }
    }
}
