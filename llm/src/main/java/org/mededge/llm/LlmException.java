package org.mededge.llm;

/** A llm failure with a stable code (see {@link LlmError}) and a message a user can act on. */
public class LlmException extends RuntimeException {
    private final LlmError error;

    public LlmException(LlmError error, String message) {
        super(message);
        this.error = error;
    }

    public LlmException(LlmError error, String message, Throwable cause) {
        super(message, cause);
        this.error = error;
    }

    public LlmError error() {
        return error;
    }
}
