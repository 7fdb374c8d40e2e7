package org.mededge.appliance.http;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;

/** Reading request bodies within limits, with the error codes every route shares. */
public final class Bodies {
    private Bodies() {
    }

    /** The request's media type without parameters, lower-case; empty when absent. */
    public static String mediaType(ServerRequest req) {
        return req.headers().first(HeaderNames.CONTENT_TYPE)
                .map(v -> v.split(";", 2)[0].trim().toLowerCase(Locale.ROOT)).orElse("");
    }

    /** Refuses with 415 unless the media type is one of {@code accepted}. */
    public static String requireMediaType(ServerRequest req, Set<String> accepted) {
        String type = mediaType(req);
        if (!accepted.contains(type)) {
            throw new ApiException(415, "UNSUPPORTED_MEDIA_TYPE", "Content-Type '" + (type.isEmpty() ? "(none)" : type)
                    + "' is not accepted here; send one of " + String.join(", ", accepted.stream().sorted().toList()));
        }
        return type;
    }

    /** The whole body, refused with 413 beyond {@code max} bytes and 400 when empty. */
    public static byte[] read(ServerRequest req, long max) {
        OptionalLong declared = req.headers().contentLength();
        if (declared.isPresent() && declared.getAsLong() > max) {
            throw tooLarge(max);
        }
        if (!req.content().hasEntity()) {
            throw ApiException.badRequest("EMPTY_BODY", "The request has no body.");
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream((int) Math.min(max, declared.orElse(8192)));
        byte[] buf = new byte[16384];
        long total = 0;
        try (InputStream in = req.content().inputStream()) {
            for (int n; (n = in.read(buf)) > 0; ) {
                total += n;
                if (total > max) {
                    throw tooLarge(max);
                }
                out.write(buf, 0, n);
            }
        } catch (IOException e) {
            throw ApiException.badRequest("BODY_UNREADABLE", "The request body could not be read completely.");
        }
        if (total == 0) {
            throw ApiException.badRequest("EMPTY_BODY", "The request has an empty body.");
        }
        return out.toByteArray();
    }

    /**
     * A JSON object body read strictly, the same way on every route: 415 for another media type;
     * 400 for invalid UTF-8, invalid JSON, content after the object, a key given twice, nesting
     * deeper than {@link Json#MAX_REQUEST_DEPTH}, or a lone UTF-16 surrogate escape (it could not
     * be stored as it was answered); 422 for a body that is not an object or names a field the route
     * does not take (so that a misspelt "specialty" is never silently ignored).
     *
     * @param fields the top-level fields this route accepts
     */
    public static ObjectNode readJsonObject(ServerRequest req, long max, Set<String> fields) {
        requireMediaType(req, Set.of(Json.MEDIA_TYPE));
        byte[] bytes = read(req, max);
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw ApiException.badRequest("INVALID_UTF8", "The body is not valid UTF-8.");
        }
        JsonNode node;
        try {
            node = Json.REQUEST_READER.readTree(text);
        } catch (StreamConstraintsException e) {
            throw ApiException.badRequest("INVALID_JSON", "The body nests JSON deeper than " + Json.MAX_REQUEST_DEPTH
                    + " levels or exceeds another JSON limit; no request of this API needs that.");
        } catch (JsonProcessingException e) {
            // the parser's message quotes the input: keep clinical text out of responses and logs
            JsonLocation at = e.getLocation();
            String where = at == null ? "" : " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")";
            String why = e.getOriginalMessage() != null && e.getOriginalMessage().startsWith("Duplicate field")
                    ? "gives a key twice" : e.getOriginalMessage() != null && e.getOriginalMessage().contains("Trailing token")
                    ? "has content after the JSON value" : "is not valid JSON";
            throw ApiException.badRequest("INVALID_JSON", "The body " + why + where + ".");
        }
        if (node == null || node.isMissingNode()) {
            throw ApiException.badRequest("INVALID_JSON", "The body holds no JSON value.");
        }
        if (!(node instanceof ObjectNode obj)) {
            throw ApiException.unprocessable("INVALID_REQUEST", "The body must be a JSON object.");
        }
        rejectLoneSurrogates(obj);
        onlyFields(obj, fields);
        return obj;
    }

    /** A field the route does not know is refused, so that a misspelt "specialty" is not silently ignored. */
    private static void onlyFields(ObjectNode body, Set<String> allowed) {
        for (Iterator<String> it = body.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!allowed.contains(f)) {
                throw ApiException.unprocessable("UNKNOWN_FIELD", "Field '" + (f.length() > 40 ? f.substring(0, 40) + "…" : f)
                        + "' is not accepted here; send " + String.join(", ", allowed.stream().sorted().toList()) + ".");
            }
        }
    }

    /**
     * A {@code \ud800} escape without its pair decodes to a Java string that UTF-8 cannot hold: the
     * database would store '?', so the stored report would differ from the answered one. Refused.
     */
    private static void rejectLoneSurrogates(JsonNode root) {
        Deque<JsonNode> todo = new ArrayDeque<>();
        todo.push(root);
        while (!todo.isEmpty()) {
            JsonNode n = todo.pop();
            if (n.isTextual()) {
                checkSurrogates(n.textValue());
            } else if (n.isObject()) {
                for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> e = it.next();
                    checkSurrogates(e.getKey());
                    todo.push(e.getValue());
                }
            } else if (n.isArray()) {
                n.forEach(todo::push);
            }
        }
    }

    private static void checkSurrogates(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                throw ApiException.badRequest("INVALID_JSON", "The body holds an unpaired UTF-16 surrogate escape (\\u"
                        + Integer.toHexString(c) + "): it is not a character and cannot be stored.");
            }
        }
    }

    /** A required string field: 422 when missing, not a string, or blank. */
    public static String requiredText(ObjectNode body, String field) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) {
            throw ApiException.unprocessable("MISSING_FIELD", "Field '" + field + "' is required.");
        }
        if (!v.isTextual()) {
            throw ApiException.unprocessable("INVALID_FIELD", "Field '" + field + "' must be a string, not "
                    + v.getNodeType().name().toLowerCase(Locale.ROOT) + ".");
        }
        if (v.asText().isBlank()) {
            throw ApiException.unprocessable("EMPTY_TEXT", "Field '" + field + "' is empty.");
        }
        return v.asText();
    }

    /** An optional string field: null when absent; 422 when present with another type. */
    public static String optionalText(ObjectNode body, String field) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isTextual()) {
            throw ApiException.unprocessable("INVALID_FIELD", "Field '" + field + "' must be a string.");
        }
        return v.asText().isBlank() ? null : v.asText().trim();
    }

    private static ApiException tooLarge(long max) {
        return new ApiException(413, "BODY_TOO_LARGE", "The body is larger than this route's limit of " + max + " bytes.");
    }
}
