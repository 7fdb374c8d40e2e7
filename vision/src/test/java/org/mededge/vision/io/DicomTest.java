package org.mededge.vision.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.Random;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.Test;

import org.mededge.vision.VisionError;
import org.mededge.vision.VisionException;

/**
 * The DICOM Part 10 reader on the real SIIM sample (JPEG Baseline) and on files written by the test
 * (explicit and implicit VR, MONOCHROME1/2, rescale, windows, signed data, RGB, sequences), plus a
 * corpus of broken files that must each give a clean 4xx, never another exception.
 */
class DicomTest {
    private static final ImageLimits LIMITS = new ImageLimits(64L << 20, 36_000_000L);
    private final ImageDecoder decoder = new ImageDecoder(LIMITS);

    static byte[] sample(String name) throws IOException {
        return Files.readAllBytes(TestFiles.shared().resolve("samples").resolve(name));
    }

    @Test
    void siimSampleDecodesToItsJpegFrame() throws IOException {
        byte[] dcm = sample("cxr-siim-chest-pa-jpeg-baseline.dcm");
        DecodedImage img = decoder.decode(dcm, "application/dicom");
        assertEquals(1024, img.width());
        assertEquals(1024, img.height());
        assertEquals(1, img.channels());
        assertEquals("CR", img.modality());
        assertEquals("CHEST", img.bodyPart());
        assertEquals("dicom", img.format());
        assertEquals(1, img.frames());

        // the same frame, cut out of the file by its JPEG markers and decoded by the JDK's own decoder
        int start = indexOf(dcm, new byte[] {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF});
        int end = lastIndexOf(dcm, new byte[] {(byte) 0xFF, (byte) 0xD9}) + 2;
        BufferedImage jdk = ImageIO.read(new ByteArrayInputStream(Arrays.copyOfRange(dcm, start, end)));
        assertEquals(1024, jdk.getWidth());
        Raster r = jdk.getRaster();
        double diff = 0;
        int big = 0;
        for (int y = 0; y < 1024; y++) {
            for (int x = 0; x < 1024; x++) {
                double d = Math.abs(img.at(x, y, 0) * 255 - r.getSample(x, y, 0));
                diff += d;
                if (d > 2.5) {
                    big++;
                }
            }
        }
        // two JPEG decoders may round an IDCT differently: at most a grey level here and there
        assertTrue(diff / (1024 * 1024) < 0.5, "mean difference " + diff / (1024 * 1024));
        assertTrue(big < 1024 * 1024 / 1000, big + " pixels differ by more than 2 grey levels");
        assertEquals("bit-depth", img.window().source(), "8-bit MONOCHROME2 without a window keeps its stored range");
    }

    @Test
    void explicitAndImplicitVrGiveTheSameImage() {
        for (String syntax : new String[] {TestDicom.EXPLICIT, TestDicom.IMPLICIT}) {
            byte[] f = TestDicom.mono(syntax, 2, 2, 16, 12, false, "MONOCHROME2")
                    .str(0x00281050, "DS", "1000\\500")
                    .str(0x00281051, "DS", "2000\\800")
                    .str(0x00281052, "DS", "-1024")
                    .str(0x00281053, "DS", "2")
                    .pixels16(0, 1000, 2000, 4095)
                    .build();
            DecodedImage img = decoder.decode(f, "application/dicom");
            // modality values -1024, 976, 2976, 7166; first window C=1000 W=2000, DICOM LINEAR:
            // below 1000 - 0.5 - 999.5 = 0 -> 0; above 1999 -> 1; else (x - 999.5) / 1999 + 0.5
            float[] expected = {0f, (float) ((976 - 999.5) / 1999 + 0.5), 1f, 1f};
            assertArrayEquals(expected, img.pixels(), 1e-6f, syntax);
            assertEquals(new Window(1000, 2000, "LINEAR", "dicom"), img.window());
            assertEquals("DX", img.modality());
        }
    }

