package org.mededge.vision.io;

import org.mededge.vision.VisionError;
import org.mededge.vision.VisionException;

/**
 * Reads the geometry of PNG and JPEG data from their headers alone, so that an image claiming
 * 50000 x 50000 pixels is refused before a decoder allocates anything, and checks that the data
 * is complete (a decoder would otherwise fill a truncated image with grey and say nothing).
 */
final class Headers {
    private static final byte[] IEND = {'I', 'E', 'N', 'D'};

    private Headers() {
    }

    /** Width, height, components and bits per sample as the header declares them. */
    record Geometry(int width, int height, int components, int bits) {
        long pixels() {
            return (long) width * height;
        }
    }

    static Geometry png(byte[] b) {
        // signature (8) + IHDR length (4) + "IHDR" (4) + width (4) + height (4) + depth + colour type
        if (b.length < 33) {
            throw new VisionException(VisionError.VISION_IMAGE_TRUNCATED, "The PNG ends inside its header (" + b.length + " bytes).");
        }
        if (b[12] != 'I' || b[13] != 'H' || b[14] != 'D' || b[15] != 'R') {
            throw new VisionException(VisionError.VISION_IMAGE_UNREADABLE, "The PNG does not start with an IHDR chunk.");
        }
        int width = be32(b, 16);
        int height = be32(b, 20);
        int depth = b[24] & 0xFF;
        int colourType = b[25] & 0xFF;
        if (width <= 0 || height <= 0) {
            throw new VisionException(VisionError.VISION_IMAGE_UNREADABLE, "The PNG header declares an image of "
                    + Integer.toUnsignedString(width) + " x " + Integer.toUnsignedString(height) + " pixels.");
        }
        int components = switch (colourType) {
            case 0 -> 1;
            case 2, 3 -> 3;
            case 4 -> 2;
            case 6 -> 4;
            default -> throw new VisionException(VisionError.VISION_IMAGE_UNREADABLE, "The PNG declares an unknown colour type " + colourType + ".");
        };
        if (indexOf(b, IEND, Math.max(8, b.length - 4096)) < 0) {
            throw new VisionException(VisionError.VISION_IMAGE_TRUNCATED, "The PNG has no IEND chunk: the file is truncated.");
        }
        return new Geometry(width, height, components, depth);
    }

    static Geometry jpeg(byte[] b) {
        int pos = 2;
        while (true) {
            if (pos + 4 > b.length) {
                throw new VisionException(VisionError.VISION_IMAGE_TRUNCATED, "The JPEG ends before its frame header.");
            }
            if ((b[pos] & 0xFF) != 0xFF) {
                throw new VisionException(VisionError.VISION_IMAGE_UNREADABLE, "The JPEG has a malformed marker at byte " + pos + ".");
            }
            int marker = b[pos + 1] & 0xFF;
            if (marker == 0xFF) { // fill byte
                pos++;
                continue;
            }
            if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) { // markers without a length
                pos += 2;
                continue;
            }
            if (marker == 0xDA || marker == 0xD9) {
                throw new VisionException(VisionError.VISION_IMAGE_UNREADABLE, "The JPEG has no frame header before its image data.");
            }
            int length = be16(b, pos + 2);
            if (length < 2) {
                throw new VisionException(VisionError.VISION_IMAGE_UNREADABLE, "The JPEG has a segment of impossible length at byte " + pos + ".");
            }
            boolean sof = marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
            if (sof) {
                if (pos + 10 > b.length) {
                    throw new VisionException(VisionError.VISION_IMAGE_TRUNCATED, "The JPEG ends inside its frame header.");
                }
                int bits = b[pos + 4] & 0xFF;
                int height = be16(b, pos + 5);
                int width = be16(b, pos + 7);
                int components = b[pos + 9] & 0xFF;
                if (width == 0 || height == 0) {
                    throw new VisionException(VisionError.VISION_IMAGE_UNREADABLE, "The JPEG frame header declares " + width + " x " + height + " pixels.");
                }
                if (marker != 0xC0 && marker != 0xC1 && marker != 0xC2) {
                    throw new VisionException(VisionError.VISION_UNSUPPORTED_FORMAT, "This JPEG uses " + process(marker)
                            + ", which is not supported; send a baseline or progressive JPEG, PNG or DICOM.");
                }
                if (bits != 8) {
                    throw new VisionException(VisionError.VISION_UNSUPPORTED_FORMAT, "This JPEG has " + bits
                            + "-bit samples; only 8-bit JPEG is supported (send 16-bit images as PNG or DICOM).");
                }
                if (!hasEndOfImage(b)) {
                    throw new VisionException(VisionError.VISION_IMAGE_TRUNCATED, "The JPEG has no end-of-image marker: the file is truncated.");
                }
                return new Geometry(width, height, components, bits);
            }
            pos += 2 + length;
        }
    }

    private static String process(int marker) {
        return switch (marker) {
            case 0xC3, 0xC7, 0xCB, 0xCF -> "lossless coding";
            case 0xC9, 0xCA, 0xCD, 0xCE -> "arithmetic coding";
            default -> "hierarchical coding";
        };
    }

    /** The end-of-image marker, allowing a little padding after it (DICOM pads fragments to even length). */
    static boolean hasEndOfImage(byte[] b) {
        for (int i = b.length - 2; i >= Math.max(2, b.length - 64); i--) {
            if ((b[i] & 0xFF) == 0xFF && (b[i + 1] & 0xFF) == 0xD9) {
                return true;
            }
        }
        return false;
    }

    static int be16(byte[] b, int i) {
        return ((b[i] & 0xFF) << 8) | (b[i + 1] & 0xFF);
    }

    static int be32(byte[] b, int i) {
        return ((b[i] & 0xFF) << 24) | ((b[i + 1] & 0xFF) << 16) | ((b[i + 2] & 0xFF) << 8) | (b[i + 3] & 0xFF);
    }

    static int indexOf(byte[] b, byte[] what, int from) {
        outer:
        for (int i = Math.max(0, from); i <= b.length - what.length; i++) {
            for (int j = 0; j < what.length; j++) {
                if (b[i + j] != what[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
