package org.mededge.vision.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Arrays;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.Test;

import org.mededge.vision.VisionError;
import org.mededge.vision.VisionException;

/** PNG and JPEG decoding against the JDK's own decoders, and a corpus of bad uploads. */
class ImageDecoderTest {
    private final ImageDecoder decoder = new ImageDecoder(new ImageLimits(8L << 20, 4_000_000L));

    @Test
    void chestXrayPngsDecodePixelForPixel() throws IOException {
        for (String name : new String[] {"cxr-nih-00000001_000-cardiomegaly.png", "cxr-nih-00027426_000-nofinding.png"}) {
            byte[] bytes = Files.readAllBytes(TestFiles.sample(name));
            DecodedImage img = decoder.decode(bytes, "image/png");
            assertEquals(512, img.width());
            assertEquals(512, img.height());
            assertEquals(1, img.channels());
            assertEquals("png", img.format());
            Raster jdk = ImageIO.read(new ByteArrayInputStream(bytes)).getRaster();
            double sum = 0;
            double jdkSum = 0;
            for (int y = 0; y < 512; y++) {
                for (int x = 0; x < 512; x++) {
                    int v = jdk.getSample(x, y, 0);
                    assertEquals(v / 255f, img.at(x, y, 0), 1e-7f, name + " at " + x + "," + y);
                    sum += img.at(x, y, 0);
                    jdkSum += v;
                }
            }
            double mean = sum / (512 * 512);
            assertEquals(jdkSum / (512 * 512) / 255, mean, 1e-6);
            // a radiograph: neither blank nor saturated
            assertTrue(mean > 0.2 && mean < 0.8, name + " mean " + mean);
        }
    }

    @Test
    void sixteenBitGreyPngKeepsItsDepth() throws IOException {
        BufferedImage img = new BufferedImage(300, 2, BufferedImage.TYPE_USHORT_GRAY);
        for (int x = 0; x < 300; x++) {
            img.getRaster().setSample(x, 0, 0, x * 218);
            img.getRaster().setSample(x, 1, 0, 65535 - x);
        }
        DecodedImage d = decoder.decode(encode(img, "png"), "image/png");
        for (int x = 0; x < 300; x++) {
            assertEquals(x * 218 / 65535f, d.at(x, 0, 0), 1e-7f);
            assertEquals((65535 - x) / 65535f, d.at(x, 1, 0), 1e-7f, "16-bit steps survive (8-bit would merge them)");
        }
        assertEquals(65535, d.window().width(), 0);
    }

    @Test
    void rgbPngIsRgbInThatOrder() throws IOException {
        BufferedImage img = new BufferedImage(2, 1, BufferedImage.TYPE_INT_RGB);
        img.setRGB(0, 0, 0xFF0000);
        img.setRGB(1, 0, 0x0000FF);
        DecodedImage d = decoder.decode(encode(img, "png"), null);
        assertEquals(3, d.channels());
        assertEquals(1f, d.at(0, 0, 0), 0f);
        assertEquals(0f, d.at(0, 0, 2), 0f);
        assertEquals(1f, d.at(1, 0, 2), 0f);
    }

    @Test
    void colourJpegMatchesTheJdkDecoder() throws IOException {
        byte[] bytes = Files.readAllBytes(TestFiles.sample("cxr-16747_3_1.jpg"));
        DecodedImage img = decoder.decode(bytes, "image/jpeg");
        assertEquals(1036, img.width());
        assertEquals(885, img.height());
        assertEquals(3, img.channels());
        BufferedImage jdk = ImageIO.read(new ByteArrayInputStream(bytes));
        double diff = 0;
        for (int y = 0; y < 885; y += 3) {
            for (int x = 0; x < 1036; x += 3) {
                int rgb = jdk.getRGB(x, y);
                diff += Math.abs(img.at(x, y, 0) * 255 - ((rgb >> 16) & 0xFF));
                diff += Math.abs(img.at(x, y, 2) * 255 - (rgb & 0xFF));
            }
        }
        double mean = diff / (2.0 * (885 / 3 + 1) * (1036 / 3 + 1));
        assertTrue(mean < 1.5, "mean difference from the JDK decoder " + mean + " grey levels");
    }

    @Test
    void theDeclaredTypeMustMatchTheBytes() throws IOException {
        byte[] jpeg = Files.readAllBytes(TestFiles.sample("img-pelican.jpeg"));
        VisionException e = assertThrows(VisionException.class, () -> decoder.decode(jpeg, "image/png"));
        assertEquals(VisionError.VISION_UNSUPPORTED_FORMAT, e.error());
        assertTrue(e.getMessage().contains("JPEG") && e.getMessage().contains("image/jpeg"), e.getMessage());
        assertEquals(500, decoder.decode(jpeg, "application/octet-stream").width(), "octet-stream: the bytes decide");
    }

