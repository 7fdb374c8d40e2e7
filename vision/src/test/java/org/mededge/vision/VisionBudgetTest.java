package org.mededge.vision;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.Test;

/**
 * Admission by decoded pixels: studies in flight together may not hold more decoded pixels than
 * {@code max-pixels-in-flight}, however few they are, so that a burst of large images cannot take
 * the appliance's memory. A study takes its header's width x height before it is decoded.
 */
class VisionBudgetTest {
    private static final int SIDE = 4000; // 16 Mpx: decoding and scaling it takes a noticeable while

    private static byte[] bigPng() throws IOException {
        BufferedImage img = new BufferedImage(SIDE, SIDE, BufferedImage.TYPE_BYTE_GRAY);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(img, "png", out);
        return out.toByteArray();
    }

    private static VisionConfig config(long budget) {
        VisionConfig d = TestModels.config("onnxruntime");
        // four slots: only the pixel budget can refuse here; no wait, so a spent budget answers at once
        return new VisionConfig(List.of("onnxruntime"), d.device(), d.maxImageBytes(), (long) SIDE * SIDE, d.threads(), 4,
                budget, Duration.ZERO, d.acceleratedTolerance(), d.heatmapGrid());
    }

    /**
     * Sends small studies while the large one is in flight: what each was answered (a reading or the
     * refusal). Where a small study held its few pixels just as the large one asked for all of them, the
     * large one was refused: that try is not counted and the large study is sent again.
     */
    private static List<Object> smallWhileLargeInFlight(VisionEngine engine, byte[] big, byte[] small) throws Exception {
        for (int attempt = 0; attempt < 20; attempt++) {
            List<Object> answers = new java.util.ArrayList<>();
            CompletableFuture<ImagingModel.Analysis> large = CompletableFuture.supplyAsync(() -> engine.analyze(big, "image/png"));
            while (!large.isDone()) {
                Object answer;
                try {
                    answer = engine.analyze(small, "image/jpeg");
                } catch (VisionException e) {
                    answer = e;
                }
                if (!large.isDone()) {
                    answers.add(answer);
                }
                Thread.sleep(2);
            }
            try {
                assertTrue(large.get(60, TimeUnit.SECONDS).findings().findings().size() > 0, "the large study itself is read");
                return answers;
            } catch (java.util.concurrent.ExecutionException e) {
                if (!(e.getCause() instanceof VisionException v) || v.error() != VisionError.VISION_BUSY) {
                    throw e;
                }
            }
        }
        throw new AssertionError("the large study never got its pixels in 20 tries");
    }

    @Test
    void aSpentPixelBudgetRefusesTheNextStudyWithVisionBusy() throws Exception {
        byte[] big = bigPng();
        byte[] small = VisionEngineTest.sample("img-mnist-3.jpg");
        // the budget is exactly one large image: while it is decoded nothing else may be
        try (VisionEngine engine = VisionEngine.open(TestModels.spec("mnist"), config((long) SIDE * SIDE))) {
            List<Object> answers = smallWhileLargeInFlight(engine, big, small);
            VisionException e = (VisionException) answers.stream().filter(a -> a instanceof VisionException).findFirst()
                    .orElseThrow(() -> new AssertionError("no study was refused while the budget was spent: " + answers));
            assertEquals(VisionError.VISION_BUSY, e.error());
            assertTrue(e.getMessage().contains("decoded-pixel budget"), e.getMessage());
            // once the large study is done its pixels are back: the same small study is read
            assertEquals("3", engine.analyze(small, "image/jpeg").findings().findings().get(0).label());
        }
        // with room for both, the small study is read while the large one is in flight
        try (VisionEngine engine = VisionEngine.open(TestModels.spec("mnist"), config(2L * SIDE * SIDE))) {
            List<Object> answers = smallWhileLargeInFlight(engine, big, small);
            assertTrue(!answers.isEmpty() && answers.stream().allMatch(a -> a instanceof ImagingModel.Analysis),
                    "every small study is read: " + answers);
        }
    }

    @Test
    void theBudgetMustHoldAtLeastOneImage() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> config(SIDE * SIDE - 1L));
        assertTrue(e.getMessage().contains("max-pixels-in-flight"), e.getMessage());
    }
}
