package org.mededge.appliance.http;

import java.util.UUID;
import java.util.logging.Level;
import java.util.logging.Logger;

import io.helidon.http.HttpException;
import io.helidon.webserver.http.ErrorHandler;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

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
        rules.error(org.mededge.asr.AsrException.class, (req, res, e) -> api(req, res, org.mededge.appliance.dictation.DictationErrors.toApi(e)));
        rules.error(org.mededge.vision.VisionException.class, (req, res, e) -> api(req, res, org.mededge.appliance.studies.StudiesService.toApi(e)));
        rules.error(org.mededge.fusion.FusionException.class, (req, res, e) -> api(req, res, org.mededge.appliance.notes.NotesService.toApi(e)));
        rules.error(org.mededge.llm.LlmException.class, (req, res, e) -> api(req, res, org.mededge.appliance.language.LanguageErrors.toApi(e)));
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
