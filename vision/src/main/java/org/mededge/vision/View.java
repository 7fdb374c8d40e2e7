package org.mededge.vision;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

import javax.imageio.ImageIO;

import org.mededge.vision.io.DecodedImage;

/**
 * What a viewer shows of a study: its display image (the DICOM window applied, MONOCHROME1 already
 * inverted) as 8-bit grey, shrunk by area averaging to at most {@link #MAX_SIDE} pixels a side, kept
 * with the study so that a radiologist can window it and lay a heatmap over it.
 */
public record View(int width, int height, byte[] grey) {
    public static final int MAX_SIDE = 512;

    /** The view of a decoded image (colour as the mean of its channels). */
    public static View of(DecodedImage img) {
        double scale = Math.min(1.0, (double) MAX_SIDE / Math.max(img.width(), img.height()));
        int w = Math.max(1, (int) Math.round(img.width() * scale));
        int h = Math.max(1, (int) Math.round(img.height() * scale));
        byte[] out = new byte[w * h];
        int c = img.channels();
        float[] px = img.pixels();
        if (w == img.width() && h == img.height() && c == 1) {
            for (int i = 0; i < out.length; i++) {   // shown at its size: one conversion per pixel
                out[i] = (byte) Math.round(Math.max(0f, Math.min(1f, px[i])) * 255);
            }
            return new View(w, h, out);
        }
        int[] xs = new int[w + 1];
        for (int x = 0; x <= w; x++) {
            xs[x] = (int) ((long) x * img.width() / w);
        }
        for (int y = 0; y < h; y++) {
            int y0 = (int) ((long) y * img.height() / h);
            int y1 = Math.max(y0 + 1, (int) ((long) (y + 1) * img.height() / h));
            for (int x = 0; x < w; x++) {
                int x0 = xs[x];
                int x1 = Math.max(x0 + 1, xs[x + 1]);
                double sum = 0;
                for (int yy = y0; yy < y1; yy++) {
                    int row = yy * img.width();
                    for (int xx = x0; xx < x1; xx++) {
                        for (int k = 0; k < c; k++) {
                            sum += px[(row + xx) * c + k];
                        }
                    }
                }
                double v = sum / ((double) (y1 - y0) * (x1 - x0) * c);
                out[y * w + x] = (byte) Math.round(Math.max(0, Math.min(1, v)) * 255);
            }
        }
        return new View(w, h, out);
    }

    /** The view as a grey PNG. */
    public byte[] png() {
        BufferedImage b = new BufferedImage(width, height, BufferedImage.TYPE_BYTE_GRAY);
        b.getRaster().setDataElements(0, 0, width, height, grey);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(b, "png", out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
