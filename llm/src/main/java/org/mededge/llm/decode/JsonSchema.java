package org.mededge.llm.decode;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.mededge.llm.LlmError;
import org.mededge.llm.LlmException;

/**
 * The JSON schema subset that constrained decoding guarantees: objects with properties (required
 * or optional, emitted in schema order), arrays (items, minItems, maxItems), strings (minLength,
 * maxLength), numbers and integers (minimum, maximum, exclusive bounds), booleans, null, enum and
 * const. Anything else is refused with the keyword named, never silently ignored. The root must be
 * an object or an array. Output is compact JSON (no whitespace).
 */
public final class JsonSchema {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Set<String> ANNOTATIONS = Set.of("description", "title", "$schema", "$id", "$comment",
            "default", "examples");
    private static final Set<String> KEYWORDS = Set.of("type", "properties", "required", "additionalProperties",
            "items", "enum", "const", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "minLength",
            "maxLength", "minItems", "maxItems");

    /** A schema node. {@link #minLength()} is the fewest bytes a value of it takes. */
    public sealed interface Node permits Obj, Arr, Str, Lit, Num {
        int minLength();
    }

    /** A property: {@code key} is its JSON-encoded name with quotes, as it is emitted. */
    public record Prop(String name, byte[] key, Node value, boolean required) {
    }

    public record Obj(List<Prop> props, int minLength, int[] requiredAfter) implements Node {
        /** Bytes needed to close the object after the property at {@code index - 1}: {@code ,"k":v} per required one, then '}'. */
        int closeCostFrom(int index) {
            return requiredAfter[index] + 1;
        }
    }

    public record Arr(Node items, int minItems, int maxItems, int minLength) implements Node {
    }

    public record Str(int minChars, int maxChars, int minLength) implements Node {
    }

    /** A closed set of JSON values (enum, const, boolean, null), as their compact JSON bytes. */
    public record Lit(List<byte[]> values, int minLength) implements Node {
    }

    public record Num(boolean integer, BigDecimal min, boolean minExclusive, BigDecimal max, boolean maxExclusive,
                      int minLength) implements Node {
    }

    private final Node root;

    private JsonSchema(Node root) {
        this.root = root;
    }

    public Node root() {
        return root;
    }

    /** Compiles a schema; refuses what it cannot guarantee with LLM_INVALID_REQUEST naming the keyword. */
    public static JsonSchema compile(String schemaJson) {
        JsonNode schema;
        try {
            schema = MAPPER.readTree(schemaJson);
        } catch (JsonProcessingException e) {
            throw invalid("the JSON schema is not valid JSON (line " + e.getLocation().getLineNr() + ")");
        }
        if (schema == null || !schema.isObject()) {
            throw invalid("the JSON schema must be a JSON object");
        }
        Node root = compile(schema, "");
        if (!(root instanceof Obj) && !(root instanceof Arr)) {
            throw invalid("the JSON schema's root must be an object or an array");
        }
        return new JsonSchema(root);
    }

