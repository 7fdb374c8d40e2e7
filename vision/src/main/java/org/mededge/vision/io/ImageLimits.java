package org.mededge.vision.io;

/**
 * What an upload may be: its size in bytes and its pixel count (width x height), checked from the
 * file's header before any pixel buffer is allocated.
 */
public record ImageLimits(long maxBytes, long maxPixels) {
    /** Keeps width x height x 3 channels within one Java array. */
    public static final long MAX_PIXELS = 500_000_000L;

    public ImageLimits {
        if (maxBytes < 1024) {
            throw new IllegalArgumentException("maxBytes must be at least 1024");
        }
        if (maxPixels < 64 * 64 || maxPixels > MAX_PIXELS) {
            throw new IllegalArgumentException("maxPixels must be 4096.." + MAX_PIXELS);
        }
    }
}