    @Test
    void badUploadsGiveCleanErrors() throws IOException {
        byte[] png = Files.readAllBytes(TestFiles.sample("cxr-nih-00000001_000-cardiomegaly.png"));
        byte[] jpeg = Files.readAllBytes(TestFiles.sample("img-pelican.jpeg"));
        expect(VisionError.VISION_IMAGE_EMPTY, new byte[0], "image/png");
        expect(VisionError.VISION_IMAGE_UNREADABLE, "hello, this is not an image at all".getBytes(StandardCharsets.UTF_8), "image/png");
        expect(VisionError.VISION_IMAGE_UNREADABLE, "not DICOM".getBytes(StandardCharsets.UTF_8), "application/dicom");
        expect(VisionError.VISION_UNSUPPORTED_FORMAT, "GIF89a......".getBytes(StandardCharsets.ISO_8859_1), null);
        expect(VisionError.VISION_UNSUPPORTED_FORMAT, "%PDF-1.7 ....".getBytes(StandardCharsets.ISO_8859_1), "image/png");
        expect(VisionError.VISION_IMAGE_TRUNCATED, Arrays.copyOf(png, png.length / 2), "image/png");
        expect(VisionError.VISION_IMAGE_TRUNCATED, Arrays.copyOf(png, 20), "image/png");
        expect(VisionError.VISION_IMAGE_TRUNCATED, Arrays.copyOf(jpeg, jpeg.length / 2), "image/jpeg");
        expect(VisionError.VISION_IMAGE_TRUNCATED, Arrays.copyOf(jpeg, 100), "image/jpeg");
        // PNG data scrambled but complete: the decoder's checksums catch it
        byte[] scrambled = png.clone();
        for (int i = 200; i < scrambled.length - 200; i += 50) {
            scrambled[i] ^= 0x5A;
        }
        expect(VisionError.VISION_IMAGE_UNREADABLE, scrambled, "image/png");
        // bigger than the byte limit
        expect(VisionError.VISION_IMAGE_TOO_LARGE, new byte[(8 << 20) + 1], "image/png");
        // 12-bit JPEG
        byte[] twelve = jpeg.clone();
        int sof = sof(twelve);
        twelve[sof + 4] = 12;
        expect(VisionError.VISION_UNSUPPORTED_FORMAT, twelve, "image/jpeg");
    }

    @Test
    void decompressionBombsAreRefusedFromTheHeader() throws IOException {
        // a real PNG whose header claims 50000 x 50000: 2.5 gigapixels, 10 GB as floats
        byte[] png = Files.readAllBytes(TestFiles.sample("cxr-nih-00000001_000-cardiomegaly.png"));
        byte[] bomb = png.clone();
        writeBe32(bomb, 16, 50000);
        writeBe32(bomb, 20, 50000);
        VisionException e = expect(VisionError.VISION_IMAGE_TOO_LARGE, bomb, "image/png");
        assertTrue(e.getMessage().contains("50000 x 50000"), e.getMessage());

        byte[] jpeg = Files.readAllBytes(TestFiles.sample("img-pelican.jpeg"));
        byte[] jbomb = jpeg.clone();
        int sof = sof(jbomb);
        jbomb[sof + 5] = (byte) (50000 >> 8);
        jbomb[sof + 6] = (byte) 50000;
        jbomb[sof + 7] = (byte) (50000 >> 8);
        jbomb[sof + 8] = (byte) 50000;
        expect(VisionError.VISION_IMAGE_TOO_LARGE, jbomb, "image/jpeg");
        // a header claiming 0 pixels
        byte[] zero = png.clone();
        writeBe32(zero, 16, 0);
        expect(VisionError.VISION_IMAGE_UNREADABLE, zero, "image/png");
    }

    private VisionException expect(VisionError error, byte[] bytes, String type) {
        VisionException e = assertThrows(VisionException.class, () -> decoder.decode(bytes, type));
        assertEquals(error, e.error(), e.getMessage());
        return e;
    }

    static int sof(byte[] jpeg) {
        for (int i = 2; i < jpeg.length - 1; i++) {
            if ((jpeg[i] & 0xFF) == 0xFF && ((jpeg[i + 1] & 0xFF) == 0xC0 || (jpeg[i + 1] & 0xFF) == 0xC2)) {
                return i;
            }
        }
        throw new AssertionError("no SOF");
    }

    private static void writeBe32(byte[] b, int at, int v) {
        b[at] = (byte) (v >>> 24);
        b[at + 1] = (byte) (v >>> 16);
        b[at + 2] = (byte) (v >>> 8);
        b[at + 3] = (byte) v;
    }

    static byte[] encode(BufferedImage img, String format) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(img, format, out);
        return out.toByteArray();
    }
}
