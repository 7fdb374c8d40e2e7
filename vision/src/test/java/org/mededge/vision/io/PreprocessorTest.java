package org.mededge.vision.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import org.mededge.vision.ModelSpec;

/** The declared preprocessing, checked on images whose right answer is known. */
class PreprocessorTest {

    static ModelSpec spec(int channels, int w, int h, Map<String, Object> preprocessing) {
        Map<String, Object> yaml = Map.of(
                "name", "t", "version", "1",
                "files", List.of(Map.of("path", "model.onnx")),
                "inputs", List.of(Map.of("name", "x", "shape", List.of(1, channels, h, w))),
                "preprocessing", preprocessing,
                "labels", Map.of("list", List.of(Map.of("name", "a"))));
        return ModelSpec.from(yaml, Path.of("/nonexistent/t/1"), null);
    }

    static DecodedImage image(int w, int h, int c, float[] px) {
        return new DecodedImage(w, h, c, px, "test", null, null, null, 1, null);
    }

    @Test
    void imageNetNormalizationPerChannel() {
        ModelSpec s = spec(3, 4, 4, Map.of("colour", "rgb", "resize", "stretch",
                "mean", List.of(0.485, 0.456, 0.406), "std", List.of(0.229, 0.224, 0.225)));
        float[] px = new float[8 * 8 * 3];
        for (int i = 0; i < px.length; i += 3) {
            px[i] = 1f;       // R
            px[i + 1] = 0.5f; // G
            px[i + 2] = 0f;   // B
        }
        float[] t = new Preprocessor(s).apply(image(8, 8, 3, px)).tensor().data();
        assertEquals((1 - 0.485) / 0.229, t[0], 1e-5);          // first plane is R
        assertEquals((0.5 - 0.456) / 0.224, t[16], 1e-5);       // second plane G
        assertEquals((0 - 0.406) / 0.225, t[32 + 15], 1e-5);    // last value of the B plane
    }

    @Test
    void torchXrayVisionScalingAndGreyAsTheChannelMean() {
        ModelSpec s = spec(1, 2, 2, Map.of("colour", "grey", "resize", "stretch", "scale", List.of(-1024.0, 1024.0)));
        float[] px = {0, 0.3f, 0.6f, 1, 1, 1, 0.25f, 0.25f, 0.25f, 0, 0, 0};
        float[] t = new Preprocessor(s).apply(image(2, 2, 3, px)).tensor().data();
        assertArrayEquals(new float[] {(float) (0.3 * 2048 - 1024), 1024f, -512f, -1024f}, t, 1e-2f);
    }

    @Test
    void centreCropKeepsTheMiddleAndLetterboxPads() {
        // 8 x 4 image: left quarter black, middle half grey, right quarter white
        float[] px = new float[32];
        for (int y = 0; y < 4; y++) {
            for (int x = 0; x < 8; x++) {
                px[y * 8 + x] = x < 2 ? 0f : x < 6 ? 0.5f : 1f;
            }
        }
        float[] crop = new Preprocessor(spec(1, 4, 4, Map.of("resize", "centre-crop"))).apply(image(8, 4, 1, px)).tensor().data();
        for (float v : crop) {
            assertEquals(0.5f, v, 1e-6f, "the centre 4 x 4 is all grey");
        }
        Preprocessor.ModelInput box = new Preprocessor(spec(1, 8, 8, Map.of("resize", "letterbox", "pad", 0.25)))
                .apply(image(8, 4, 1, px));
        float[] t = box.tensor().data();
        assertEquals(0.25f, t[0], 1e-6f, "padding above");
        assertEquals(0.25f, t[63], 1e-6f, "padding below");
        assertEquals(0f, t[2 * 8], 1e-6f, "image starts at row 2");
        assertEquals(1f, t[5 * 8 + 7], 1e-6f, "image ends at row 5");
        assertEquals(64, box.preview().length);
        assertEquals((byte) 64, box.preview()[0], "preview holds display values as 8-bit");
    }

    @Test
    void invertAndClahe() {
        float[] px = new float[64 * 64];
        for (int i = 0; i < px.length; i++) {
            px[i] = 0.45f + 0.1f * ((i % 64) / 64f); // a low-contrast ramp
        }
        float[] plain = new Preprocessor(spec(1, 64, 64, Map.of())).apply(image(64, 64, 1, px)).tensor().data();
        float[] inverted = new Preprocessor(spec(1, 64, 64, Map.of("invert", true))).apply(image(64, 64, 1, px)).tensor().data();
        assertEquals(1 - plain[100], inverted[100], 1e-6f);
        float[] clahe = new Preprocessor(spec(1, 64, 64, Map.of("clahe", Map.of("clipLimit", 40.0, "tiles", 2))))
                .apply(image(64, 64, 1, px)).tensor().data();
        assertTrue(std(clahe) > 2 * std(plain), "CLAHE stretches contrast: " + std(plain) + " -> " + std(clahe));
    }

    private static double std(float[] v) {
        double mean = 0;
        for (float x : v) {
            mean += x;
        }
        mean /= v.length;
        double s = 0;
        for (float x : v) {
            s += (x - mean) * (x - mean);
        }
        return Math.sqrt(s / v.length);
    }
}
