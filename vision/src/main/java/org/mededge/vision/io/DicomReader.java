package org.mededge.vision.io;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.mededge.vision.VisionError;
import org.mededge.vision.VisionException;

/**
 * A small DICOM Part 10 reader: the file meta information, then the top-level data set in Implicit
 * VR Little Endian, Explicit VR Little Endian or JPEG Baseline (encapsulated) transfer syntax, up to
 * the pixel data. Sequences are skipped, never interpreted; only the image attributes below are
 * read, so patient identifiers are never touched. Every length is checked against the bytes that
 * remain before it is used, and the pixel count against the limits before any pixel is allocated.
 */
final class DicomReader {
    static final String IMPLICIT_LE = "1.2.840.10008.1.2";
    static final String EXPLICIT_LE = "1.2.840.10008.1.2.1";
    static final String JPEG_BASELINE = "1.2.840.10008.1.2.4.50";

    private static final long UNDEFINED = 0xFFFFFFFFL;
    private static final int ITEM = 0xFFFEE000;
    private static final int ITEM_END = 0xFFFEE00D;
    private static final int SEQUENCE_END = 0xFFFEE0DD;
    private static final int PIXEL_DATA = 0x7FE00010;
    private static final int MAX_DEPTH = 16;
    private static final Set<String> LONG_VRS = Set.of("OB", "OD", "OF", "OL", "OV", "OW", "SQ", "UC", "UR", "UT", "UN", "SV", "UV");

    /** The attributes read from the top-level data set, by tag. */
    private static final Set<Integer> WANTED = Set.of(
            0x00080060, // Modality
            0x00180015, // Body Part Examined
            0x0020000D, // Study Instance UID
            0x00280002, // Samples per Pixel
            0x00280004, // Photometric Interpretation
            0x00280006, // Planar Configuration
            0x00280008, // Number of Frames
            0x00280010, // Rows
            0x00280011, // Columns
            0x00280100, // Bits Allocated
            0x00280101, // Bits Stored
            0x00280102, // High Bit
            0x00280103, // Pixel Representation
            0x00281050, // Window Center
            0x00281051, // Window Width
            0x00281052, // Rescale Intercept
            0x00281053, // Rescale Slope
            0x00281056, // VOI LUT Function
            0x00283010  // VOI LUT Sequence (presence only)
    );

    /** Transfer syntaxes met in practice, for a refusal that names what the file is. */
    private static final Map<String, String> SYNTAX_NAMES = Map.ofEntries(
            Map.entry(IMPLICIT_LE, "Implicit VR Little Endian"),
            Map.entry(EXPLICIT_LE, "Explicit VR Little Endian"),
            Map.entry(JPEG_BASELINE, "JPEG Baseline (Process 1)"),
            Map.entry("1.2.840.10008.1.2.1.99", "Deflated Explicit VR Little Endian"),
            Map.entry("1.2.840.10008.1.2.2", "Explicit VR Big Endian (retired)"),
            Map.entry("1.2.840.10008.1.2.4.51", "JPEG Extended (Process 2 & 4)"),
            Map.entry("1.2.840.10008.1.2.4.57", "JPEG Lossless, Non-Hierarchical (Process 14)"),
            Map.entry("1.2.840.10008.1.2.4.70", "JPEG Lossless, Non-Hierarchical, First-Order Prediction (Process 14 SV1)"),
            Map.entry("1.2.840.10008.1.2.4.80", "JPEG-LS Lossless"),
            Map.entry("1.2.840.10008.1.2.4.81", "JPEG-LS Lossy (Near-Lossless)"),
            Map.entry("1.2.840.10008.1.2.4.90", "JPEG 2000 Image Compression (Lossless Only)"),
            Map.entry("1.2.840.10008.1.2.4.91", "JPEG 2000 Image Compression"),
            Map.entry("1.2.840.10008.1.2.4.201", "High-Throughput JPEG 2000 (Lossless Only)"),
            Map.entry("1.2.840.10008.1.2.4.202", "High-Throughput JPEG 2000 with RPCL Options (Lossless Only)"),
            Map.entry("1.2.840.10008.1.2.4.203", "High-Throughput JPEG 2000"),
            Map.entry("1.2.840.10008.1.2.5", "RLE Lossless"),
            Map.entry("1.2.840.10008.1.2.4.100", "MPEG2 Main Profile / Main Level"),
            Map.entry("1.2.840.10008.1.2.4.102", "MPEG-4 AVC/H.264 High Profile"),
            Map.entry("1.2.840.10008.1.2.4.110", "JPEG XL Lossless"),
            Map.entry("1.2.840.10008.1.2.4.112", "JPEG XL"));

