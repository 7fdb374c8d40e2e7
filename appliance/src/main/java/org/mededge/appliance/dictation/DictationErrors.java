package org.mededge.appliance.dictation;

import java.util.Map;
import java.util.logging.Logger;

import org.mededge.appliance.http.ApiException;
import org.mededge.asr.AsrError;
import org.mededge.asr.AsrException;

/** AsrException to the appliance's error answer: the code's own status; 503s say when to retry. */
public final class DictationErrors {
    private static final Logger LOG = Logger.getLogger(DictationErrors.class.getName());
    private DictationErrors() {
    }

    public static ApiException toApi(AsrException e) {
        AsrError code = e.error();
        if (code == AsrError.ASR_FAILED) {
            // the asr module's messages never quote audio or transcript text
            LOG.warning(() -> "dictation failed: " + e.getMessage());
        }
        Map<String, String> headers = switch (code) {
            case ASR_BUSY -> Map.of("Retry-After", "5");
            case ASR_MODEL_INVALID -> Map.of("Retry-After", "30");
            default -> Map.of();
        };
        return new ApiException(code.status(), code.name(), e.getMessage(), headers);
    }
}
