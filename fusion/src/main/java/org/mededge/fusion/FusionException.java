package org.mededge.fusion;

/** A fusion failure with a stable code (see {@link FusionError}) and a message a user can act on. */
public class FusionException extends RuntimeException {
    private final FusionError error;

    public FusionException(FusionError error, String message) {
        super(message);
        this.error = error;
    }

    public FusionException(FusionError error, String message, Throwable cause) {
        super(message, cause);
        this.error = error;
    }

    public FusionError error() {
        return error;
    }
}