    @Test
    void monochrome1IsInvertedAndSignedValuesAreSignExtended() {
        // 12 bits stored, signed: 0xFFF is -1, 0x800 is -2048, 0x7FF is 2047; window C=0 W=4096 LINEAR_EXACT
        byte[] f = TestDicom.mono(TestDicom.EXPLICIT, 1, 3, 16, 12, true, "MONOCHROME1")
                .str(0x00281050, "DS", "0")
                .str(0x00281051, "DS", "4096")
                .str(0x00281056, "CS", "LINEAR_EXACT")
                .pixels16(0xFFF, 0x800, 0x7FF)
                .build();
        DecodedImage img = decoder.decode(f, "application/dicom");
        float[] display = {(float) (-1.0 / 4096 + 0.5), (float) (-2048.0 / 4096 + 0.5), (float) (2047.0 / 4096 + 0.5)};
        float[] inverted = new float[3];
        for (int i = 0; i < 3; i++) {
            inverted[i] = 1 - display[i];
        }
        assertArrayEquals(inverted, img.pixels(), 1e-6f);
    }

    @Test
    void sigmoidVoiFunction() {
        byte[] f = TestDicom.mono(TestDicom.EXPLICIT, 1, 3, 16, 16, false, "MONOCHROME2")
                .str(0x00281050, "DS", "100")
                .str(0x00281051, "DS", "50")
                .str(0x00281056, "CS", "SIGMOID")
                .pixels16(50, 100, 150)
                .build();
        DecodedImage img = decoder.decode(f, null);
        assertArrayEquals(new float[] {(float) (1 / (1 + Math.exp(4))), 0.5f, (float) (1 / (1 + Math.exp(-4)))}, img.pixels(), 1e-6f);
    }

    @Test
    void withoutAWindow8BitKeepsItsRangeAndDeeperDataUsesMinMax() {
        byte[] eight = TestDicom.mono(TestDicom.EXPLICIT, 1, 3, 8, 8, false, "MONOCHROME2").pixels8(0, 51, 255).build();
        assertArrayEquals(new float[] {0f, 0.2f, 1f}, decoder.decode(eight, null).pixels(), 1e-6f);

        byte[] deep = TestDicom.mono(TestDicom.EXPLICIT, 1, 3, 16, 12, false, "MONOCHROME2").pixels16(100, 300, 500).build();
        DecodedImage img = decoder.decode(deep, null);
        assertArrayEquals(new float[] {0f, 0.5f, 1f}, img.pixels(), 1e-6f);
        assertEquals("min-max", img.window().source());
    }

    @Test
    void highBitsOutsideBitsStoredAreIgnored() {
        // 12 bits stored in 16: an overlay bit set at bit 15 must not change the value
        byte[] f = TestDicom.mono(TestDicom.EXPLICIT, 1, 2, 16, 12, false, "MONOCHROME2")
                .str(0x00281050, "DS", "2048")
                .str(0x00281051, "DS", "4096")
                .str(0x00281056, "CS", "LINEAR_EXACT")
                .pixels16(0x8000 | 1024, 1024)
                .build();
        float[] px = decoder.decode(f, null).pixels();
        assertEquals(px[1], px[0], 0f);
    }

    @Test
    void rgbInterleavedAndPlanar() {
        for (int planar : new int[] {0, 1}) {
            TestDicom d = new TestDicom(TestDicom.EXPLICIT)
                    .us(0x00280002, 3)
                    .str(0x00280004, "CS", "RGB")
                    .us(0x00280006, planar)
                    .us(0x00280010, 1)
                    .us(0x00280011, 2)
                    .us(0x00280100, 8)
                    .us(0x00280101, 8)
                    .us(0x00280102, 7)
                    .us(0x00280103, 0);
            // interleaved: (R,G,B)(R,G,B); planar: (R,R)(G,G)(B,B): the same bytes give red then blue either way
            byte[] f = d.pixels8(255, 0, 0, 0, 0, 255).build();
            DecodedImage img = decoder.decode(f, "application/dicom");
            assertEquals(3, img.channels());
            assertArrayEquals(new float[] {1, 0, 0, 0, 0, 1}, img.pixels(), 0f, "planar " + planar);
        }
    }