    /**
     * What the reader found.
     *
     * @param pixelOffset native pixel data: where frame data begins; -1 when encapsulated
     * @param firstFrame  encapsulated pixel data: the compressed bytes of the first frame
     */
    record DicomFile(String transferSyntax, int rows, int columns, int samplesPerPixel, int bitsAllocated,
                     int bitsStored, int highBit, boolean signed, String photometric, int planarConfiguration,
                     int frames, double slope, double intercept, double windowCenter, double windowWidth,
                     String voiFunction, boolean voiLutSequence, String modality, String bodyPart,
                     int pixelOffset, long pixelLength, byte[] firstFrame, String studyUid) {
    }

    private final byte[] b;
    private int pos;
    private boolean explicit;
    private final Map<Integer, byte[]> values = new HashMap<>();
    private boolean voiLutSequence;

    private DicomReader(byte[] b) {
        this.b = b;
    }

    static String syntaxName(String uid) {
        return SYNTAX_NAMES.getOrDefault(uid, "an unrecognized transfer syntax");
    }

    static DicomFile read(byte[] bytes, ImageLimits limits) {
        return new DicomReader(bytes).parse(limits);
    }

    private DicomFile parse(ImageLimits limits) {
        if (b.length < 132 || b[128] != 'D' || b[129] != 'I' || b[130] != 'C' || b[131] != 'M') {
            throw unreadable("The body is not a DICOM Part 10 file: there is no 'DICM' prefix after the 128-byte preamble.");
        }
        pos = 132;
        explicit = true;
        String syntax = null;
        while (pos + 4 <= b.length && u16(pos) == 0x0002) {
            Header h = header();
            if (h.length == UNDEFINED) {
                throw unreadable("The DICOM file meta information has an element of undefined length.");
            }
            requireAvailable(h.length, h.tag);
            if (h.tag == 0x00020010) {
                syntax = text(pos, (int) h.length);
            }
            pos += (int) h.length;
        }
        if (syntax == null || syntax.isEmpty()) {
            throw unreadable("The DICOM file meta information names no transfer syntax (0002,0010).");
        }
        if (!syntax.equals(IMPLICIT_LE) && !syntax.equals(EXPLICIT_LE) && !syntax.equals(JPEG_BASELINE)) {
            throw new VisionException(VisionError.VISION_UNSUPPORTED_TRANSFER_SYNTAX, "DICOM transfer syntax "
                    + syntaxName(syntax) + " (" + syntax + ") is not supported; this appliance reads Implicit VR Little Endian, "
                    + "Explicit VR Little Endian and JPEG Baseline (Process 1). Convert the file to one of these (for example "
                    + "with dcmdjpeg or gdcmconv --raw) and send it again.");
        }
        explicit = !syntax.equals(IMPLICIT_LE);

        int pixelOffset = -1;
        long pixelLength = 0;
        List<byte[]> fragments = null;
        long[] offsets = null;
        while (pos < b.length) {
            if (pos + 8 > b.length) {
                throw truncated("The DICOM data set ends inside an element header.");
            }
            Header h = header();
            if (h.tag == PIXEL_DATA) {
                if (h.length == UNDEFINED) {
                    offsets = basicOffsets();
                    fragments = fragments();
                } else {
                    requireAvailable(h.length, h.tag);
                    pixelOffset = pos;
                    pixelLength = h.length;
                }
                break;
            }
            if (h.length == UNDEFINED) {
                if (h.tag == 0x00283010) {
                    voiLutSequence = true;
                }
                skipSequence(!"UN".equals(h.vr) && explicit, 1);
                continue;
            }
            requireAvailable(h.length, h.tag);
            if (h.tag == 0x00283010) {
                voiLutSequence = true;
            } else if (WANTED.contains(h.tag)) {
                byte[] v = new byte[(int) h.length];
                System.arraycopy(b, pos, v, 0, v.length);
                values.put(h.tag, v);
            }
            pos += (int) h.length;
        }
        if (pixelOffset < 0 && fragments == null && values.containsKey(0x00280010)) {
            throw truncated("The DICOM file ends before its pixel data (7FE0,0010): the file is truncated.");
        }
        if (pixelOffset < 0 && fragments == null) {
            throw unreadable("The DICOM file has no pixel data (7FE0,0010): it holds no image (perhaps a report or a presentation state).");
        }

        int rows = us(0x00280010, -1);
        int columns = us(0x00280011, -1);
        if (rows <= 0 || columns <= 0) {
            throw unreadable("The DICOM file does not say how many rows and columns its image has (0028,0010/0011).");
        }
        long pixels = (long) rows * columns;
        if (pixels > limits.maxPixels()) {
            throw new VisionException(VisionError.VISION_IMAGE_TOO_LARGE, "The DICOM image is " + columns + " x " + rows
                    + " pixels, more than this appliance's limit of " + limits.maxPixels() + " pixels.");
        }
        int spp = us(0x00280002, 1);
        int bitsAllocated = us(0x00280100, -1);
        int bitsStored = us(0x00280101, bitsAllocated);
        int highBit = us(0x00280102, bitsStored - 1);
        String photometric = string(0x00280004);
        if (photometric == null) {
            throw unreadable("The DICOM file has no photometric interpretation (0028,0004).");
        }
        boolean mono = photometric.equals("MONOCHROME1") || photometric.equals("MONOCHROME2");
        boolean colour = photometric.equals("RGB") || (fragments != null && photometric.startsWith("YBR_FULL"));
        if (!mono && !colour) {
            throw new VisionException(VisionError.VISION_UNSUPPORTED_FORMAT, "DICOM photometric interpretation " + photometric
                    + " is not supported; MONOCHROME1, MONOCHROME2 and RGB are.");
        }
        if ((mono && spp != 1) || (colour && spp != 3)) {
            throw unreadable("The DICOM file says " + photometric + " with " + spp + " samples per pixel.");
        }
        if (fragments == null && bitsAllocated != 8 && bitsAllocated != 16) {
            throw new VisionException(VisionError.VISION_UNSUPPORTED_FORMAT, "DICOM pixel data with " + bitsAllocated
                    + " bits allocated is not supported; 8 and 16 are.");
        }
        if (bitsStored < 1 || bitsStored > bitsAllocated || highBit < bitsStored - 1 || highBit >= bitsAllocated) {
            throw unreadable("The DICOM file has inconsistent bit depths (allocated " + bitsAllocated + ", stored "
                    + bitsStored + ", high bit " + highBit + ").");
        }
        int frames = Math.max(1, is(0x00280008, 1));
        byte[] firstFrame = null;
        if (fragments != null) {
            if (!syntax.equals(JPEG_BASELINE)) {
                throw unreadable("The DICOM file has encapsulated pixel data but an uncompressed transfer syntax.");
            }
            long present = fragments.stream().filter(Headers::hasEndOfImage).count();
            if (present < frames) {
                throw truncated("The DICOM file declares " + frames + " frames but its pixel data holds " + present
                        + " complete JPEG frame" + (present == 1 ? "" : "s") + ": the file is truncated or inconsistent.");
            }
            firstFrame = firstFrame(fragments, offsets, frames);
        } else {
            if (syntax.equals(JPEG_BASELINE)) {
                throw unreadable("The DICOM file says JPEG Baseline but its pixel data is not encapsulated.");
            }
            long frameBytes = pixels * spp * (bitsAllocated / 8);
            if (pixelLength < frameBytes) {
                throw truncated("The DICOM pixel data holds " + pixelLength + " bytes, fewer than the " + frameBytes
                        + " bytes one " + columns + " x " + rows + " frame needs: the file is truncated or inconsistent.");
            }
            if (pixelLength / frameBytes < frames) {
                throw truncated("The DICOM file declares " + frames + " frames but its pixel data holds "
                        + (pixelLength / frameBytes) + " (" + pixelLength + " bytes of " + frameBytes + " per frame): the file"
                        + " is truncated or inconsistent.");
            }
        }
        double slope = ds(0x00281053, 1.0);
        if (slope == 0 || !Double.isFinite(slope)) {
            slope = 1.0;
        }
        return new DicomFile(syntax, rows, columns, spp, bitsAllocated, bitsStored, highBit, us(0x00280103, 0) == 1,
                photometric, us(0x00280006, 0), frames, slope, ds(0x00281052, 0.0), ds(0x00281050, Double.NaN),
                ds(0x00281051, Double.NaN), string(0x00281056), voiLutSequence, string(0x00080060), string(0x00180015),
                pixelOffset, pixelLength, firstFrame, string(0x0020000D));
    }