    private static Node compile(JsonNode s, String path) {
        for (Iterator<String> it = s.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!KEYWORDS.contains(k) && !ANNOTATIONS.contains(k)) {
                throw invalid("JSON schema keyword '" + k + "' at " + where(path) + " is not supported by constrained"
                        + " decoding (supported: type, properties, required, items, enum, const, minimum, maximum,"
                        + " exclusiveMinimum, exclusiveMaximum, minLength, maxLength, minItems, maxItems)");
            }
        }
        if (s.has("enum") || s.has("const")) {
            List<JsonNode> values = new ArrayList<>();
            if (s.has("const")) {
                values.add(s.get("const"));
            } else {
                if (!s.get("enum").isArray() || s.get("enum").isEmpty()) {
                    throw invalid("'enum' at " + where(path) + " must be a non-empty array");
                }
                s.get("enum").forEach(values::add);
            }
            return literals(values, path);
        }
        JsonNode typeNode = s.get("type");
        if (typeNode == null || !typeNode.isTextual()) {
            throw invalid("the JSON schema at " + where(path) + " needs a single 'type' (or 'enum'/'const')");
        }
        String type = typeNode.asText();
        return switch (type) {
            case "object" -> object(s, path);
            case "array" -> array(s, path);
            case "string" -> {
                int min = intKeyword(s, "minLength", 0, path);
                int max = intKeyword(s, "maxLength", Integer.MAX_VALUE, path);
                if (max < min) {
                    throw invalid("maxLength < minLength at " + where(path));
                }
                yield new Str(min, max, 2 + min);
            }
            case "number", "integer" -> number(s, type.equals("integer"), path);
            case "boolean" -> literals(List.of(MAPPER.getNodeFactory().booleanNode(true),
                    MAPPER.getNodeFactory().booleanNode(false)), path);
            case "null" -> literals(List.of(MAPPER.getNodeFactory().nullNode()), path);
            default -> throw invalid("JSON schema type '" + type + "' at " + where(path) + " is not supported");
        };
    }

    private static Obj object(JsonNode s, String path) {
        JsonNode props = s.path("properties");
        Set<String> required = new HashSet<>();
        for (JsonNode r : s.path("required")) {
            required.add(r.asText());
        }
        List<Prop> list = new ArrayList<>();
        for (Map.Entry<String, JsonNode> e : props.properties()) {
            if (!e.getValue().isObject()) {
                throw invalid("property '" + e.getKey() + "' at " + where(path) + " must have a schema object");
            }
            byte[] key;
            try {
                key = MAPPER.writeValueAsBytes(e.getKey());
            } catch (JsonProcessingException ex) {
                throw new IllegalStateException(ex);
            }
            list.add(new Prop(e.getKey(), key, compile(e.getValue(), path + "/" + e.getKey()), required.contains(e.getKey())));
        }
        for (String r : required) {
            if (list.stream().noneMatch(p -> p.name().equals(r))) {
                throw invalid("required property '" + r + "' at " + where(path) + " is not in 'properties'");
            }
        }
        int[] after = new int[list.size() + 1];
        for (int i = list.size() - 1; i >= 0; i--) {
            Prop p = list.get(i);
            after[i] = after[i + 1] + (p.required() ? 1 + p.key().length + 1 + p.value().minLength() : 0);
        }
        // the first member has no comma before it
        int min = after[0] + 1 + (after[0] > 0 ? 0 : 1);
        return new Obj(List.copyOf(list), min, after);
    }

    private static Arr array(JsonNode s, String path) {
        JsonNode items = s.get("items");
        if (items == null || !items.isObject()) {
            throw invalid("array at " + where(path) + " needs an 'items' schema object");
        }
        Node item = compile(items, path + "/items");
        int min = intKeyword(s, "minItems", 0, path);
        int max = intKeyword(s, "maxItems", Integer.MAX_VALUE, path);
        if (max < min) {
            throw invalid("maxItems < minItems at " + where(path));
        }
        int len = 2 + (min == 0 ? 0 : min * item.minLength() + (min - 1));
        return new Arr(item, min, max, len);
    }

    private static Num number(JsonNode s, boolean integer, String path) {
        BigDecimal min = null;
        BigDecimal max = null;
        boolean minEx = false;
        boolean maxEx = false;
        if (s.has("minimum")) {
            min = decimal(s.get("minimum"), "minimum", path);
        }
        if (s.has("maximum")) {
            max = decimal(s.get("maximum"), "maximum", path);
        }
        if (s.has("exclusiveMinimum")) {
            JsonNode e = s.get("exclusiveMinimum");
            if (e.isBoolean()) {
                minEx = e.asBoolean();
            } else {
                BigDecimal v = decimal(e, "exclusiveMinimum", path);
                if (min == null || v.compareTo(min) >= 0) {
                    min = v;
                    minEx = true;
                }
            }
        }
        if (s.has("exclusiveMaximum")) {
            JsonNode e = s.get("exclusiveMaximum");
            if (e.isBoolean()) {
                maxEx = e.asBoolean();
            } else {
                BigDecimal v = decimal(e, "exclusiveMaximum", path);
                if (max == null || v.compareTo(max) <= 0) {
                    max = v;
                    maxEx = true;
                }
            }
        }
        Num probe = new Num(integer, min, minEx, max, maxEx, 1);
        String shortest = JsonGrammar.shortestNumber(probe, "");
        if (shortest == null) {
            throw invalid("no " + (integer ? "integer" : "number") + " satisfies the bounds at " + where(path));
        }
        return new Num(integer, min, minEx, max, maxEx, shortest.length());
    }

    private static Lit literals(List<JsonNode> values, String path) {
        List<byte[]> out = new ArrayList<>();
        for (JsonNode v : values) {
            if (v.isContainerNode()) {
                throw invalid("enum/const values at " + where(path) + " must be strings, numbers, booleans or null");
            }
            try {
                out.add(MAPPER.writeValueAsString(v).getBytes(StandardCharsets.UTF_8));
            } catch (JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        }
        return new Lit(List.copyOf(out), out.stream().mapToInt(b -> b.length).min().orElse(0));
    }

    private static int intKeyword(JsonNode s, String k, int dflt, String path) {
        JsonNode v = s.get(k);
        if (v == null) {
            return dflt;
        }
        if (!v.canConvertToInt() || v.asInt() < 0 || !v.isIntegralNumber()) {
            throw invalid("'" + k + "' at " + where(path) + " must be a non-negative integer");
        }
        return v.asInt();
    }

    private static BigDecimal decimal(JsonNode v, String k, String path) {
        if (!v.isNumber()) {
            throw invalid("'" + k + "' at " + where(path) + " must be a number");
        }
        return v.decimalValue();
    }

    private static String where(String path) {
        return path.isEmpty() ? "the root" : path;
    }

    private static LlmException invalid(String message) {
        return new LlmException(LlmError.LLM_INVALID_REQUEST, message);
    }
}
