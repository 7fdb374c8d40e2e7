package org.mededge.appliance.http;

import java.nio.charset.StandardCharsets;

import io.helidon.http.DirectHandler;
import io.helidon.http.HeaderNames;
import io.helidon.http.ServerResponseHeaders;
import io.helidon.http.Status;
import io.helidon.webserver.http.DirectHandlers;

/**
 * Errors the HTTP layer answers itself, before any route runs (a Content-Length over the limit, a
 * path or header block too long, a malformed header): answered in the API's one error shape
 * {@code {"error":{"code","message"}}} instead of Helidon's empty body, with our own message (the
 * server's could quote what the client sent), and the connection closed (the rest of a refused
 * body must not be read as a second request).
 */
public final class TransportErrors {
    private TransportErrors() {
    }

    public static DirectHandlers handlers() {
        DirectHandlers.Builder b = DirectHandlers.builder();
        for (DirectHandler.EventType t : DirectHandler.EventType.values()) {
            b.addHandler(t, TransportErrors::handle);
        }
        return b.build();
    }

    private static DirectHandler.TransportResponse handle(DirectHandler.TransportRequest req, DirectHandler.EventType type,
                                                          Status status, ServerResponseHeaders headers, String message) {
        int code = status.code();
        String[] e = describe(code);
        byte[] body = ("{\"error\":{\"code\":\"" + e[0] + "\",\"message\":\"" + e[1] + "\"}}").getBytes(StandardCharsets.UTF_8);
        DirectHandler.TransportResponse.Builder r = DirectHandler.TransportResponse.builder()
                .status(status)
                .headers(headers)
                .keepAlive(false)
                .entity(body);
        r.header(HeaderNames.CONTENT_TYPE, Json.MEDIA_TYPE);
        r.header(HeaderNames.CONNECTION, "close");
        SecurityHeaders.API.forEach((name, value) -> r.header(HeaderNames.create(name), value));
        return r.build();
    }

    /** Stable code and message per status; the messages hold no request content. */
    static String[] describe(int status) {
        return switch (status) {
            case 400 -> new String[] {"BAD_REQUEST", "The request is not valid HTTP/1.1 (a malformed request line or header)."};
            case 404 -> new String[] {"NOT_FOUND", "No such resource."};
            case 413 -> new String[] {"BODY_TOO_LARGE", "The body is larger than this appliance accepts."};
            case 414 -> new String[] {"URI_TOO_LONG", "The request path is longer than this appliance accepts."};
            case 431 -> new String[] {"HEADERS_TOO_LARGE", "The request headers are larger than this appliance accepts."};
            case 505 -> new String[] {"HTTP_VERSION_NOT_SUPPORTED", "Use HTTP/1.1."};
            default -> status >= 500
                    ? new String[] {"INTERNAL_ERROR", "The request could not be served."}
                    : new String[] {"HTTP_" + status, "The request was refused by the HTTP layer."};
        };
    }
}