    @Test
    void multiFrameUsesTheFirstFrame() {
        byte[] f = TestDicom.mono(TestDicom.EXPLICIT, 1, 2, 8, 8, false, "MONOCHROME2")
                .str(0x00280008, "IS", "3")
                .pixels8(0, 255, 9, 9, 9, 9)
                .build();
        DecodedImage img = decoder.decode(f, null);
        assertEquals(3, img.frames());
        assertArrayEquals(new float[] {0, 1}, img.pixels(), 0f);
    }

    @Test
    void sequencesOfUndefinedLengthAreSkipped() {
        for (String syntax : new String[] {TestDicom.EXPLICIT, TestDicom.IMPLICIT}) {
            boolean explicit = syntax.equals(TestDicom.EXPLICIT);
            byte[] item = TestDicom.elements(explicit, 0x00081150, "UI", "1.2.3.4", 0x00081155, "UI", "5.6.7.8");
            byte[] f = TestDicom.mono(syntax, 1, 2, 8, 8, false, "MONOCHROME2")
                    .undefinedSequence(0x00081140, item) // Referenced Image Sequence
                    .pixels8(0, 255)
                    .build();
            assertArrayEquals(new float[] {0, 1}, decoder.decode(f, null).pixels(), 0f, syntax);
        }
    }

    @Test
    void otherTransferSyntaxesAreRefusedByName() {
        String[][] cases = {
                {"1.2.840.10008.1.2.4.90", "JPEG 2000 Image Compression (Lossless Only)"},
                {"1.2.840.10008.1.2.4.70", "JPEG Lossless"},
                {"1.2.840.10008.1.2.2", "Explicit VR Big Endian"},
                {"1.2.840.10008.1.2.1.99", "Deflated Explicit VR Little Endian"},
                {"1.2.840.10008.1.2.5", "RLE Lossless"},
                {"1.2.3.4.5.6", "an unrecognized transfer syntax"},
        };
        for (String[] c : cases) {
            byte[] f = TestDicom.mono(c[0], 1, 1, 8, 8, false, "MONOCHROME2").pixels8(0, 0).build();
            VisionException e = assertThrows(VisionException.class, () -> decoder.decode(f, "application/dicom"));
            assertEquals(VisionError.VISION_UNSUPPORTED_TRANSFER_SYNTAX, e.error());
            assertEquals(415, e.error().status());
            assertTrue(e.getMessage().contains(c[1]) && e.getMessage().contains(c[0]), e.getMessage());
        }
    }

    @Test
    void aHugeImageIsRefusedBeforeAnythingIsAllocated() {
        // 50000 x 50000 cannot be expressed in US (max 65535 fits; 50000 does): header says 2.5 gigapixels, data has 4 bytes
        byte[] f = TestDicom.mono(TestDicom.EXPLICIT, 50000, 50000, 16, 16, false, "MONOCHROME2").pixels16(1, 2).build();
        VisionException e = assertThrows(VisionException.class, () -> decoder.decode(f, "application/dicom"));
        assertEquals(VisionError.VISION_IMAGE_TOO_LARGE, e.error());
        assertTrue(e.getMessage().contains("50000 x 50000"), e.getMessage());
    }

