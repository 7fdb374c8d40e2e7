package org.mededge.appliance.language;

import java.util.Map;

import org.mededge.appliance.http.ApiException;
import org.mededge.llm.LlmError;
import org.mededge.llm.LlmException;

/** Language errors as API answers: the code and status the llm module chose, Retry-After on 503. */
public final class LanguageErrors {
    /** A busy queue clears in seconds; a refused model or adapter needs an operator. */
    static final int BUSY_RETRY_SECONDS = 2;
    static final int UNAVAILABLE_RETRY_SECONDS = 30;

    private LanguageErrors() {
    }

    public static ApiException toApi(LlmException e) {
        int status = e.error().status();
        Map<String, String> headers = status != 503 ? Map.of() : Map.of("Retry-After", Integer.toString(
                e.error() == LlmError.LLM_BUSY ? BUSY_RETRY_SECONDS : UNAVAILABLE_RETRY_SECONDS));
        return new ApiException(status, e.error().name(), e.getMessage(), headers);
    }
}
