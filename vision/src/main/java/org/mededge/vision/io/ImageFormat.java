package org.mededge.vision.io;

import java.nio.charset.StandardCharsets;
import java.util.Locale;

/** The formats the imaging engine reads, recognized by their media type and by their first bytes. */
public enum ImageFormat {
    PNG("image/png"),
    JPEG("image/jpeg"),
    DICOM("application/dicom");

    private final String mediaType;

    ImageFormat(String mediaType) {
        this.mediaType = mediaType;
    }

    public String mediaType() {
        return mediaType;
    }

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The format a media type names; null for application/octet-stream or none (then the bytes decide). */
    public static ImageFormat fromMediaType(String mediaType) {
        if (mediaType == null) {
            return null;
        }
        return switch (mediaType.toLowerCase(Locale.ROOT).strip()) {
            case "image/png" -> PNG;
            case "image/jpeg", "image/jpg" -> JPEG;
            case "application/dicom" -> DICOM;
            default -> null;
        };
    }

    /** The format of the bytes, or null when they are none of the three. */
    public static ImageFormat sniff(byte[] b) {
        if (b.length >= 8 && (b[0] & 0xFF) == 0x89 && b[1] == 'P' && b[2] == 'N' && b[3] == 'G') {
            return PNG;
        }
        if (b.length >= 3 && (b[0] & 0xFF) == 0xFF && (b[1] & 0xFF) == 0xD8 && (b[2] & 0xFF) == 0xFF) {
            return JPEG;
        }
        if (b.length >= 132 && b[128] == 'D' && b[129] == 'I' && b[130] == 'C' && b[131] == 'M') {
            return DICOM;
        }
        return null;
    }

    /** A name for well-known formats this engine does not read, for a clear refusal; null if unrecognized. */
    public static String otherFormat(byte[] b) {
        String head = new String(b, 0, Math.min(b.length, 16), StandardCharsets.ISO_8859_1);
        if (head.startsWith("GIF8")) {
            return "GIF";
        }
        if (head.startsWith("BM")) {
            return "BMP";
        }
        if (head.startsWith("II*\0") || head.startsWith("MM\0*")) {
            return "TIFF";
        }
        if (head.startsWith("RIFF") && head.length() >= 12 && head.startsWith("WEBP", 8)) {
            return "WebP";
        }
        if (head.startsWith("\0\0\0\fjP  ") || (b.length > 1 && (b[0] & 0xFF) == 0xFF && (b[1] & 0xFF) == 0x4F)) {
            return "JPEG 2000";
        }
        if (head.startsWith("%PDF")) {
            return "PDF";
        }
        if (head.startsWith("PK\3\4")) {
            return "ZIP";
        }
        if (head.startsWith("\u001f\u008b")) {
            return "gzip";
        }
        return null;
    }
}