    @Test
    void brokenFilesGiveCleanErrors() throws IOException {
        byte[] good = TestDicom.mono(TestDicom.EXPLICIT, 2, 2, 16, 16, false, "MONOCHROME2").pixels16(1, 2, 3, 4).build();
        byte[] noPrefix = good.clone();
        noPrefix[128] = 'X';
        expect(VisionError.VISION_IMAGE_UNREADABLE, noPrefix, "application/dicom");
        expect(VisionError.VISION_IMAGE_TRUNCATED, Arrays.copyOf(good, good.length - 3), null);
        // image attributes but no pixel data: cut off; neither: not an image (a report, say)
        expect(VisionError.VISION_IMAGE_TRUNCATED,
                TestDicom.mono(TestDicom.EXPLICIT, 2, 2, 16, 16, false, "MONOCHROME2").build(), null);
        expect(VisionError.VISION_IMAGE_UNREADABLE,
                new TestDicom(TestDicom.EXPLICIT).str(0x00080060, "CS", "SR").build(), null);
        expect(VisionError.VISION_UNSUPPORTED_FORMAT,
                TestDicom.mono(TestDicom.EXPLICIT, 1, 1, 32, 32, false, "MONOCHROME2").pixels16(1, 2).build(), null);
        expect(VisionError.VISION_UNSUPPORTED_FORMAT,
                TestDicom.mono(TestDicom.EXPLICIT, 1, 2, 8, 8, false, "PALETTE COLOR").pixels8(1, 2).build(), null);
        expect(VisionError.VISION_IMAGE_UNREADABLE,
                TestDicom.mono(TestDicom.EXPLICIT, 2, 2, 16, 20, false, "MONOCHROME2").pixels16(1, 2, 3, 4).build(), null);
        // an element claiming far more bytes than the file has
        byte[] liar = TestDicom.mono(TestDicom.EXPLICIT, 1, 1, 8, 8, false, "MONOCHROME2")
                .raw(new byte[] {0x08, 0x00, 0x30, 0x10, 'U', 'T', 0, 0, (byte) 0xF0, (byte) 0xFF, (byte) 0xFF, 0x7F})
                .pixels8(1, 2).build();
        expect(VisionError.VISION_IMAGE_TRUNCATED, liar, null);
        // a value representation that is not two capital letters
        byte[] badVr = TestDicom.mono(TestDicom.EXPLICIT, 1, 1, 8, 8, false, "MONOCHROME2")
                .raw(new byte[] {0x08, 0x00, 0x30, 0x10, 'x', '!', 2, 0, 'a', 'b'}).pixels8(1, 2).build();
        expect(VisionError.VISION_IMAGE_UNREADABLE, badVr, null);
        // sequences nested deeper than anyone writes
        byte[] nest = new byte[0];
        for (int i = 0; i < 40; i++) {
            java.io.ByteArrayOutputStream o = new java.io.ByteArrayOutputStream();
            TestDicom.header(o, 0x00081140, "SQ", 0xFFFFFFFFL, true);
            o.writeBytes(new byte[] {(byte) 0xFE, (byte) 0xFF, 0x00, (byte) 0xE0, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF});
            o.writeBytes(nest);
            o.writeBytes(new byte[] {(byte) 0xFE, (byte) 0xFF, 0x0D, (byte) 0xE0, 0, 0, 0, 0});
            o.writeBytes(new byte[] {(byte) 0xFE, (byte) 0xFF, (byte) 0xDD, (byte) 0xE0, 0, 0, 0, 0});
            nest = o.toByteArray();
        }
        expect(VisionError.VISION_IMAGE_UNREADABLE,
                TestDicom.mono(TestDicom.EXPLICIT, 1, 2, 8, 8, false, "MONOCHROME2").raw(nest).pixels8(1, 2).build(), null);
        // JPEG Baseline whose frame disagrees with the header, and one whose fragment is cut
        byte[] jpegFrame = jpegOf(sample("cxr-siim-chest-pa-jpeg-baseline.dcm"));
        expect(VisionError.VISION_IMAGE_UNREADABLE,
                TestDicom.mono(TestDicom.JPEG_BASELINE, 512, 512, 8, 8, false, "MONOCHROME2").encapsulated(jpegFrame).build(), null);
        byte[] cut = TestDicom.mono(TestDicom.JPEG_BASELINE, 1024, 1024, 8, 8, false, "MONOCHROME2").encapsulated(jpegFrame).build();
        expect(VisionError.VISION_IMAGE_TRUNCATED, Arrays.copyOf(cut, cut.length - 5000), null);
        // more frames declared than the pixel data holds: refused, not reported as 100000 frames
        expect(VisionError.VISION_IMAGE_TRUNCATED, TestDicom.mono(TestDicom.EXPLICIT, 1, 2, 8, 8, false, "MONOCHROME2")
                .str(0x00280008, "IS", "100000").pixels8(0, 255).build(), null);
        expect(VisionError.VISION_IMAGE_TRUNCATED, TestDicom.mono(TestDicom.JPEG_BASELINE, 1024, 1024, 8, 8, false, "MONOCHROME2")
                .str(0x00280008, "IS", "2").encapsulated(jpegFrame).build(), null);
        // JPEG Baseline syntax with native pixel data
        expect(VisionError.VISION_IMAGE_UNREADABLE,
                TestDicom.mono(TestDicom.JPEG_BASELINE, 1, 2, 8, 8, false, "MONOCHROME2").pixels8(1, 2).build(), null);
    }

