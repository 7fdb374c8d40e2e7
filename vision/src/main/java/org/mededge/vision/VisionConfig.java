package org.mededge.vision;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The imaging engine's configuration, validated here.
 *
 * @param backends             preference order, from {tensorrt, onnxruntime, torch}: the first that
 *                             loads serves; why the others did not is reported
 * @param device               auto (a GPU where the backend has one), cpu, or gpu
 * @param maxImageBytes        largest upload accepted
 * @param maxPixels            largest width x height accepted, checked from the header before decoding
 * @param threads              intra-op threads for ONNX Runtime; 0 lets it choose
 * @param maxConcurrent        studies decoded and inferred at once (bounds CPU work); more wait
 * @param maxPixelsInFlight    decoded pixels all studies in flight may hold together (bounds memory:
 *                             a decoded pixel costs about 4 bytes per channel, several times over while
 *                             it is converted); a study takes its header's width x height of this
 *                             budget before it is decoded, and waits while the budget is spent
 * @param queueTimeout         how long a study waits for a slot before VISION_BUSY
 * @param acceleratedTolerance largest difference in any label's probability allowed between an
 *                             accelerated backend and the CPU ONNX Runtime reference at start-up
 *                             (0 skips the check)
 * @param heatmapGrid          occlusion heatmap: the patch stride is the input side / grid, the patch
 *                             twice the stride
 */
public record VisionConfig(List<String> backends, String device, long maxImageBytes, long maxPixels, int threads,
                           int maxConcurrent, long maxPixelsInFlight, Duration queueTimeout, double acceleratedTolerance,
                           int heatmapGrid) {
    public static final Set<String> BACKENDS = Set.of("tensorrt", "onnxruntime", "torch");

    public VisionConfig {
        backends = backends.stream().map(b -> b.strip().toLowerCase(Locale.ROOT)).toList();
        if (backends.isEmpty()) {
            throw new IllegalArgumentException("mededge.vision.backends must name at least one of " + BACKENDS);
        }
        Set<String> seen = new HashSet<>();
        for (String b : backends) {
            if (!BACKENDS.contains(b)) {
                throw new IllegalArgumentException("mededge.vision.backends: '" + b + "' is not one of tensorrt, onnxruntime, torch");
            }
            if (!seen.add(b)) {
                throw new IllegalArgumentException("mededge.vision.backends names '" + b + "' twice");
            }
        }
        device = device.strip().toLowerCase(Locale.ROOT);
        if (!Set.of("auto", "cpu", "gpu").contains(device)) {
            throw new IllegalArgumentException("mededge.vision.device must be auto, cpu or gpu, was '" + device + "'");
        }
        if (maxImageBytes < 1024) {
            throw new IllegalArgumentException("mededge.vision.max-image-bytes must be at least 1024");
        }
        if (maxPixels < 4096 || maxPixels > org.mededge.vision.io.ImageLimits.MAX_PIXELS) {
            throw new IllegalArgumentException("mededge.vision.max-pixels must be 4096.." + org.mededge.vision.io.ImageLimits.MAX_PIXELS);
        }
        if (threads < 0 || maxConcurrent < 1) {
            throw new IllegalArgumentException("mededge.vision.threads must be >= 0 and max-concurrent >= 1");
        }
        if (maxPixelsInFlight < maxPixels || maxPixelsInFlight > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("mededge.vision.max-pixels-in-flight must be at least max-pixels ("
                    + maxPixels + ", one image) and at most " + Integer.MAX_VALUE);
        }
        if (queueTimeout.isNegative()) {
            throw new IllegalArgumentException("mededge.vision.queue-timeout-ms must be >= 0");
        }
        if (!(acceleratedTolerance >= 0 && acceleratedTolerance <= 1)) {
            throw new IllegalArgumentException("mededge.vision.accelerated-tolerance must be in [0, 1]");
        }
        if (heatmapGrid < 2 || heatmapGrid > 64) {
            throw new IllegalArgumentException("mededge.vision.heatmap-grid must be 2..64");
        }
    }

    /** The defaults application.yaml also states. */
    public static VisionConfig defaults() {
        return new VisionConfig(List.of("tensorrt", "onnxruntime", "torch"), "auto", 64L << 20, 36_000_000L, 0, 2,
                36_000_000L, Duration.ofSeconds(30), 0.02, 14);
    }

    public VisionConfig withBackends(List<String> order) {
        return new VisionConfig(order, device, maxImageBytes, maxPixels, threads, maxConcurrent, maxPixelsInFlight,
                queueTimeout, acceleratedTolerance, heatmapGrid);
    }

    /** The same with another pixel budget and queue wait (for tests of admission). */
    public VisionConfig withBudget(long pixelsInFlight, Duration wait) {
        return new VisionConfig(backends, device, maxImageBytes, maxPixels, threads, maxConcurrent, pixelsInFlight,
                wait, acceleratedTolerance, heatmapGrid);
    }
}