    private record Header(int tag, String vr, long length) {
    }

    /** Reads an element header at pos and moves past it. */
    private Header header() {
        if (pos + 8 > b.length) {
            throw truncated("The DICOM data ends inside an element header.");
        }
        int tag = (u16(pos) << 16) | u16(pos + 2);
        if ((tag >>> 16) == 0xFFFE || !explicit) {
            long len = u32(pos + 4);
            pos += 8;
            return new Header(tag, null, len);
        }
        char v0 = (char) b[pos + 4];
        char v1 = (char) b[pos + 5];
        if (v0 < 'A' || v0 > 'Z' || v1 < 'A' || v1 > 'Z') {
            throw unreadable("The DICOM data set has an invalid value representation at byte " + (pos + 4) + ".");
        }
        String vr = "" + v0 + v1;
        if (LONG_VRS.contains(vr)) {
            if (pos + 12 > b.length) {
                throw truncated("The DICOM data ends inside an element header.");
            }
            long len = u32(pos + 8);
            pos += 12;
            return new Header(tag, vr, len);
        }
        long len = u16(pos + 6);
        pos += 8;
        return new Header(tag, vr, len);
    }

    /** Skips the items of a sequence of undefined length, up to and past its delimiter. */
    private void skipSequence(boolean explicitInside, int depth) {
        if (depth > MAX_DEPTH) {
            throw unreadable("The DICOM data set nests sequences more than " + MAX_DEPTH + " deep.");
        }
        boolean outer = explicit;
        explicit = explicitInside;
        try {
            while (true) {
                Header h = header();
                if (h.tag == SEQUENCE_END) {
                    return;
                }
                if (h.tag != ITEM) {
                    throw unreadable("The DICOM data set has a malformed sequence near byte " + pos + ".");
                }
                if (h.length == UNDEFINED) {
                    skipItem(depth);
                } else {
                    requireAvailable(h.length, h.tag);
                    pos += (int) h.length;
                }
            }
        } finally {
            explicit = outer;
        }
    }

