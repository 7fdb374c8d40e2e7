package org.mededge.llm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.mededge.llm.decode.JsonGrammar;
import org.mededge.llm.decode.JsonSchema;
import org.mededge.llm.decode.SchemaConstraint;
import org.mededge.llm.decode.TokenIndex;
import org.mededge.llm.text.Vocabulary;
import org.mededge.llm.ort.OrtTextGenerator;

/**
 * JSON-schema-constrained decoding: with random weights, every generation for the assessment
 * schema parses and validates (checked here by hand, independently of the engine's grammar).
 */
class JsonSchemaTest {
    static final List<String> CANDIDATES = List.of("community-acquired pneumonia", "acute bronchitis", "pulmonary embolism",
            "heart failure", "asthma", "肺炎");
    static final String ASSESSMENT = """
            {"type": "object",
             "properties": {
               "diagnosis": {"type": "string", "enum": ["community-acquired pneumonia", "acute bronchitis",
                             "pulmonary embolism", "heart failure", "asthma", "肺炎"]},
               "confidence": {"type": "number", "minimum": 0, "maximum": 1},
               "reason": {"type": "string", "maxLength": 160},
               "differential": {"type": "array", "maxItems": 3, "items": {"type": "string", "enum": ["community-acquired pneumonia",
                                "acute bronchitis", "pulmonary embolism", "heart failure", "asthma", "肺炎"]}},
               "ruleOut": {"type": "array", "maxItems": 3, "items": {"type": "string", "maxLength": 40}}
             },
             "required": ["diagnosis", "confidence", "reason", "differential", "ruleOut"],
             "additionalProperties": false}
            """;
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static OrtTextGenerator engine;

    @BeforeAll
    static void load() {
        engine = TinyModels.load(TinyModels.FP32);
    }

    @AfterAll
    static void close() {
        engine.close();
    }

    /** The assessment's rules, checked without the engine's schema code. */
    static void assertValidAssessment(String text) throws Exception {
        JsonNode n = MAPPER.readTree(text);
        assertTrue(n.isObject(), text);
        Set<String> names = new HashSet<>();
        n.fieldNames().forEachRemaining(names::add);
        assertEquals(Set.of("diagnosis", "confidence", "reason", "differential", "ruleOut"), names, text);
        assertTrue(n.get("diagnosis").isTextual() && CANDIDATES.contains(n.get("diagnosis").asText()), text);
        assertTrue(n.get("confidence").isNumber(), text);
        double c = n.get("confidence").asDouble();
        assertTrue(c >= 0 && c <= 1, text);
        assertTrue(n.get("reason").isTextual() && n.get("reason").asText().codePointCount(0, n.get("reason").asText().length()) <= 160, text);
        assertTrue(n.get("differential").isArray() && n.get("differential").size() <= 3, text);
        for (JsonNode d : n.get("differential")) {
            assertTrue(d.isTextual() && CANDIDATES.contains(d.asText()), text);
        }
        assertTrue(n.get("ruleOut").isArray() && n.get("ruleOut").size() <= 3, text);
        for (JsonNode r : n.get("ruleOut")) {
            assertTrue(r.isTextual() && r.asText().codePointCount(0, r.asText().length()) <= 40, text);
        }
    }

    private static GenerationRequest assessment(int max) {
        return GenerationRequest.of("Answer with the assessment as JSON.", "Cough, fever 38.9, right lower lobe consolidation.", max)
                .withSchema(ASSESSMENT);
    }

    @Test
    void twoHundredRandomWeightGenerationsAllParseAndValidate() throws Exception {
        Set<String> diagnoses = new HashSet<>();
        String[] adapters = {null, "respiratory", "cardiology"};
        for (int i = 0; i < 200; i++) {
            Sampling s = i % 10 == 0 ? Sampling.GREEDY : new Sampling(1.0 + (i % 3) * 0.5, 0.95, 0, 1.0, i);
            String adapter = adapters[i % 3];
            Generation g = engine.generate(assessment(90 + (i % 7) * 30).withSampling(s)
                    .withAdapter(adapter == null ? null : new AdapterRef(adapter)));
            assertEquals(FinishReason.STOP, g.finishReason(), "generation " + i + " ends with a complete value: " + g.text());
            assertTrue(g.generatedTokens() <= 90 + (i % 7) * 30);
            assertValidAssessment(g.text());
            diagnoses.add(MAPPER.readTree(g.text()).get("diagnosis").asText());
        }
        assertTrue(diagnoses.size() >= 3, "sampling explores the enum: " + diagnoses);
    }

