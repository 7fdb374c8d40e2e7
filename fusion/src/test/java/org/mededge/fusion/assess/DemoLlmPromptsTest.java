package org.mededge.fusion.assess;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.junit.jupiter.api.Test;

import org.mededge.fusion.FusionConfig;
import org.mededge.fusion.NoteRequest;
import org.mededge.fusion.ReportAssembler;
import org.mededge.llm.Generation;
import org.mededge.llm.GenerationRequest;
import org.mededge.llm.TextGenerator;

/**
 * The contract between fusion and the project's demo language model (firmware-scripts/models/demo/llm):
 * the demo model is trained on prompts its Python generator writes by replicating {@link PromptBuilder}
 * over findings it knows; this test proves, on the committed golden sample (one note per template,
 * language and specialty, training and held-out), that the real pipeline (extraction → plausibility →
 * {@link PromptBuilder}) builds exactly those prompts.
 *
 * <p>With {@code -Dmededge.demo.prompts.in=notes.jsonl -Dmededge.demo.prompts.out=prompts.jsonl} it
 * also writes the prompts the real pipeline builds for any notes (id, text, language, specialty per line),
 * which is how the golden sample and the Python replication were checked.
 */
class DemoLlmPromptsTest {
    private static final ObjectMapper M = new ObjectMapper();
    private static final List<String> LOADED = List.of("respiratory", "cardiology");

    static Path repo() {
        String r = System.getenv("MEDEDGE_REPO");
        return r != null ? Path.of(r) : Path.of("..").toAbsolutePath().normalize();
    }

    /** Captures the request fusion sends to the language model, then fails the generation. */
    static final class Capture implements TextGenerator {
        GenerationRequest last;

        @Override
        public Generation generate(GenerationRequest request) {
            last = request;
            throw new IllegalStateException("captured");
        }

        @Override
        public List<String> adapters() {
            return LOADED;
        }

        @Override
        public void close() {
        }
    }

    static GenerationRequest promptFor(ReportAssembler assembler, JsonNode note) {
        Capture c = new Capture();
        assembler.structure(new NoteRequest(note.get("text").asText(), text(note, "language"), text(note, "specialty")),
                Optional.of(c));
        if (c.last == null) {
            throw new IllegalStateException("no prompt was built for " + note.get("id"));
        }
        return c.last;
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    static List<JsonNode> readJsonl(Path file) throws IOException {
        List<JsonNode> out = new ArrayList<>();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            if (!line.isBlank()) {
                out.add(M.readTree(line));
            }
        }
        return out;
    }

    @Test
    void theDemoModelWasTrainedOnThePromptsFusionBuilds() throws IOException {
        Path golden = repo().resolve("firmware-scripts/models/demo/llm/golden-prompts.jsonl");
        assumeTrue(Files.isRegularFile(golden), "no demo LLM golden prompts at " + golden);
        ReportAssembler assembler = new ReportAssembler(FusionConfig.defaults());
        List<JsonNode> notes = readJsonl(golden);
        assertTrue(notes.size() >= 20, "golden sample too small");
        List<String> problems = new ArrayList<>();
        for (JsonNode n : notes) {
            GenerationRequest r = promptFor(assembler, n);
            String id = n.get("id").asText();
            if (!n.get("system").asText().equals(r.system())) {
                problems.add(id + ": system text differs");
            }
            if (!n.get("user").asText().equals(r.user())) {
                problems.add(id + ": user text differs\n--- python\n" + n.get("user").asText() + "\n--- java\n" + r.user());
            }
            String adapter = r.adapter() == null ? null : r.adapter().name();
            String want = text(n, "adapter");
            if (want == null ? adapter != null : !want.equals(adapter)) {
                problems.add(id + ": adapter " + adapter + ", expected " + want);
            }
            if (!AssessmentSchema.forSpecialty(text(n, "specialty")).equals(r.jsonSchema())) {
                problems.add(id + ": the request's schema is not the specialty's");
            }
            if (n.has("schema") && !n.get("schema").asText().equals(r.jsonSchema())) {
                problems.add(id + ": schema differs from the trainer's");
            }
        }
        assertEquals(List.of(), problems, problems.size() + " of " + notes.size() + " golden prompts differ");
    }

    @Test
    void writePromptsForNotes() throws IOException {
        String in = System.getProperty("mededge.demo.prompts.in");
        String out = System.getProperty("mededge.demo.prompts.out");
        assumeTrue(in != null && out != null, "set mededge.demo.prompts.in and .out to write prompts");
        ReportAssembler assembler = new ReportAssembler(FusionConfig.defaults());
        try (BufferedWriter w = Files.newBufferedWriter(Path.of(out), StandardCharsets.UTF_8)) {
            for (JsonNode n : readJsonl(Path.of(in))) {
                GenerationRequest r = promptFor(assembler, n);
                ObjectNode o = M.createObjectNode();
                o.set("id", n.get("id"));
                o.put("system", r.system());
                o.put("user", r.user());
                o.put("adapter", r.adapter() == null ? null : r.adapter().name());
                w.write(M.writeValueAsString(o));
                w.write('\n');
            }
        }
    }
}
