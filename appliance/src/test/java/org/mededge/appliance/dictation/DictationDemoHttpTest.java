package org.mededge.appliance.dictation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.hl7.fhir.r4.model.Bundle;
import org.junit.jupiter.api.Test;

import org.mededge.appliance.Appliance;
import org.mededge.appliance.Http;
import org.mededge.appliance.TestAppliance;
import org.mededge.appliance.TestModels;
import org.mededge.fusion.fhir.BundleValidator;
import org.mededge.fusion.fhir.Fhir;

/**
 * The demo models end to end, over HTTP, on dictations they were never trained on: the committed
 * held-out clips of firmware-scripts/models/demo/heldout (espeak-ng, other sentence frames and other
 * values than the training corpus; expected.json holds what was said and what fusion must code)
 * go to {@code POST /v1/dictations} of an appliance serving whisper-demo and llm-demo. Checked: word
 * error rate (English) and character error rate (Chinese) at most 10 % over each language's clips,
 * an assessment that passed fusion's schema check and came through the specialty's LoRA adapter, and
 * a FHIR R4 bundle that the offline validator accepts for every clip. Vital signs and lab values: the
 * issue's target is every value exact in every report, and the demo Whisper (version 4) meets it on
 * these 8, so the test holds it. These 8 are the easy end: on 100 other fresh dictations built the
 * same way it finds 85 % of the values and all of them in 56 % of the dictations (demo/README.md).
 * Switches on when the installer can install whisper-demo and llm-demo from the catalog.
 */
class DictationDemoHttpTest {
    private static final ObjectMapper M = new ObjectMapper();

    @Test
    void heldOutDictationsBecomeTranscriptReportAssessmentAndValidFhir() throws IOException {
        Path home = TestModels.repo().resolve("appliance/target/test-home-demo");
        TestModels.Run run = TestModels.installer(home, "--mirror", TestModels.mirror().toString(),
                "--only", "silero-vad", "--only", "whisper-demo", "--only", "llm-demo");
        assumeTrue(run.exit() == 0, "the demo models are not installable:\n" + run.output());
        Path dir = TestModels.repo().resolve("firmware-scripts/models/demo/heldout");
        JsonNode expected = M.readTree(dir.resolve("expected.json").toFile());
        int[] errors = new int[2];
        int[] units = new int[2];
        int exactClips = 0;
        int clips = 0;
        List<String> valueMisses = new ArrayList<>();
        List<String> report = new ArrayList<>();
        try (Appliance a = TestAppliance.start(home, Map.of(
                "mededge.engines.asr.model", "whisper-demo",
                "mededge.engines.asr.required", "true",
                "mededge.engines.llm.model", "llm-demo",
                "mededge.engines.llm.required", "true",
                "mededge.engines.vision.enabled", "false"))) {
            Http http = new Http(a.port());
            assertEquals(200, http.get("/health/ready").status(), http.get("/health/ready").body());
            int i = 0;
            for (JsonNode e : expected) {
                String lang = e.get("language").asText();
                String specialty = i++ % 2 == 0 ? "respiratory" : "cardiology";
                Http.Response r = http.post("/v1/dictations?language=" + lang + "&specialty=" + specialty, "audio/wav",
                        Files.readAllBytes(dir.resolve(e.get("wav").asText())));
                assertEquals(200, r.status(), r.body());
                JsonNode body = r.json();
                String heard = body.at("/transcript/text").asText();
                boolean zh = "zh".equals(lang);
                List<String> ref = units(e.get("transcript").asText(), zh);
                int d = editDistance(ref, units(heard, zh));
                errors[zh ? 1 : 0] += d;
                units[zh ? 1 : 0] += ref.size();
                report.add(e.get("wav").asText() + ": " + d + "/" + ref.size() + " \"" + heard + "\"");

                TreeSet<String> want = values(e.get("vitals"));
                want.addAll(values(e.get("labs")));
                TreeSet<String> got = values(body.at("/report/vitals"));
                got.addAll(values(body.at("/report/labs")));
                clips++;
                boolean unplaced = false;
                for (JsonNode f : body.at("/report/flags")) {
                    unplaced |= "UNPLACED_VALUE".equals(f.path("code").asText());
                }
                if (want.equals(got)) {
                    exactClips++;
                    // a number the report does not hold is flagged; a report that holds every value has none
                    assertFalse(unplaced, e.get("wav") + ": no UNPLACED_VALUE when every value is in the report: " + r.body());
                } else {
                    valueMisses.add(e.get("wav").asText() + ": expected " + want + ", reported " + got + " from \"" + heard + "\""
                            + (unplaced ? " (flagged UNPLACED_VALUE)" : ""));
                }
                JsonNode assessment = body.at("/report/assessment");
                assertFalse(assessment.isMissingNode() || assessment.isNull(), "an assessment: " + r.body());
                assertEquals(specialty, assessment.get("adapter").asText(), r.body());
                assertNotNull(assessment.get("diagnosis"), r.body());

                String reportId = body.get("reportId").asText();
                Http.Response fhir = http.get("/v1/reports/" + reportId + "/fhir");
                assertEquals(200, fhir.status(), fhir.body());
                Bundle bundle = Fhir.context().newJsonParser().parseResource(Bundle.class, fhir.body());
                assertEquals(List.of(), BundleValidator.get().errors(bundle), e.get("wav") + ": the bundle validates");
            }
        }
        double wer = 100.0 * errors[0] / units[0];
        double cer = 100.0 * errors[1] / units[1];
        String summary = String.format("held-out dictations: en WER %.1f %%, zh CER %.1f %%, every value exact in %d of %d"
                + "%n%s%nvalue misses:%n%s", wer, cer, exactClips, clips, String.join("\n", report), String.join("\n", valueMisses));
        System.out.println(summary);
        assertTrue(units[0] > 0 && units[1] > 0, "clips in both languages");
        assertTrue(wer <= 10.0, summary);
        assertTrue(cer <= 10.0, summary);
        assertEquals(clips, exactClips, summary);
    }

    /** Words (lower case, punctuation and hyphens as spaces) or, for Chinese, characters without spaces and punctuation. */
    static List<String> units(String text, boolean chars) {
        String t = text.toLowerCase().replaceAll("[\\p{Punct}\\p{IsPunctuation}，。、；：！？]", " ").trim();
        if (chars) {
            return t.replaceAll("\\s+", "").codePoints().mapToObj(Character::toString).toList();
        }
        return t.isEmpty() ? List.of() : List.of(t.split("\\s+"));
    }

    /** Levenshtein distance between two sequences: substitutions, insertions and deletions. */
    static int editDistance(List<String> a, List<String> b) {
        int[] prev = new int[b.size() + 1];
        int[] cur = new int[b.size() + 1];
        for (int j = 0; j <= b.size(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.size(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.size(); j++) {
                int sub = prev[j - 1] + (a.get(i - 1).equals(b.get(j - 1)) ? 0 : 1);
                cur[j] = Math.min(sub, Math.min(prev[j], cur[j - 1]) + 1);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.size()];
    }

    /** Coded values as "code value unit" strings, the value without trailing zeros. */
    static TreeSet<String> values(JsonNode list) {
        TreeSet<String> out = new TreeSet<>();
        for (JsonNode v : list) {
            out.add(v.get("code").asText() + " " + new BigDecimal(v.get("value").asText()).stripTrailingZeros().toPlainString()
                    + " " + v.get("unit").asText());
        }
        return out;
    }
}
