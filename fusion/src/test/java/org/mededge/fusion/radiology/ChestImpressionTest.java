package org.mededge.fusion.radiology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.Test;

import org.mededge.fusion.FusionError;
import org.mededge.fusion.FusionException;
import org.mededge.llm.GenerationRequest;
import org.mededge.llm.decode.JsonSchema;

/**
 * The chest impression's rules and prompt: the same rules as the trainer's (every held-out case of
 * radiology-heldout.jsonl gives, from its structured input, exactly the user text the adapter is
 * evaluated on), and the rules' edge cases one by one.
 */
class ChestImpressionTest {
    private static final ObjectMapper M = new ObjectMapper();

    static Path repo() {
        String r = System.getenv("MEDEDGE_REPO");
        return r != null ? Path.of(r) : Path.of("..").toAbsolutePath().normalize();
    }

    private static RadFinding rad(String term, String laterality, boolean negated, Integer sizeMm) {
        List<Measurement> m = sizeMm == null ? List.of()
                : List.of(new Measurement(BigDecimal.valueOf(sizeMm), null, null, null, sizeMm + " mm"));
        return new RadFinding(term, null, laterality, null, List.of(), negated, m);
    }

    static List<RadFinding> radiologist(JsonNode input) {
        List<RadFinding> out = new ArrayList<>();
        for (JsonNode f : input.get("radiologist")) {
            out.add(rad(f.get("term").asText(), f.get("laterality").isNull() ? null : f.get("laterality").asText(),
                    f.get("negated").asBoolean(), f.get("sizeMm").isNull() ? null : f.get("sizeMm").asInt()));
        }
        return out;
    }

    static List<String> modelPositives(JsonNode input) {
        List<String> out = new ArrayList<>();
        input.get("model").forEach(m -> out.add(m.get("label").asText()));
        return out;
    }

    @Test
    void theRulesGiveTheTrainersUserTextForEveryHeldOutCase() throws IOException {
        Path file = repo().resolve("firmware-scripts/models/demo/llm/radiology-heldout.jsonl");
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        List<String> problems = new ArrayList<>();
        int n = 0;
        for (String line : lines) {
            if (line.isBlank()) {
                continue;
            }
            JsonNode c = M.readTree(line);
            n++;
            JsonNode in = c.get("input");
            List<ChestImpression.Ranked> ranked = ChestImpression.rank(modelPositives(in), radiologist(in));
            String lang = c.get("language").asText();
            GenerationRequest r = ChestImpression.request(in.get("ctr").asDouble(), ranked, lang,
                    List.of(ChestImpression.ADAPTER), 200, Duration.ofSeconds(10));
            if (!r.user().equals(c.get("user").asText())) {
                problems.add(c.get("id").asText() + "\n--- python\n" + c.get("user").asText() + "\n--- java\n" + r.user());
            }
            if (!r.system().equals(c.get("system").asText())) {
                problems.add(c.get("id").asText() + ": system text differs");
            }
            String primary = ranked.isEmpty() ? "none" : ranked.get(0).label();
            if (!primary.equals(c.get("primary").asText())) {
                problems.add(c.get("id").asText() + ": primary " + primary + ", the trainer's rule says " + c.get("primary"));
            }
        }
        assertTrue(n >= 100, "held-out file too small: " + n);
        assertEquals(List.of(), problems, problems.size() + " of " + n + " held-out cases differ");
    }

    @Test
    void theRadiologistDecidesAndImportanceOrdersTheFindings() {
        List<ChestImpression.Ranked> r = ChestImpression.rank(
                List.of("cardiomegaly", "nodule", "pneumothorax_left", "effusion_right"),
                List.of(rad("pneumothorax", null, true, null), rad("consolidation", "right", false, null),
                        rad("nodule", "left", false, 8)));
        // the sideless negation removes the model's left pneumothorax; the right effusion stays "possible"
        assertEquals(List.of(new ChestImpression.Ranked("effusion_right", false, null, null),
                new ChestImpression.Ranked("consolidation_right", true, null, null),
                new ChestImpression.Ranked("cardiomegaly", false, null, null),
                new ChestImpression.Ranked("nodule", true, "left", 8)), r);
        assertEquals("Cardiothoracic ratio: 0.56\nFindings, most important first: effusion_right possible; "
                + "consolidation_right stated; cardiomegaly possible; nodule stated, left, 8 mm\nReport language: zh",
                ChestImpression.userText(0.555, r, "zh"));
    }

    @Test
    void aSidedNegationKeepsTheOtherSideAndBilateralNamesBoth() {
        List<ChestImpression.Ranked> r = ChestImpression.rank(List.of("effusion_left", "effusion_right"),
                List.of(rad("pleural effusion", "left", true, null), rad("pneumothorax", "bilateral", false, null)));
        assertEquals(List.of("pneumothorax_right", "pneumothorax_left", "effusion_right"),
                r.stream().map(ChestImpression.Ranked::label).toList());
    }

    @Test
    void aNodulesSizeIsItsLargestStatedDimensionAndAnUnstatedSizeIsSaid() {
        RadFinding dims = new RadFinding("nodule", null, "right", null, List.of(), false,
                List.of(new Measurement(null, null, null, List.of(new BigDecimal("12.5"), new BigDecimal("8")), "1.25 x 0.8 cm")));
        assertEquals(13, ChestImpression.rank(List.of(), List.of(dims)).get(0).sizeMm());
        List<ChestImpression.Ranked> none = ChestImpression.rank(List.of(), List.of(rad("nodule", null, false, null)));
        assertEquals("Cardiothoracic ratio: 0.40\nFindings, most important first: nodule stated, size not stated\n"
                + "Report language: en", ChestImpression.userText(0.4, none, "en"));
        assertEquals("Cardiothoracic ratio: 0.40\nFindings, most important first: none\nReport language: en",
                ChestImpression.userText(0.4, List.of(), "en"));
    }