    @Test
    void quantizedModelsAreConstrainedToo() throws Exception {
        for (String name : new String[] {TinyModels.INT8, TinyModels.INT4}) {
            try (OrtTextGenerator g = TinyModels.load(name)) {
                for (int i = 0; i < 10; i++) {
                    Generation r = g.generate(assessment(90).withSampling(new Sampling(1.2, 1, 0, 1, i)));
                    assertEquals(FinishReason.STOP, r.finishReason());
                    assertValidAssessment(r.text());
                }
            }
        }
    }

    @Test
    void tightBudgetsStillCloseTheValue() throws Exception {
        // the shortest valid assessment is about 80 bytes; budgets just above it force the model to close early
        for (int max = 76; max <= 90; max++) {
            try {
                Generation g = engine.generate(assessment(max).withSampling(new Sampling(1.5, 1, 0, 1, max)));
                assertValidAssessment(g.text());
                assertTrue(g.generatedTokens() <= max);
            } catch (LlmException e) {
                assertEquals(LlmError.LLM_INVALID_REQUEST, e.error());
                assertTrue(e.getMessage().contains("too small for the JSON schema"), e.getMessage());
            }
        }
        LlmException e = assertThrows(LlmException.class, () -> engine.generate(assessment(10)));
        assertTrue(e.getMessage().contains("too small"), e.getMessage());
    }

    @Test
    void unsupportedSchemasAreRefusedByName() {
        String[][] cases = {
            {"{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"string\",\"pattern\":\"^x\"}}}", "'pattern'"},
            {"{\"type\":\"object\",\"properties\":{\"a\":{\"anyOf\":[]}}}", "'anyOf'"},
            {"{\"type\":\"string\"}", "root must be an object or an array"},
            {"{\"type\":\"object\",\"required\":[\"b\"],\"properties\":{\"a\":{\"type\":\"string\"}}}", "'b'"},
            {"{\"type\":\"object\",\"properties\":{\"x\":{\"type\":\"number\",\"minimum\":2,\"maximum\":1}}}", "no number"},
            {"not json", "not valid JSON"},
        };
        for (String[] c : cases) {
            LlmException e = assertThrows(LlmException.class, () -> engine.generate(
                    GenerationRequest.of(null, "x", 50).withSchema(c[0])), c[0]);
            assertEquals(LlmError.LLM_INVALID_REQUEST, e.error());
            assertTrue(e.getMessage().contains(c[1]), e.getMessage());
        }
        LlmException both = assertThrows(LlmException.class,
                () -> engine.generate(assessment(100).withStop(List.of("}"))));
        assertTrue(both.getMessage().contains("stop strings cannot be combined"), both.getMessage());
    }

    // ---- the grammar itself, byte by byte ----

    private static JsonGrammar.State feed(JsonSchema s, String text) {
        return JsonGrammar.start(s).advance(text.getBytes(StandardCharsets.UTF_8));
    }

    private static boolean accepts(String schema, String text) {
        JsonGrammar.State st = feed(JsonSchema.compile(schema), text);
        return st != null && st.done();
    }

    @Test
    void grammarAcceptsExactlyTheValidCompactDocuments() {
        JsonSchema s = JsonSchema.compile(ASSESSMENT);
        String ok = "{\"diagnosis\":\"肺炎\",\"confidence\":0.82,\"reason\":\"fever \\\"and\\\" cough\",\"differential\":[\"asthma\"],"
                + "\"ruleOut\":[]}";
        assertTrue(feed(s, ok).done());
        assertNull(feed(s, ok.replace("0.82", "1.5")), "confidence above the maximum");
        assertNull(feed(s, ok.replace("0.82", "-0.1")), "confidence below the minimum");
        assertNull(feed(s, ok.replace("肺炎", "flu")), "diagnosis outside the enum");
        assertNull(feed(s, ok.replace("\"confidence\":0.82,", "")), "a required property is missing");
        assertNull(feed(s, ok.replace("{\"diagnosis\"", "{\"extra\":1,\"diagnosis\"")), "no additional properties");
        assertNull(feed(s, ok.replace("[\"asthma\"]", "[\"asthma\",\"asthma\",\"asthma\",\"asthma\"]")), "maxItems");
        assertNull(feed(s, ok.replace("fever", "fe\nver")), "raw control characters are not JSON");
        assertNull(feed(s, ok + " "), "nothing after the value");
        JsonGrammar.State inReason = feed(s, "{\"diagnosis\":\"asthma\",\"confidence\":1,\"reason\":\"");
        for (int[] bad : new int[][] {{0xC0, 0xAF}, {0xE0, 0x80, 0x80}, {0xED, 0xA0, 0x80}, {0xF4, 0x90, 0x80, 0x80}, {0x80}, {0xFF}}) {
            byte[] b = new byte[bad.length];
            for (int i = 0; i < b.length; i++) {
                b[i] = (byte) bad[i];
            }
            assertNull(inReason.advance(b), "ill-formed UTF-8 " + java.util.Arrays.toString(bad));
        }
        assertNotNull(inReason.advance("é胸𝄞".getBytes(StandardCharsets.UTF_8)), "well-formed UTF-8 of 2, 3 and 4 bytes");

        String opt = "{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"integer\",\"minimum\":-5,\"maximum\":120},"
                + "\"b\":{\"type\":\"boolean\"},\"c\":{\"type\":\"null\"},\"d\":{\"type\":\"array\",\"minItems\":2,"
                + "\"items\":{\"type\":\"object\",\"properties\":{\"k\":{\"const\":\"v\"}},\"required\":[\"k\"]}}},"
                + "\"required\":[\"d\"]}";
        assertTrue(accepts(opt, "{\"d\":[{\"k\":\"v\"},{\"k\":\"v\"}]}"), "optional properties may be left out");
        assertTrue(accepts(opt, "{\"a\":-5,\"b\":true,\"c\":null,\"d\":[{\"k\":\"v\"},{\"k\":\"v\"}]}"));
        assertFalse(accepts(opt, "{\"a\":121,\"d\":[{\"k\":\"v\"},{\"k\":\"v\"}]}"), "integer maximum");
        assertFalse(accepts(opt, "{\"a\":1.5,\"d\":[{\"k\":\"v\"},{\"k\":\"v\"}]}"), "integers have no fraction");
        assertFalse(accepts(opt, "{\"a\":007,\"d\":[{\"k\":\"v\"},{\"k\":\"v\"}]}"), "no leading zeros");
        assertFalse(accepts(opt, "{\"d\":[{\"k\":\"v\"}]}"), "minItems");
        assertFalse(accepts(opt, "{\"b\":true,\"a\":1,\"d\":[{\"k\":\"v\"},{\"k\":\"v\"}]}"), "properties come in schema order");
    }