    @Test
    void aJpegFrameWrittenByTheTestDecodesLikeTheSample() throws IOException {
        byte[] frame = jpegOf(sample("cxr-siim-chest-pa-jpeg-baseline.dcm"));
        byte[] ours = TestDicom.mono(TestDicom.JPEG_BASELINE, 1024, 1024, 8, 8, false, "MONOCHROME1")
                .encapsulated(Arrays.copyOf(frame, frame.length / 2), Arrays.copyOfRange(frame, frame.length / 2, frame.length))
                .build();
        DecodedImage mono1 = decoder.decode(ours, "application/dicom");
        DecodedImage sample = decoder.decode(sample("cxr-siim-chest-pa-jpeg-baseline.dcm"), "application/dicom");
        for (int i = 0; i < sample.pixels().length; i += 997) {
            assertEquals(1 - sample.pixels()[i], mono1.pixels()[i], 1e-6f, "MONOCHROME1 of two fragments at " + i);
        }
    }

    /** Every truncation and random corruption of the real sample ends in a VisionException with a 4xx status. */
    @Test
    void truncatedAndCorruptedSamplesNeverEscapeAsOtherErrors() throws IOException {
        byte[] dcm = sample("cxr-siim-chest-pa-jpeg-baseline.dcm");
        for (int len = 0; len < dcm.length; len += dcm.length / 97 + 1) {
            assertClean(Arrays.copyOf(dcm, len));
        }
        Random random = new Random(42);
        for (int i = 0; i < 60; i++) {
            byte[] bad = dcm.clone();
            for (int k = 0; k < 4; k++) {
                bad[132 + random.nextInt(1400)] = (byte) random.nextInt(256);
            }
            assertClean(bad);
        }
    }

    private void assertClean(byte[] bytes) {
        try {
            decoder.decode(bytes, "application/dicom");
        } catch (VisionException e) {
            int s = e.error().status();
            assertTrue(s >= 400 && s < 500, e.error() + ": " + e.getMessage());
        }
    }

    private void expect(VisionError error, byte[] bytes, String type) {
        VisionException e = assertThrows(VisionException.class, () -> decoder.decode(bytes, type));
        assertEquals(error, e.error(), e.getMessage());
        assertTrue(e.getMessage().length() > 20, e.getMessage());
    }

    static byte[] jpegOf(byte[] dcm) {
        int start = indexOf(dcm, new byte[] {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF});
        int end = lastIndexOf(dcm, new byte[] {(byte) 0xFF, (byte) 0xD9}) + 2;
        byte[] f = Arrays.copyOfRange(dcm, start, end);
        return f.length % 2 == 0 ? f : Arrays.copyOf(f, f.length + 1);
    }

    static int indexOf(byte[] b, byte[] what) {
        return Headers.indexOf(b, what, 0);
    }

    static int lastIndexOf(byte[] b, byte[] what) {
        for (int i = b.length - what.length; i >= 0; i--) {
            if (Arrays.equals(b, i, i + what.length, what, 0, what.length)) {
                return i;
            }
        }
        return -1;
    }
}
