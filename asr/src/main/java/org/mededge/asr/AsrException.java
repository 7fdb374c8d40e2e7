package org.mededge.asr;

/** A asr failure with a stable code (see {@link AsrError}) and a message a user can act on. */
public class AsrException extends RuntimeException {
    private final AsrError error;

    public AsrException(AsrError error, String message) {
        super(message);
        this.error = error;
    }

    public AsrException(AsrError error, String message, Throwable cause) {
        super(message, cause);
        this.error = error;
    }

    public AsrError error() {
        return error;
    }
}