    @Test
    void theMaskAllowsExactlyTheTokensTheGrammarAcceptsWithinBudget() {
        Vocabulary vocab = engine.vocabulary();
        byte[][] bytes = new byte[vocab.size()][];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = vocab.bytes(i);
        }
        TokenIndex index = new TokenIndex(bytes);
        assertTrue(index.plainCount() > 250, "plain text tokens: " + index.plainCount());
        JsonSchema s = JsonSchema.compile(ASSESSMENT);
        String[] prefixes = {"", "{\"diagnosis\":\"", "{\"diagnosis\":\"asthma\",\"confidence\":0.",
            "{\"diagnosis\":\"asthma\",\"confidence\":1,\"reason\":\"", "{\"diagnosis\":\"asthma\",\"confidence\":1,\"reason\":\"ab\\",
            "{\"diagnosis\":\"asthma\",\"confidence\":1,\"reason\":\"x\",\"differential\":[\"asthma\"],\"ruleOut\":[\""};
        for (String prefix : prefixes) {
            for (int budget : new int[] {90, 120, 400}) {
                SchemaConstraint c;
                try {
                    c = new SchemaConstraint(s, index, budget);
                } catch (LlmException e) {
                    continue;
                }
                boolean fits = true;
                for (byte b : prefix.getBytes(StandardCharsets.UTF_8)) {
                    if (!c.allows(b & 0xFF)) {
                        fits = false;
                        break;
                    }
                    c.advance(b & 0xFF);
                }
                if (!fits) {
                    continue;
                }
                float[] logits = new float[512];
                c.mask(logits);
                for (int t = 0; t < logits.length; t++) {
                    assertEquals(c.allows(t), logits[t] == 0f, "prefix " + prefix + " budget " + budget + " token " + t);
                }
            }
        }
    }

    @Test
    void minRemainingIsExactAlongTheShortestValueAndNeverOverstates() {
        JsonSchema s = JsonSchema.compile(ASSESSMENT);
        JsonGrammar.State start = JsonGrammar.start(s);
        String shortest = "{\"diagnosis\":\"asthma\",\"confidence\":0,\"reason\":\"\",\"differential\":[],\"ruleOut\":[]}";
        assertEquals(shortest.length(), start.minRemaining());
        String any = "{\"diagnosis\":\"heart failure\",\"confidence\":0.125,\"reason\":\"né\",\"differential\":[\"asthma\"],"
                + "\"ruleOut\":[\"PE\",\"MI\"]}";
        byte[] b = any.getBytes(StandardCharsets.UTF_8);
        JsonGrammar.State st = start;
        for (int i = 0; i < b.length; i++) {
            assertTrue(st.minRemaining() <= b.length - i, "at byte " + i + ": " + st.minRemaining() + " > " + (b.length - i));
            st = st.advance(b[i] & 0xFF);
            assertNotNull(st, "byte " + i);
        }
        assertTrue(st.done());
        assertEquals(0, st.minRemaining());
    }
}
