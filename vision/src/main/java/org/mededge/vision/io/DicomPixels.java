package org.mededge.vision.io;

/**
 * DICOM pixel values to display values: stored value (masked to Bits Stored, sign-extended when
 * Pixel Representation is 1) → modality value (Rescale Slope/Intercept) → VOI window (Window
 * Center/Width with the VOI LUT Function) → [0, 1], inverted for MONOCHROME1. Without a usable
 * window, 8-bit data keeps its stored range and deeper data uses the image's own min..max.
 */
final class DicomPixels {
    private DicomPixels() {
    }

    record Display(float[] pixels, Window window) {
    }

    /** The first frame's stored values of native greyscale pixel data, as floats. */
    static float[] nativeGrey(byte[] b, DicomReader.DicomFile f) {
        int n = f.rows() * f.columns();
        float[] out = new float[n];
        int shift = f.highBit() + 1 - f.bitsStored();
        int mask = f.bitsStored() >= 32 ? -1 : (1 << f.bitsStored()) - 1;
        int sign = 1 << (f.bitsStored() - 1);
        int at = f.pixelOffset();
        for (int i = 0; i < n; i++) {
            int raw = f.bitsAllocated() == 8 ? b[at + i] & 0xFF : (b[at + 2 * i] & 0xFF) | ((b[at + 2 * i + 1] & 0xFF) << 8);
            int v = (raw >>> shift) & mask;
            if (f.signed() && (v & sign) != 0) {
                v -= 1 << f.bitsStored();
            }
            out[i] = v;
        }
        return out;
    }

    /** The first frame of native RGB pixel data (planar or interleaved) as display values. */
    static float[] nativeRgb(byte[] b, DicomReader.DicomFile f) {
        int n = f.rows() * f.columns();
        float[] out = new float[n * 3];
        int bytes = f.bitsAllocated() / 8;
        double max = (1 << f.bitsStored()) - 1;
        int at = f.pixelOffset();
        for (int i = 0; i < n; i++) {
            for (int c = 0; c < 3; c++) {
                int sample = f.planarConfiguration() == 1 ? c * n + i : i * 3 + c;
                int p = at + sample * bytes;
                int raw = bytes == 1 ? b[p] & 0xFF : (b[p] & 0xFF) | ((b[p + 1] & 0xFF) << 8);
                out[i * 3 + c] = (float) Math.min(1.0, raw / max);
            }
        }
        return out;
    }

    static Display toDisplay(float[] stored, DicomReader.DicomFile f) {
        int n = stored.length;
        double slope = f.slope();
        double intercept = f.intercept();
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            double m = stored[i] * slope + intercept;
            min = Math.min(min, m);
            max = Math.max(max, m);
        }
        String function = f.voiFunction() == null ? "LINEAR" : f.voiFunction().toUpperCase(java.util.Locale.ROOT);
        if (!function.equals("LINEAR") && !function.equals("LINEAR_EXACT") && !function.equals("SIGMOID")) {
            function = "LINEAR";
        }
        double c = f.windowCenter();
        double w = f.windowWidth();
        boolean usable = Double.isFinite(c) && Double.isFinite(w) && (function.equals("LINEAR") ? w >= 1 : w > 0);
        Window window;
        if (usable) {
            window = new Window(c, w, function, "dicom");
        } else if (f.bitsStored() <= 8 && !f.signed() && slope == 1 && intercept == 0) {
            function = "LINEAR_EXACT";
            w = (1 << f.bitsStored()) - 1;
            c = w / 2;
            window = new Window(c, w, function, "bit-depth");
        } else {
            function = "LINEAR_EXACT";
            c = (min + max) / 2;
            w = Math.max(max - min, 1e-6);
            window = new Window(c, w, function, f.voiLutSequence() ? "min-max (the file's VOI LUT sequence is not applied)" : "min-max");
        }
        boolean invert = "MONOCHROME1".equals(f.photometric());
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            double y = voi(stored[i] * slope + intercept, c, w, function);
            out[i] = (float) (invert ? 1 - y : y);
        }
        return new Display(out, window);
    }

    /** DICOM PS3.3 C.11.2.1.2: the VOI LUT functions, with output range [0, 1]. */
    static double voi(double x, double c, double w, String function) {
        return switch (function) {
            case "LINEAR_EXACT" -> clamp((x - c) / w + 0.5);
            case "SIGMOID" -> 1 / (1 + Math.exp(-4 * (x - c) / w));
            default -> {
                if (x <= c - 0.5 - (w - 1) / 2) {
                    yield 0;
                }
                if (x > c - 0.5 + (w - 1) / 2) {
                    yield 1;
                }
                yield (x - (c - 0.5)) / (w - 1) + 0.5;
            }
        };
    }

    private static double clamp(double v) {
        return v < 0 ? 0 : Math.min(1, v);
    }
}
