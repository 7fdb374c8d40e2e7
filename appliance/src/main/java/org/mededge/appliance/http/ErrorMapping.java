package org.mededge.appliance.http;

import java.util.UUID;
import java.util.logging.Level;
import java.util.logging.Logger;

import io.helidon.http.HttpException;
import io.helidon.webserver.http.ErrorHandler;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import org.mededge.appliance.dictation.DictationErrors;
import org.mededge.appliance.language.LanguageErrors;
import org.mededge.appliance.notes.NotesService;
import org.mededge.appliance.store.StoreException;
import org.mededge.appliance.studies.StudiesService;
import org.mededge.asr.AsrException;
import org.mededge.fusion.FusionException;
import org.mededge.llm.LlmException;
import org.mededge.vision.VisionException;

/**
 * The one place where exceptions become HTTP answers. Every answer has the shape
 * {@code {"error":{"code":"…","message":"…"}}}; no stack trace ever leaves the appliance, and the
 * log gets an incident id and the exception's type and frames, never its message (which might
 * quote clinical input).
 */
public final class ErrorMapping {
    private static final Logger LOG = Logger.getLogger(ErrorMapping.class.getName());

    private ErrorMapping() {
    }

    public static void register(HttpRouting.Builder rules) {
        rules.error(ApiException.class, ErrorMapping::api);
        rules.error(AsrException.class, (req, res, e) -> api(req, res, DictationErrors.toApi(e)));
        rules.error(VisionException.class, (req, res, e) -> api(req, res, StudiesService.toApi(e)));
        rules.error(FusionException.class, (req, res, e) -> api(req, res, NotesService.toApi(e)));
        rules.error(LlmException.class, (req, res, e) -> api(req, res, LanguageErrors.toApi(e)));
        rules.error(StoreException.class, ErrorMapping::store);
        rules.error(HttpException.class, ErrorMapping::http);
        rules.error(Throwable.class, ErrorMapping::unexpected);
    }

    private static void api(ServerRequest req, ServerResponse res, ApiException e) {
        if (res.isSent()) {
            return;
        }
        e.headers().forEach(res::header);
        Json.sendError(res, e.status(), e.code(), e.getMessage());
    }

    /** The database refused a write: nothing was stored, the client may retry. */
    private static void store(ServerRequest req, ServerResponse res, StoreException e) {
        LOG.log(Level.SEVERE, "store failure on " + req.context().get(Routes.ROUTE_KEY, String.class).orElse(Routes.UNMATCHED)
                + ": " + e.getMessage());
        if (!res.isSent()) {
            res.header("Retry-After", "5");
            Json.sendError(res, 503, "STORE_UNAVAILABLE", "The report could not be stored, so nothing was saved; retry shortly.");
        }
    }

    private static void http(ServerRequest req, ServerResponse res, HttpException e) {
        if (res.isSent()) {
            return;
        }
        int status = e.status().code();
        String code = switch (status) {
            case 400 -> "BAD_REQUEST";
            case 404 -> "NOT_FOUND";
            case 405 -> "METHOD_NOT_ALLOWED";
            case 413 -> "BODY_TOO_LARGE";
            case 415 -> "UNSUPPORTED_MEDIA_TYPE";
            default -> status >= 500 ? "INTERNAL_ERROR" : "HTTP_" + status;
        };
        Json.sendError(res, status, code, e.status().reasonPhrase());
    }

    private static void unexpected(ServerRequest req, ServerResponse res, Throwable e) {
        String incident = UUID.randomUUID().toString();
        Throwable clean = new Throwable(e.getClass().getName());
        clean.setStackTrace(e.getStackTrace());
        LOG.log(Level.SEVERE, "incident " + incident + " on " + req.prologue().method().text() + " "
                + req.context().get(Routes.ROUTE_KEY, String.class).orElse(Routes.UNMATCHED), clean);
        if (!res.isSent()) {
            Json.sendError(res, 500, "INTERNAL_ERROR", "An internal error occurred; incident " + incident
                    + " is in the appliance log.");
        }
    }
}
