package org.mededge.vision;

/**
 * A backend cannot serve on this machine (no native library, no driver, no model file for it); the
 * engine tries the next backend in the configured order and reports this reason.
 */
public class BackendUnavailableException extends VisionException {
    public BackendUnavailableException(String message) {
        super(VisionError.VISION_BACKEND_UNAVAILABLE, message);
    }

    public BackendUnavailableException(String message, Throwable cause) {
        super(VisionError.VISION_BACKEND_UNAVAILABLE, message, cause);
    }
}
