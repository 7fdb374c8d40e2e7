package org.mededge.fusion.assess;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.mededge.fusion.Assessment;
import org.mededge.llm.FinishReason;
import org.mededge.llm.Generation;

/**
 * Turns the language model's answer into an {@link Assessment}, or says why it cannot: anything
 * that does not satisfy the schema is refused (a clinician then assesses), never repaired into a
 * diagnosis the model did not give. Pure: no model needed to test it.
 */
public final class AssessmentParser {
    private static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY);
    private static final Set<String> FIELDS = Set.of("diagnosis", "confidence", "reason", "differential", "ruleOut");
    static final int MAX_REASON = 400;
    static final int MAX_LIST = 3;

    private AssessmentParser() {
    }

    /** The outcome: an assessment, or the reason there is none. */
    public record Parsed(Assessment assessment, String problem) {
        public boolean ok() {
            return assessment != null;
        }
    }

    public static Parsed parse(Generation g, List<String> candidates) {
        if (g == null) {
            return fail("the language model returned nothing");
        }
        if (g.finishReason() != FinishReason.STOP) {
            return fail("the language model stopped early (" + g.finishReason() + ")");
        }
        return parse(g.text(), candidates, g.adapter());
    }

    /** Validates answer text against the schema for {@code candidates}. */
    public static Parsed parse(String text, List<String> candidates, String adapter) {
        if (text == null || text.isBlank()) {
            return fail("the language model's answer is empty");
        }
        JsonNode root;
        try {
            root = MAPPER.readTree(text.strip());
        } catch (JsonProcessingException e) {
            return fail("the language model's answer is not valid JSON");
        }
        if (!(root instanceof ObjectNode obj)) {
            return fail("the language model's answer is not a JSON object");
        }
        for (Iterator<String> it = obj.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!FIELDS.contains(f)) {
                return fail("the answer has an unexpected field '" + f + "'");
            }
        }
        for (String f : FIELDS) {
            if (!obj.has(f)) {
                return fail("the answer lacks '" + f + "'");
            }
        }
        JsonNode dx = obj.get("diagnosis");
        if (!dx.isTextual() || !candidates.contains(dx.asText())) {
            return fail("the diagnosis is not one of the specialty's candidates");
        }
        JsonNode c = obj.get("confidence");
        if (!c.isNumber() || !Double.isFinite(c.asDouble()) || c.asDouble() < 0 || c.asDouble() > 1) {
            return fail("the confidence is not a number between 0 and 1");
        }
        JsonNode reason = obj.get("reason");
        if (!reason.isTextual() || reason.asText().isBlank() || reason.asText().length() > MAX_REASON) {
            return fail("the reason is missing or longer than " + MAX_REASON + " characters");
        }
        List<String> differential = list(obj.get("differential"), candidates, dx.asText());
        List<String> ruleOut = list(obj.get("ruleOut"), candidates, dx.asText());
        if (differential == null || ruleOut == null) {
            return fail("differential and ruleOut must be lists of at most " + MAX_LIST + " candidates");
        }
        return new Parsed(new Assessment(dx.asText(), c.asDouble(), reason.asText().strip(), differential, ruleOut,
                adapter), null);
    }

    /** The list's candidates without repeats and without the main diagnosis; null when invalid. */
    private static List<String> list(JsonNode node, List<String> candidates, String diagnosis) {
        if (!node.isArray() || node.size() > MAX_LIST) {
            return null;
        }
        Set<String> out = new LinkedHashSet<>();
        for (JsonNode n : node) {
            if (!n.isTextual() || !candidates.contains(n.asText())) {
                return null;
            }
            if (!n.asText().equals(diagnosis)) {
                out.add(n.asText());
            }
        }
        return new ArrayList<>(out);
    }

    private static Parsed fail(String why) {
        return new Parsed(null, why);
    }
}
