package org.mededge.vision;

/** A vision failure with a stable code (see {@link VisionError}) and a message a user can act on. */
public class VisionException extends RuntimeException {
    private final VisionError error;

    public VisionException(VisionError error, String message) {
        super(message);
        this.error = error;
    }

    public VisionException(VisionError error, String message, Throwable cause) {
        super(message, cause);
        this.error = error;
    }

    public VisionError error() {
        return error;
    }
}
