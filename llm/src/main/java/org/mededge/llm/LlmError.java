package org.mededge.llm;

/** Stable language-model error codes; {@link #status()} is the HTTP status the appliance answers with. */
public enum LlmError {
    LLM_INVALID_REQUEST(422),
    LLM_UNKNOWN_ADAPTER(422),
    LLM_ADAPTER_MISMATCH(503),
    LLM_MODEL_INVALID(503),
    LLM_BUSY(503),
    LLM_DEADLINE_EXCEEDED(504),
    LLM_FAILED(500);

    private final int status;

    LlmError(int status) {
        this.status = status;
    }

    public int status() {
        return status;
    }
}