    @Test
    void termsTheModelDoesNotKnowAreLeftOutOfTheRankedList() {
        assertEquals(List.of(), ChestImpression.rank(List.of(), List.of(rad("atelectasis", "left", false, null))));
    }

    @Test
    void theRequestUsesTheAdapterOnlyWhenLoadedAndRefusesAnotherLanguage() {
        GenerationRequest with = ChestImpression.request(0.5, List.of(), "en", List.of("radiology"), 200, Duration.ofSeconds(5));
        assertEquals("radiology", with.adapter().name());
        assertNull(ChestImpression.request(0.5, List.of(), "en", List.of("cardiology"), 200, Duration.ofSeconds(5)).adapter());
        FusionException e = assertThrows(FusionException.class,
                () -> ChestImpression.request(0.5, List.of(), "fr", List.of(), 200, Duration.ofSeconds(5)));
        assertEquals(FusionError.FUSION_UNSUPPORTED_LANGUAGE, e.error());
        // the radiology adapter writes impressions: a note of specialty radiology is assessed by the base model
        assertNull(org.mededge.fusion.assess.Specialties.get("radiology").adapter());
    }

    @Test
    void theSchemaIsOneTheConstrainedDecoderGuaranteesAndTheParserChecksIt() {
        assertNotNull(JsonSchema.compile(ChestImpression.schema()));
        ChestImpression.Parsed ok = ChestImpression.parse("{\"primary\":\"nodule\",\"impression\":\"Right lung nodule, 8 mm. "
                + "Follow-up imaging advised.\",\"followUp\":true}");
        assertEquals(new ChestImpression.Impression("nodule", "Right lung nodule, 8 mm. Follow-up imaging advised.", true),
                ok.impression());
        for (String bad : List.of("", "[]", "{\"primary\":\"fracture\",\"impression\":\"x\",\"followUp\":true}",
                "{\"primary\":\"none\",\"impression\":\" \",\"followUp\":false}",
                "{\"primary\":\"none\",\"impression\":\"x\",\"followUp\":\"no\"}",
                "{\"primary\":\"none\",\"impression\":\"x\",\"followUp\":false,\"extra\":1}")) {
            ChestImpression.Parsed p = ChestImpression.parse(bad);
            assertNull(p.impression(), bad);
            assertNotNull(p.problem(), bad);
        }
    }

    @Test
    void theImpressionIsCheckedAgainstTheRules() {
        List<ChestImpression.Ranked> r = List.of(new ChestImpression.Ranked("pneumothorax_right", true, null, null),
                new ChestImpression.Ranked("effusion_left", true, null, null),
                new ChestImpression.Ranked("nodule", true, "right", 8));
        assertTrue(ChestImpression.followUp(r));
        assertEquals(List.of(), ChestImpression.problems(new ChestImpression.Impression("pneumothorax_right",
                "Right pneumothorax. Left pleural effusion. Right lung nodule, 8 mm. Follow-up imaging advised.", true), 0.47, r));
        assertEquals(List.of(), ChestImpression.problems(new ChestImpression.Impression("pneumothorax_right",
                "右侧气胸。左侧胸腔积液。右肺结节，8 mm。建议复查。", true), 0.47, r));
        // what the demo adapter gets wrong on held-out cases: a finding copied with the wrong side, a number changed
        List<String> p = ChestImpression.problems(new ChestImpression.Impression("pneumothorax_right",
                "Right pneumothorax. Left pneumothorax. Right lung nodule, 18 mm.", false), 0.47, r);
        assertEquals(List.of("the model does not advise the follow-up the rule does",
                "the impression names pneumothorax_left, which is not among the findings",
                "the impression leaves out effusion_left", "the impression states 18, a number not in the findings"), p);
        // repeated sentences (the adapter's other held-out mistake)
        assertEquals(List.of("the impression names effusion_left twice"), ChestImpression.problems(new ChestImpression.Impression(
                "pneumothorax_right", "Right pneumothorax. Left pleural effusion. Left pleural effusion. Right lung nodule, 8 mm. "
                + "Follow-up imaging advised.", true), 0.47, r));
        // a stated finding hedged
        assertEquals(List.of("the impression calls effusion_left possible; the radiologist states it"), ChestImpression.problems(
                new ChestImpression.Impression("pneumothorax_right", "右侧气胸。可疑左侧胸腔积液（仅模型提示）。右肺结节，8 mm。建议复查。", true),
                0.47, r));
        List<ChestImpression.Ranked> c = List.of(new ChestImpression.Ranked("cardiomegaly", false, null, null));
        assertFalse(ChestImpression.followUp(c));
        assertEquals(List.of("the impression states cardiomegaly as certain; only the imaging model found it"),
                ChestImpression.problems(new ChestImpression.Impression("cardiomegaly", "Cardiomegaly, cardiothoracic ratio 0.56.",
                        false), 0.56, c));
        assertEquals(List.of("the impression states 0.58, a number not in the findings"), ChestImpression.problems(
                new ChestImpression.Impression("cardiomegaly", "Possible cardiomegaly, cardiothoracic ratio 0.58 (model finding only).",
                        false), 0.56, c));
        assertEquals(List.of("the model names cardiomegaly as the most important finding; the rules say none",
                "the impression names cardiomegaly, which is not among the findings"), ChestImpression.problems(
                new ChestImpression.Impression("cardiomegaly", "Cardiomegaly.", false), 0.4, List.of()));
    }
}
