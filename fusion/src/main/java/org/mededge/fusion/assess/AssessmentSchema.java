package org.mededge.fusion.assess;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The JSON schema the language model's assessment must satisfy (resource
 * {@code assessment.schema.json}), for constrained decoding, for the demo-model trainer and for
 * {@link AssessmentParser}.
 */
public final class AssessmentSchema {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final String TEMPLATE = read();

    private AssessmentSchema() {
    }

    /** The schema as written, without the candidate enums. */
    public static String template() {
        return TEMPLATE;
    }

    /** The schema for one specialty: diagnosis, differential and ruleOut limited to its candidates. */
    public static String forSpecialty(String specialty) {
        return forCandidates(Specialties.get(specialty).names());
    }

    /** The schema with diagnosis, differential and ruleOut limited to {@code candidates}. */
    public static String forCandidates(List<String> candidates) {
        try {
            ObjectNode schema = (ObjectNode) MAPPER.readTree(TEMPLATE);
            ObjectNode props = (ObjectNode) schema.get("properties");
            ((ObjectNode) props.get("diagnosis")).set("enum", array(candidates));
            ((ObjectNode) props.get("differential").get("items")).set("enum", array(candidates));
            ((ObjectNode) props.get("ruleOut").get("items")).set("enum", array(candidates));
            return MAPPER.writeValueAsString(schema);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("assessment.schema.json is not valid JSON", e);
        }
    }

    private static ArrayNode array(List<String> values) {
        ArrayNode a = MAPPER.createArrayNode();
        values.forEach(a::add);
        return a;
    }

    private static String read() {
        try (InputStream in = AssessmentSchema.class.getResourceAsStream("assessment.schema.json")) {
            if (in == null) {
                throw new IllegalStateException("assessment.schema.json missing from the fusion jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
