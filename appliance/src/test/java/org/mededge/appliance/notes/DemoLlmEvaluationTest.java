package org.mededge.appliance.notes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.mededge.appliance.Appliance;
import org.mededge.appliance.Http;
import org.mededge.appliance.TestAppliance;
import org.mededge.appliance.TestModels;
import org.mededge.appliance.models.InstalledModel;
import org.mededge.appliance.models.ModelRegistry;
import org.mededge.fusion.FusionConfig;
import org.mededge.fusion.NoteRequest;
import org.mededge.fusion.ReportAssembler;
import org.mededge.fusion.StructuredReport;
import org.mededge.llm.Generation;
import org.mededge.llm.GenerationRequest;
import org.mededge.llm.LlmConfig;
import org.mededge.llm.LlmModel;
import org.mededge.llm.TextGenerator;
import org.mededge.llm.ort.OrtTextGenerator;

/**
 * Held-out accuracy of the project's demo language model (catalog {@code llm-demo}) through the real
 * pipeline: every held-out note of firmware-scripts/models/demo/llm/heldout-notes.jsonl (sentence
 * frames and values never trained on) goes through fusion (extraction, plausibility, PromptBuilder)
 * and the llm engine on ONNX Runtime (int8 decoder, per-request LoRA adapter, JSON-schema-constrained
 * greedy decoding), once with the specialty's adapter and once with the base model alone. An answer
 * counts as valid when fusion's AssessmentParser accepts it; its diagnosis is compared with the label
 * the generator's rules gave the case. "common" diagnoses are those the base model's corpus holds,
 * "specialist" ones only the specialty adapter was trained on (cases.COMMON in the trainer). Results go
 * to appliance/target/llm-demo-eval.json. A second
 * test posts a held-out note to POST /v1/notes of an appliance serving llm-demo.
 *
 * <p>{@code -Dmededge.demo.eval.limit=N} evaluates only the first N notes per specialty and language.
 */
class DemoLlmEvaluationTest {
    private static final ObjectMapper M = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static Path home;
    private static OrtTextGenerator engine;
    private static List<JsonNode> notes;

    static Path demo() {
        return TestModels.repo().resolve("firmware-scripts/models/demo");
    }

    @BeforeAll
    static void load() throws IOException {
        assumeTrue(Files.isRegularFile(demo().resolve("llm-demo/model.onnx")),
                "the demo decoder is not built (firmware-scripts/models/train-demo.sh --only llm)");
        home = TestModels.sharedHome("silero-vad", "llm-demo");
        InstalledModel m = ModelRegistry.scan(home.resolve("models")).resolve("llm-demo", null).model().orElseThrow();
        engine = OrtTextGenerator.load(LlmModel.from(m.name(), m.version(), m.dir(), m.spec()), LlmConfig.DEFAULTS);
        int limit = Integer.getInteger("mededge.demo.eval.limit", Integer.MAX_VALUE);
        Map<String, Integer> seen = new LinkedHashMap<>();
        notes = new ArrayList<>();
        for (String line : Files.readAllLines(demo().resolve("llm/heldout-notes.jsonl"), StandardCharsets.UTF_8)) {
            if (line.isBlank()) {
                continue;
            }
            JsonNode n = M.readTree(line);
            String key = n.get("specialty").asText() + "/" + n.get("language").asText();
            if (seen.merge(key, 1, Integer::sum) <= limit) {
                notes.add(n);
            }
        }
    }

    @AfterAll
    static void close() {
        if (engine != null) {
            engine.close();
        }
    }

    /** The engine as fusion sees it, with no adapters loaded: PromptBuilder then asks for the base model. */
    private record BaseOnly(TextGenerator g) implements TextGenerator {
        @Override
        public Generation generate(GenerationRequest request) {
            return g.generate(request);
        }

        @Override
        public List<String> adapters() {
            return List.of();
        }

        @Override
        public void close() {
        }
    }

    /** Counts per specialty and mode. */
    private static final class Tally {
        int n;
        int valid;
        int right;
        int ungrounded;
        long ms;
        final Map<String, int[]> byLanguage = new LinkedHashMap<>();
        final Map<String, int[]> byGroup = new LinkedHashMap<>();
        final Map<String, int[]> byFrame = new LinkedHashMap<>();

        Map<String, Object> json() {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("notes", n);
            o.put("validJson", round((double) valid / n));
            o.put("reasonCitesAbsentFindings", round((double) ungrounded / n));
            o.put("diagnosisAccuracy", round((double) right / n));
            o.put("meanMsPerNote", n == 0 ? 0 : ms / n);
            Map<String, Object> l = new LinkedHashMap<>();
            byLanguage.forEach((k, v) -> l.put(k, round((double) v[0] / v[1])));
            o.put("accuracyByLanguage", l);
            Map<String, Object> gr = new LinkedHashMap<>();
            byGroup.forEach((k, v) -> gr.put(k, round((double) v[0] / v[1]) + " of " + v[1]));
            o.put("accuracyByGroup", gr);
            Map<String, Object> f = new LinkedHashMap<>();
            byFrame.forEach((k, v) -> f.put(k, round((double) v[0] / v[1])));
            o.put("accuracyByFrame", f);
            return o;
        }
    }

