package org.mededge.appliance.http;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.OptionalLong;
import java.util.Set;

import com.fasterxml.jackson.core.JsonProcessingException;
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

    /** A JSON object body: 415 for another media type, 400 for invalid UTF-8 or JSON. */
    public static ObjectNode readJsonObject(ServerRequest req, long max) {
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
            node = Json.MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            // the parser's message quotes the input: keep clinical text out of responses and logs
            throw ApiException.badRequest("INVALID_JSON", "The body is not valid JSON (line "
                    + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ").");
        }
        if (!(node instanceof ObjectNode obj)) {
            throw ApiException.unprocessable("INVALID_REQUEST", "The body must be a JSON object.");
        }
        return obj;
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
