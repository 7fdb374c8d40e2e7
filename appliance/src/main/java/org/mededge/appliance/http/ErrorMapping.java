package org.mededge.appliance.http;

import java.util.Map;
import java.util.UUID;
import java.util.logging.Level;
import java.util.logging.Logger;

import io.helidon.http.HttpException;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import org.mededge.appliance.store.StoreException;
import org.mededge.asr.AsrException;
import org.mededge.fusion.FusionException;
import org.mededge.llm.LlmException;
import org.mededge.vision.VisionException;

/**
 * The one place where exceptions become HTTP answers, used both to answer and to audit (so the
 * audit log records the code the client was told). Every answer has the shape
 * {@code {"error":{"code":"…","message":"…"}}}; no stack trace ever leaves the appliance, and the
 * log gets an incident id and the exception's type and frames, never its message (which might
 * quote clinical input). Each engine module's error enum carries its own HTTP status; a 503 says
 * when to retry: a busy queue clears in seconds, a model that is not loaded needs an operator.
 */
public final class ErrorMapping {
    private static final Logger LOG = Logger.getLogger(ErrorMapping.class.getName());
    /** Retry-After for a full queue of an engine. */
    public static final int BUSY_RETRY_SECONDS = 5;
    /** Retry-After for an engine that is not ready. */
    public static final int UNAVAILABLE_RETRY_SECONDS = 30;

    private ErrorMapping() {
    }

    public static void register(HttpRouting.Builder rules) {
        rules.error(Throwable.class, ErrorMapping::answer);
    }

    /**
     * The answer an exception maps to, or null for an unexpected one (a defect: 500 with an incident).
     * Engine messages are written by the modules for clients and never quote clinical input.
     */
    public static ApiException toApi(Throwable t) {
        return switch (t) {
            case ApiException e -> e;
            case AsrException e -> engine(e.error().name(), e.error().status(), e.getMessage());
            case VisionException e -> engine(e.error().name(), e.error().status(), e.getMessage());
            case FusionException e -> engine(e.error().name(), e.error().status(), e.getMessage());
            case LlmException e -> engine(e.error().name(), e.error().status(), e.getMessage());
            case StoreException e -> new ApiException(503, "STORE_UNAVAILABLE",
                    "The report could not be stored, so nothing was saved; retry shortly.", Map.of("Retry-After", "5"));
            case HttpException e -> http(e.status().code(), e.status().reasonPhrase());
            default -> null;
        };
    }

    private static ApiException engine(String code, int status, String message) {
        if (status >= 500 && !code.endsWith("_BUSY")) {
            LOG.warning(() -> "engine failure answered " + status + ": " + code);
        }
        Map<String, String> headers = status != 503 ? Map.of() : Map.of("Retry-After",
                Integer.toString(code.endsWith("_BUSY") ? BUSY_RETRY_SECONDS : UNAVAILABLE_RETRY_SECONDS));
        return new ApiException(status, code, message, headers);
    }

    private static ApiException http(int status, String reason) {
        String[] d = TransportErrors.describe(status);
        return new ApiException(status, status == 405 ? "METHOD_NOT_ALLOWED" : status == 415 ? "UNSUPPORTED_MEDIA_TYPE" : d[0],
                status >= 500 ? d[1] : reason);
    }

    private static void answer(ServerRequest req, ServerResponse res, Throwable t) {
        ApiException e = toApi(t);
        if (t instanceof StoreException s) {
            LOG.log(Level.SEVERE, "store failure on " + route(req) + ": " + s.getMessage());
        }
        if (e == null) {
            String incident = UUID.randomUUID().toString();
            Throwable clean = new Throwable(t.getClass().getName());
            clean.setStackTrace(t.getStackTrace());
            LOG.log(Level.SEVERE, "incident " + incident + " on " + req.prologue().method().text() + " " + route(req), clean);
            e = new ApiException(500, "INTERNAL_ERROR", "An internal error occurred; incident " + incident
                    + " is in the appliance log.");
        }
        if (res.isSent()) {
            return;
        }
        e.headers().forEach(res::header);
        if (e.status() == 413) {
            // the rest of a refused body must not be read as the next request on this connection
            res.header("Connection", "close");
        }
        Json.sendError(res, e.status(), e.code(), e.getMessage());
    }

    private static String route(ServerRequest req) {
        return req.context().get(Routes.ROUTE_KEY, String.class).orElse(Routes.UNMATCHED);
    }
}