    private static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }

    @Test
    void heldOutAccuracyPerSpecialtyBaseVersusAdapterThroughOnnxRuntime() throws IOException {
        ReportAssembler assembler = new ReportAssembler(FusionConfig.defaults());
        Map<String, Tally> tallies = new LinkedHashMap<>();
        List<String> misses = new ArrayList<>();
        List<String> ungroundedExamples = new ArrayList<>();
        for (JsonNode n : notes) {
            String sp = n.get("specialty").asText();
            List<String> modes = "general".equals(sp) ? List.of("base") : List.of("base", "adapter");
            for (String mode : modes) {
                TextGenerator g = "adapter".equals(mode) ? engine : new BaseOnly(engine);
                long t0 = System.nanoTime();
                StructuredReport r = assembler.structure(new NoteRequest(n.get("text").asText(), n.get("language").asText(), sp),
                        Optional.of(g));
                long ms = (System.nanoTime() - t0) / 1_000_000;
                Tally t = tallies.computeIfAbsent(sp + "/" + mode, k -> new Tally());
                boolean valid = r.assessment() != null;
                boolean right = valid && r.assessment().diagnosis().equals(n.get("dx").asText());
                if (valid) {
                    assertEquals("adapter".equals(mode) ? sp : null, r.assessment().adapter(), n.get("id").asText());
                }
                t.n++;
                t.valid += valid ? 1 : 0;
                Optional<String> ungrounded = r.flags().stream().filter(f -> "assessment.reason".equals(f.field()))
                        .map(f -> f.message()).findFirst();
                t.ungrounded += ungrounded.isPresent() ? 1 : 0;
                if (ungrounded.isPresent() && ungroundedExamples.size() < 12) {
                    ungroundedExamples.add(n.get("id").asText() + " " + mode + ": \"" + r.assessment().reason() + "\" -> "
                            + ungrounded.get());
                }
                t.right += right ? 1 : 0;
                t.ms += ms;
                int[] l = t.byLanguage.computeIfAbsent(n.get("language").asText(), k -> new int[2]);
                l[0] += right ? 1 : 0;
                l[1]++;
                int[] gr = t.byGroup.computeIfAbsent(n.get("group").asText(), k -> new int[2]);
                gr[0] += right ? 1 : 0;
                gr[1]++;
                int[] f = t.byFrame.computeIfAbsent(n.get("frame").asText(), k -> new int[2]);
                f[0] += right ? 1 : 0;
                f[1]++;
                if (!right && !"base".equals(mode) || !right && "general".equals(sp)) {
                    misses.add(n.get("id").asText() + " " + mode + ": expected " + n.get("dx").asText() + ", got "
                            + (valid ? r.assessment().diagnosis() : "no assessment"));
                }
            }
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("model", "llm-demo");
        out.put("engine", "onnxruntime int8, JSON-schema-constrained greedy decoding, prompts built by fusion");
        out.put("heldout", "firmware-scripts/models/demo/llm/heldout-notes.jsonl");
        Map<String, Object> results = new LinkedHashMap<>();
        tallies.forEach((k, v) -> results.put(k, v.json()));
        out.put("results", results);
        out.put("misses", misses);
        out.put("reasonCitesAbsentFindingsExamples", ungroundedExamples);
        Path report = TestModels.repo().resolve("appliance/target/llm-demo-eval.json");
        Files.createDirectories(report.getParent());
        M.writeValue(report.toFile(), out);
        System.out.println("llm-demo held-out evaluation (" + report + "):\n" + M.writeValueAsString(results));

        for (Map.Entry<String, Tally> e : tallies.entrySet()) {
            assertEquals(e.getValue().n, e.getValue().valid, e.getKey() + ": every answer is a valid assessment");
        }
        for (String sp : List.of("respiratory", "cardiology")) {
            Tally base = tallies.get(sp + "/base");
            Tally adapter = tallies.get(sp + "/adapter");
            assertTrue(adapter.right > base.right, sp + ": the adapter beats the base model (" + adapter.right + " vs "
                    + base.right + " of " + base.n + ")");
        }
    }

    @Test
    void aHeldOutNotePostedToTheApplianceIsAssessedThroughItsSpecialtyAdapter() {
        JsonNode note = notes.stream().filter(n -> n.get("specialty").asText().equals("cardiology")
                && n.get("language").asText().equals("en")).findFirst().orElseThrow();
        Appliance appliance = TestAppliance.start(home, Map.of(
                "mededge.engines.llm.model", "llm-demo",
                "mededge.engines.llm.required", "true",
                "mededge.engines.asr.enabled", "false",
                "mededge.engines.vision.enabled", "false"));
        try {
            Http http = new Http(appliance.port());
            Map<String, String> body = Map.of("text", note.get("text").asText(), "language", "en", "specialty", "cardiology");
            Http.Response r = http.post("/v1/notes", "application/json", M.writeValueAsBytes(body));
            assertEquals(200, r.status(), r.body());
            JsonNode a = r.json().at("/report/assessment");
            assertNotNull(a, r.body());
            assertEquals("cardiology", a.get("adapter").asText(), r.body());
            System.out.println("POST /v1/notes with llm-demo: " + a);
            JsonNode adapters = http.get("/v1/adapters").json();
            assertEquals(3, adapters.get("adapters").size(), adapters.toString());
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        } finally {
            appliance.close();
        }
    }
}
