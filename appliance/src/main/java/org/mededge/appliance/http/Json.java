package org.mededge.appliance.http;

import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerResponse;

/** The one JSON mapper of the HTTP layer and the helpers that answer with it. */
public final class Json {
    public static final ObjectMapper MAPPER = new ObjectMapper()
            .findAndRegisterModules()
            .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);
    public static final String MEDIA_TYPE = "application/json";
    /** Deepest nesting a request body may have; the deepest request of this API (a corrected report) needs about 6. */
    public static final int MAX_REQUEST_DEPTH = 64;
    /**
     * The one strict reading of request bodies: a key given twice and anything after the value are
     * errors, and nesting is bounded (Jackson's own limit of 1000 failed with no location).
     */
    public static final ObjectReader REQUEST_READER = new ObjectMapper(JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_REQUEST_DEPTH).build())
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build())
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .reader();

    private Json() {
    }

    public static void send(ServerResponse res, int status, Object body) {
        byte[] bytes;
        try {
            bytes = MAPPER.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("response not serializable: " + e.getOriginalMessage(), e);
        }
        res.status(Status.create(status));
        res.header(HeaderNames.CONTENT_TYPE, MEDIA_TYPE);
        res.send(bytes);
    }

    public static void ok(ServerResponse res, Object body) {
        send(res, 200, body);
    }

    /** The error body shared by every failure. */
    public static Map<String, Object> error(String code, String message) {
        Map<String, Object> inner = new LinkedHashMap<>();
        inner.put("code", code);
        inner.put("message", message);
        return Map.of("error", inner);
    }

    public static void sendError(ServerResponse res, int status, String code, String message) {
        send(res, status, error(code, message));
    }
}
