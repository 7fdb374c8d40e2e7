package org.mededge.vision;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.Test;

import org.mededge.vision.io.DecodedImage;

/** The viewer's display image: shrunk by area averaging to at most 512 px a side, colour as the channel mean. */
class ViewTest {

    @Test
    void aLargeImageIsShrunkByAreaAveragingAndAColourImageGreyed() throws Exception {
        int w = 1024;
        int h = 600;
        float[] px = new float[w * h];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                px[y * w + x] = x % 2 == 0 ? 0f : 1f;   // columns alternate black and white: every 2x2 block averages 0.5
            }
        }
        View v = View.of(new DecodedImage(w, h, 1, px, "png", null, null, null, 1, null));
        assertEquals(512, v.width());
        assertEquals(300, v.height());
        for (byte b : v.grey()) {
            assertEquals(128, b & 0xff);
        }
        BufferedImage back = ImageIO.read(new ByteArrayInputStream(v.png()));
        assertEquals(512, back.getWidth());
        assertEquals(128, back.getRaster().getSample(10, 10, 0));

        float[] rgb = {1f, 0f, 0.5f, 0.2f, 0.2f, 0.2f};
        View c = View.of(new DecodedImage(2, 1, 3, rgb, "png", null, null, null, 1, null));
        assertEquals(128, c.grey()[0] & 0xff);
        assertEquals(51, c.grey()[1] & 0xff);
    }
}