    /** Skips the elements of an item of undefined length, up to and past its delimiter. */
    private void skipItem(int depth) {
        while (true) {
            Header h = header();
            if (h.tag == ITEM_END) {
                return;
            }
            if (h.length == UNDEFINED) {
                skipSequence(!"UN".equals(h.vr) && explicit, depth + 1);
            } else {
                requireAvailable(h.length, h.tag);
                pos += (int) h.length;
            }
        }
    }

    /** The basic offset table: the first item of encapsulated pixel data (often empty). */
    private long[] basicOffsets() {
        Header h = header();
        if (h.tag != ITEM || h.length == UNDEFINED) {
            throw unreadable("The DICOM encapsulated pixel data does not begin with an offset table item.");
        }
        requireAvailable(h.length, h.tag);
        long[] offsets = new long[(int) (h.length / 4)];
        for (int i = 0; i < offsets.length; i++) {
            offsets[i] = u32(pos + 4 * i);
        }
        pos += (int) h.length;
        return offsets;
    }

    /** The fragments of encapsulated pixel data; a missing final delimiter is tolerated, a cut fragment is not. */
    private List<byte[]> fragments() {
        List<byte[]> out = new ArrayList<>();
        while (pos + 8 <= b.length) {
            Header h = header();
            if (h.tag == SEQUENCE_END) {
                break;
            }
            if (h.tag != ITEM || h.length == UNDEFINED) {
                throw unreadable("The DICOM encapsulated pixel data has a malformed fragment near byte " + pos + ".");
            }
            requireAvailable(h.length, h.tag);
            byte[] f = new byte[(int) h.length];
            System.arraycopy(b, pos, f, 0, f.length);
            out.add(f);
            pos += f.length;
        }
        if (out.isEmpty()) {
            throw truncated("The DICOM encapsulated pixel data has no fragments: the file is truncated.");
        }
        return out;
    }

