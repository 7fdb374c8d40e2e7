package org.mededge.llm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.mededge.llm.ort.OrtTextGenerator;
import org.mededge.llm.text.HfTokenizer;

/**
 * The project's demo decoder (catalog {@code llm-demo}: firmware-scripts/models/demo/llm-demo, trained by
 * firmware-scripts/models/demo/llm/train_llm.py), installed by the real installer and run by the real
 * engine: its tokenizer gives exactly the ids the trainer trained on (the golden sample
 * firmware-scripts/models/demo/llm/golden-prompts.jsonl, one prompt per note frame), its three
 * adapters load, and every golden prompt gives, under the assessment schema, a valid answer. Skipped
 * where the demo model has not been built.
 */
class DemoModelTest {
    static final String NAME = "llm-demo";
    private static final ObjectMapper M = new ObjectMapper();
    private static OrtTextGenerator engine;
    private static LlmModel model;
    private static List<JsonNode> golden;

    static Path demoDir() {
        return TinyModels.repo().resolve("firmware-scripts/models/demo");
    }

    /** Installs llm-demo with the project's installer (files from the repository) into llm/target/test-home. */
    static LlmModel install() {
        Path home = TinyModels.repo().resolve("llm/target/test-home");
        List<String> cmd = List.of("bash", TinyModels.repo().resolve("firmware-scripts/install-models.sh").toString(),
                "--home", home.toString(), "--only", NAME);
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(2, TimeUnit.MINUTES) || p.exitValue() != 0) {
                throw new IllegalStateException("installing " + NAME + " failed:\n" + out);
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        return TinyModels.installed(home, NAME);
    }

    @BeforeAll
    static void load() throws IOException {
        assumeTrue(Files.isRegularFile(demoDir().resolve("llm-demo/model.onnx")),
                "the demo decoder is not built (firmware-scripts/models/train-demo.sh --only llm)");
        model = install();
        engine = OrtTextGenerator.load(model, LlmConfig.DEFAULTS);
        golden = new ArrayList<>();
        for (String line : Files.readAllLines(demoDir().resolve("llm/golden-prompts.jsonl"), StandardCharsets.UTF_8)) {
            if (!line.isBlank()) {
                golden.add(M.readTree(line));
            }
        }
    }

    @AfterAll
    static void close() {
        if (engine != null) {
            engine.close();
        }
    }

    private static int[] ints(JsonNode a) {
        int[] out = new int[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = a.get(i).asInt();
        }
        return out;
    }

    @Test
    void theEnginesTokenizerAndChatTemplateGiveTheIdsTheModelWasTrainedOn() {
        try (HfTokenizer tokenizer = HfTokenizer.open(model.dir().resolve("tokenizer.json"))) {
            for (JsonNode g : golden) {
                String id = g.get("id").asText();
                assertArrayEquals(ints(g.get("promptIds")), engine.promptIds(g.get("system").asText(), g.get("user").asText()),
                        id + ": prompt ids");
                assertArrayEquals(ints(g.get("answerIds")), tokenizer.encode(g.get("answer").asText()), id + ": answer ids");
            }
        }
    }

    @Test
    void everyAdapterLoads() {
        Map<String, AdapterInfo> byName = new TreeMap<>();
        engine.adapterInfo().forEach(a -> byName.put(a.name(), a));
        assertEquals(List.of("cardiology", "radiology", "respiratory"), List.copyOf(byName.keySet()));
        for (AdapterInfo a : byName.values()) {
            assertTrue(a.loaded(), a.name() + ": " + a.detail());
            assertEquals("mededge-llm-demo-1", a.baseModel());
        }
    }

    @Test
    void everyGoldenPromptGivesAValidAssessmentThroughOnnxRuntime() throws IOException {
        int right = 0;
        List<String> report = new ArrayList<>();
        for (JsonNode g : golden) {
            String adapter = g.get("adapter").isNull() ? null : g.get("adapter").asText();
            GenerationRequest req = new GenerationRequest(g.get("system").asText(), g.get("user").asText(),
                    adapter == null ? null : new AdapterRef(adapter), g.get("schema").asText(), 256, Sampling.GREEDY,
                    List.of(), Duration.ofSeconds(60), null);
            Generation out = engine.generate(req);
            assertEquals(FinishReason.STOP, out.finishReason(), g.get("id").asText() + ": " + out.text());
            assertEquals(adapter, out.adapter());
            JsonNode a = M.readTree(out.text());
            JsonNode schema = M.readTree(g.get("schema").asText());
            List<String> candidates = new ArrayList<>();
            schema.at("/properties/diagnosis/enum").forEach(c -> candidates.add(c.asText()));
            assertTrue(candidates.contains(a.get("diagnosis").asText()), out.text());
            double c = a.get("confidence").asDouble();
            assertTrue(c >= 0 && c <= 1, out.text());
            assertTrue(!a.get("reason").asText().isBlank() && a.get("reason").asText().length() <= 400, out.text());
            boolean ok = a.get("diagnosis").asText().equals(g.get("dx").asText());
            right += ok ? 1 : 0;
            report.add(g.get("id").asText() + " " + g.get("frame").asText() + (ok ? " ok   " : " MISS ") + out.text());
        }
        System.out.println("llm-demo golden sample through ONNX Runtime: " + right + "/" + golden.size() + " diagnoses right\n"
                + String.join("\n", report));
        assertTrue(right * 2 > golden.size(), "the demo model gets most golden diagnoses right: " + right + "/" + golden.size());
    }
}
