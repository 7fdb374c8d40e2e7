package org.mededge.appliance.dictation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

import org.mededge.appliance.Appliance;
import org.mededge.appliance.Http;
import org.mededge.appliance.TestAppliance;
import org.mededge.appliance.TestModels;

/**
 * Evaluation, not a test (runs only with -Ddevset=DIR): the dev dictations that
 * firmware-scripts/models/demo/make_dev.py writes (100 clips like the end-to-end test's 8, never trained
 * on) through {@code POST /v1/dictations} of an appliance serving the installed whisper-demo, exactly as
 * {@link DictationDemoHttpTest} runs its 8. Prints en WER, zh CER, the share of vitals and labs reported
 * exactly, the dictations with every value exact, and each miss. This is what chooses a demo model
 * (with the 295-clip held-out set); the 8 test clips never do.
 *
 * <pre>firmware-scripts/models/demo/make_dev.py firmware-scripts/models/demo/build/data firmware-scripts/models/demo/build/dev
 * mvn -o -pl appliance -am test -Dtest=DictationDevEvaluation -Ddevset=$PWD/firmware-scripts/models/demo/build/dev \
 *     -Dsurefire.failIfNoSpecifiedTests=false   # -Ddevset.language=auto to let the model detect it,
 *                                              # -Ddevset.fallback=false for greedy decoding only,
 *                                              # -Ddevset.beam=5 for beam search</pre>
 */
@Tag("benchmark")
@EnabledIfSystemProperty(named = "devset", matches = ".+")
class DictationDevEvaluation {
    private static final ObjectMapper M = new ObjectMapper();

    @Test
    void devDictations() throws Exception {
        Path dir = Path.of(System.getProperty("devset"));
        String language = System.getProperty("devset.language", "given");
        Path home = TestModels.repo().resolve("appliance/target/test-home-demo");
        assertEquals(0, TestModels.installer(home, "--mirror", TestModels.mirror().toString(),
                "--only", "silero-vad", "--only", "whisper-demo").exit(), "whisper-demo installs");
        JsonNode expected = M.readTree(dir.resolve("expected.json").toFile());
        int[] errors = new int[2];
        int[] units = new int[2];
        int[] clips = new int[2];
        int[] exactClips = new int[2];
        int[] values = new int[2];
        int[] found = new int[2];
        int[] extra = new int[2];
        List<String> misses = new ArrayList<>();
        List<String> lowConfidence = new ArrayList<>();
        int[] unplaced = new int[2]; // reports with an UNPLACED_VALUE flag: [every value exact, a value wrong or missing]
        int[] warned = new int[2];   // ... with any flag that says "check the values": UNPLACED_VALUE, IMPLAUSIBLE_VALUE, LOW_ASR_CONFIDENCE
        try (Appliance a = TestAppliance.start(home, Map.of(
                "mededge.engines.asr.model", "whisper-demo",
                "mededge.engines.asr.required", "true",
                "mededge.asr.temperature-fallback", System.getProperty("devset.fallback", "true"),
                "mededge.asr.beam-size", System.getProperty("devset.beam", "1"),
                "mededge.engines.llm.enabled", "false",
                "mededge.engines.vision.enabled", "false"))) {
            Http http = new Http(a.port());
            for (JsonNode e : expected) {
                String lang = e.get("language").asText();
                int l = "zh".equals(lang) ? 1 : 0;
                Http.Response r = http.post("/v1/dictations?language=" + ("auto".equals(language) ? "auto" : lang),
                        "audio/wav", Files.readAllBytes(dir.resolve(e.get("wav").asText())));
                assertEquals(200, r.status(), r.body());
                JsonNode body = r.json();
                String heard = body.at("/transcript/text").asText();
                List<String> ref = DictationDemoHttpTest.units(e.get("transcript").asText(), l == 1);
                errors[l] += DictationDemoHttpTest.editDistance(ref, DictationDemoHttpTest.units(heard, l == 1));
                units[l] += ref.size();
                TreeSet<String> want = DictationDemoHttpTest.values(e.get("vitals"));
                want.addAll(DictationDemoHttpTest.values(e.get("labs")));
                TreeSet<String> got = DictationDemoHttpTest.values(body.at("/report/vitals"));
                got.addAll(DictationDemoHttpTest.values(body.at("/report/labs")));
                got.addAll(DictationDemoHttpTest.values(body.at("/report/earlier"))); // stated, and kept as history
                TreeSet<String> right = new TreeSet<>(want);
                right.retainAll(got);
                clips[l]++;
                boolean unsure = false;
                for (JsonNode seg : body.at("/transcript/segments")) {
                    unsure |= seg.path("lowConfidence").asBoolean(false);
                }
                if (unsure) {
                    lowConfidence.add(e.get("wav").asText() + (want.equals(got) ? " (values exact)" : " (values wrong)"));
                }
                boolean flagged = false;
                boolean warning = false;
                for (JsonNode f : body.at("/report/flags")) {
                    String code = f.path("code").asText();
                    flagged |= "UNPLACED_VALUE".equals(code);
                    warning |= "UNPLACED_VALUE".equals(code) || "IMPLAUSIBLE_VALUE".equals(code) || "LOW_ASR_CONFIDENCE".equals(code);
                }
                unplaced[want.equals(got) ? 0 : 1] += flagged ? 1 : 0;
                warned[want.equals(got) ? 0 : 1] += warning ? 1 : 0;
                values[l] += want.size();
                found[l] += right.size();
                extra[l] += got.size() - right.size();
                if (want.equals(got)) {
                    exactClips[l]++;
                } else {
                    misses.add(e.get("wav").asText() + ": expected " + want + ", reported " + got
                            + "\n    said  \"" + e.get("transcript").asText() + "\"\n    heard \"" + heard + "\"");
                }
            }
        }
        String summary = String.format("dev dictations (%s language): en WER %.1f %% over %d clips, zh CER %.1f %% over %d clips; "
                        + "values reported exactly: en %d of %d, zh %d of %d (%.1f %%), %d wrong or extra values; "
                        + "every value exact: en %d, zh %d dictations; a segment marked low-confidence in %d: %s; "
                        + "UNPLACED_VALUE on %d dictations with every value exact and on %d of the %d with a value wrong or missing; "
                        + "any value warning (UNPLACED_VALUE, IMPLAUSIBLE_VALUE, LOW_ASR_CONFIDENCE) on %d and %d%nmisses:%n%s",
                language, 100.0 * errors[0] / Math.max(1, units[0]), clips[0], 100.0 * errors[1] / Math.max(1, units[1]), clips[1],
                found[0], values[0], found[1], values[1], 100.0 * (found[0] + found[1]) / Math.max(1, values[0] + values[1]),
                extra[0] + extra[1], exactClips[0], exactClips[1], lowConfidence.size(), lowConfidence, unplaced[0], unplaced[1],
                clips[0] + clips[1] - exactClips[0] - exactClips[1], warned[0], warned[1], String.join("\n", misses));
        System.out.println(summary);
        assertTrue(clips[0] + clips[1] > 0, "dictations in " + dir);
    }
}