    /** The compressed bytes of the first frame: per the offset table, else fragments up to the first end-of-image. */
    private static byte[] firstFrame(List<byte[]> fragments, long[] offsets, int frames) {
        int last;
        if (frames == 1) {
            last = fragments.size() - 1;
        } else if (offsets.length > 1) {
            long end = offsets[1];
            long at = 0;
            last = 0;
            for (int i = 0; i < fragments.size(); i++) {
                at += 8 + fragments.get(i).length;
                last = i;
                if (at >= end) {
                    break;
                }
            }
        } else {
            last = 0;
            while (last < fragments.size() - 1 && !Headers.hasEndOfImage(fragments.get(last))) {
                last++;
            }
        }
        int size = 0;
        for (int i = 0; i <= last; i++) {
            size += fragments.get(i).length;
        }
        byte[] frame = new byte[size];
        int at = 0;
        for (int i = 0; i <= last; i++) {
            System.arraycopy(fragments.get(i), 0, frame, at, fragments.get(i).length);
            at += fragments.get(i).length;
        }
        return frame;
    }

    private void requireAvailable(long length, int tag) {
        if (length > b.length - pos) {
            throw truncated(String.format("DICOM element (%04X,%04X) claims %d bytes but only %d remain: the file is truncated.",
                    tag >>> 16, tag & 0xFFFF, length, b.length - pos));
        }
    }

    private int us(int tag, int dflt) {
        byte[] v = values.get(tag);
        if (v == null || v.length < 2) {
            return dflt;
        }
        return (v[0] & 0xFF) | ((v[1] & 0xFF) << 8);
    }

    private String string(int tag) {
        byte[] v = values.get(tag);
        if (v == null) {
            return null;
        }
        String s = new String(v, StandardCharsets.US_ASCII).replace('\0', ' ').strip();
        return s.isEmpty() ? null : s;
    }

    /** A decimal string's first value (DS and IS may hold several, separated by backslashes). */
    private double ds(int tag, double dflt) {
        String s = string(tag);
        if (s == null) {
            return dflt;
        }
        try {
            double d = Double.parseDouble(s.split("\\\\", 2)[0].strip());
            return Double.isFinite(d) ? d : dflt;
        } catch (NumberFormatException e) {
            return dflt;
        }
    }

    private int is(int tag, int dflt) {
        double d = ds(tag, dflt);
        return d >= 1 && d <= Integer.MAX_VALUE ? (int) d : dflt;
    }

    private String text(int at, int length) {
        return new String(b, at, length, StandardCharsets.US_ASCII).replace('\0', ' ').strip();
    }

    private int u16(int i) {
        return (b[i] & 0xFF) | ((b[i + 1] & 0xFF) << 8);
    }

    private long u32(int i) {
        return ((long) (b[i] & 0xFF)) | ((long) (b[i + 1] & 0xFF) << 8) | ((long) (b[i + 2] & 0xFF) << 16)
                | ((long) (b[i + 3] & 0xFF) << 24);
    }

    private static VisionException unreadable(String message) {
        return new VisionException(VisionError.VISION_IMAGE_UNREADABLE, message);
    }

    private static VisionException truncated(String message) {
        return new VisionException(VisionError.VISION_IMAGE_TRUNCATED, message);
    }
}
