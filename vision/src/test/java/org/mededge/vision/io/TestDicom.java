package org.mededge.vision.io;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes small DICOM Part 10 files for tests: file meta in explicit VR little endian, then the data
 * set in explicit or implicit VR little endian, elements in the order added (callers add them in
 * ascending tag order, as DICOM requires).
 */
final class TestDicom {
    static final String IMPLICIT = "1.2.840.10008.1.2";
    static final String EXPLICIT = "1.2.840.10008.1.2.1";
    static final String JPEG_BASELINE = "1.2.840.10008.1.2.4.50";

    private final String syntax;
    private final boolean explicit;
    private final ByteArrayOutputStream data = new ByteArrayOutputStream();

    TestDicom(String syntax) {
        this.syntax = syntax;
        this.explicit = !syntax.equals(IMPLICIT);
    }

    /** A monochrome image header: rows, columns, bits, photometric; pixel data added separately. */
    static TestDicom mono(String syntax, int rows, int cols, int bitsAllocated, int bitsStored, boolean signed, String photometric) {
        return new TestDicom(syntax)
                .str(0x00080060, "CS", "DX")
                .str(0x00180015, "CS", "CHEST")
                .us(0x00280002, 1)
                .str(0x00280004, "CS", photometric)
                .us(0x00280010, rows)
                .us(0x00280011, cols)
                .us(0x00280100, bitsAllocated)
                .us(0x00280101, bitsStored)
                .us(0x00280102, bitsStored - 1)
                .us(0x00280103, signed ? 1 : 0);
    }

    TestDicom str(int tag, String vr, String value) {
        byte[] v = value.getBytes(StandardCharsets.US_ASCII);
        if (v.length % 2 == 1) {
            v = (value + (vr.equals("UI") ? "\0" : " ")).getBytes(StandardCharsets.US_ASCII);
        }
        return element(tag, vr, v);
    }

    TestDicom us(int tag, int value) {
        return element(tag, "US", new byte[] {(byte) value, (byte) (value >> 8)});
    }

    TestDicom element(int tag, String vr, byte[] value) {
        header(data, tag, vr, value.length, explicit);
        data.writeBytes(value);
        return this;
    }

    /** Native pixel data: 16-bit values little endian, or 8-bit. */
    TestDicom pixels16(int... values) {
        byte[] b = new byte[values.length * 2];
        for (int i = 0; i < values.length; i++) {
            b[2 * i] = (byte) values[i];
            b[2 * i + 1] = (byte) (values[i] >> 8);
        }
        return element(0x7FE00010, "OW", b);
    }

    TestDicom pixels8(int... values) {
        byte[] b = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            b[i] = (byte) values[i];
        }
        return element(0x7FE00010, "OB", b);
    }

    /** Encapsulated pixel data: an empty offset table, then the fragments, then the delimiter. */
    TestDicom encapsulated(byte[]... fragments) {
        header(data, 0x7FE00010, "OB", 0xFFFFFFFFL, explicit);
        item(data, new byte[0]);
        for (byte[] f : fragments) {
            item(data, f);
        }
        tag(data, 0xFFFEE0DD);
        le32(data, 0);
        return this;
    }

    /** A sequence of undefined length holding one item of undefined length with the given raw elements. */
    TestDicom undefinedSequence(int tag, byte[] itemContent) {
        header(data, tag, "SQ", 0xFFFFFFFFL, explicit);
        tag(data, 0xFFFEE000);
        le32(data, 0xFFFFFFFFL);
        data.writeBytes(itemContent);
        tag(data, 0xFFFEE00D);
        le32(data, 0);
        tag(data, 0xFFFEE0DD);
        le32(data, 0);
        return this;
    }

    /** Raw bytes appended to the data set (for malformed files). */
    TestDicom raw(byte[] b) {
        data.writeBytes(b);
        return this;
    }

    byte[] build() {
        ByteArrayOutputStream meta = new ByteArrayOutputStream();
        byte[] uid = padUid(syntax);
        header(meta, 0x00020010, "UI", uid.length, true);
        meta.writeBytes(uid);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[128]);
        out.writeBytes("DICM".getBytes(StandardCharsets.US_ASCII));
        header(out, 0x00020000, "UL", 4, true);
        le32(out, meta.size());
        out.writeBytes(meta.toByteArray());
        out.writeBytes(data.toByteArray());
        return out.toByteArray();
    }

    /** Elements encoded on their own (for sequence items), explicit or implicit. */
    static byte[] elements(boolean explicit, Object... tagVrValue) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < tagVrValue.length; i += 3) {
            byte[] v = ((String) tagVrValue[i + 2]).getBytes(StandardCharsets.US_ASCII);
            header(out, (Integer) tagVrValue[i], (String) tagVrValue[i + 1], v.length, explicit);
            out.writeBytes(v);
        }
        return out.toByteArray();
    }

    private static byte[] padUid(String uid) {
        return (uid.length() % 2 == 1 ? uid + "\0" : uid).getBytes(StandardCharsets.US_ASCII);
    }

    static void header(ByteArrayOutputStream out, int tag, String vr, long length, boolean explicit) {
        tag(out, tag);
        if (!explicit) {
            le32(out, length);
            return;
        }
        out.writeBytes(vr.getBytes(StandardCharsets.US_ASCII));
        if (List.of("OB", "OD", "OF", "OL", "OV", "OW", "SQ", "UC", "UR", "UT", "UN").contains(vr)) {
            out.write(0);
            out.write(0);
            le32(out, length);
        } else {
            out.write((int) length & 0xFF);
            out.write((int) (length >> 8) & 0xFF);
        }
    }

    private static void item(ByteArrayOutputStream out, byte[] content) {
        tag(out, 0xFFFEE000);
        le32(out, content.length);
        out.writeBytes(content);
    }

    private static void tag(ByteArrayOutputStream out, int tag) {
        int group = tag >>> 16;
        int element = tag & 0xFFFF;
        out.write(group & 0xFF);
        out.write(group >> 8);
        out.write(element & 0xFF);
        out.write(element >> 8);
    }

    private static void le32(ByteArrayOutputStream out, long v) {
        out.write((int) v & 0xFF);
        out.write((int) (v >> 8) & 0xFF);
        out.write((int) (v >> 16) & 0xFF);
        out.write((int) (v >> 24) & 0xFF);
    }

    static List<Integer> range(int n) {
        List<Integer> l = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            l.add(i);
        }
        return l;
    }
}
