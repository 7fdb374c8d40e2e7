package org.mededge.vision.io;

import org.mededge.vision.VisionError;
import org.mededge.vision.VisionException;

/** Loads OpenCV's native library once (bundled by org.openpnp:opencv); a failure is reported, not retried. */
public final class OpenCv {
    private static volatile boolean loaded;
    private static volatile String failure;

    private OpenCv() {
    }

    /** Loads the library, or throws VISION_BACKEND_UNAVAILABLE saying why. */
    public static void load() {
        if (loaded) {
            return;
        }
        synchronized (OpenCv.class) {
            if (loaded) {
                return;
            }
            if (failure == null) {
                try {
                    nu.pattern.OpenCV.loadLocally();
                    loaded = true;
                    return;
                } catch (Throwable t) { // UnsatisfiedLinkError and friends: no native library for this platform
                    failure = t.getClass().getSimpleName() + (t.getMessage() == null ? "" : ": " + t.getMessage());
                }
            }
            throw new VisionException(VisionError.VISION_BACKEND_UNAVAILABLE, "OpenCV could not be loaded (" + failure + ")");
        }
    }
}
