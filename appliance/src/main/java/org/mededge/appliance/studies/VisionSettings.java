package org.mededge.appliance.studies;

import java.time.Duration;
import java.util.List;

import io.helidon.config.Config;

import org.mededge.vision.VisionConfig;

/**
 * Builds the imaging engine's {@link VisionConfig} and the studies route's own settings from the
 * {@code mededge.vision} section of application.yaml (environment variables override, e.g.
 * MEDEDGE_VISION_BACKENDS=onnxruntime).
 *
 * @param keepStudies     analysed studies kept in memory for heatmaps (the oldest goes first)
 * @param keepFor         how long a study stays available for heatmaps
 */
public record VisionSettings(VisionConfig engine, int keepStudies, Duration keepFor) {
    public VisionSettings {
        if (keepStudies < 0) {
            throw new IllegalArgumentException("mededge.vision.keep-studies must be >= 0");
        }
        if (keepFor.isNegative() || keepFor.isZero()) {
            throw new IllegalArgumentException("mededge.vision.keep-minutes must be > 0");
        }
    }

    public static VisionSettings from(Config c) {
        VisionConfig d = VisionConfig.defaults();
        Config b = c.get("backends");
        // a list in application.yaml; a comma-separated value from an environment variable wins
        List<String> backends = b.hasValue()
                ? b.asString().map(s -> List.of(s.split(","))).get()
                : b.asList(String.class).orElse(d.backends());
        VisionConfig engine = new VisionConfig(
                backends,
                c.get("device").asString().orElse(d.device()),
                c.get("max-image-bytes").asLong().orElse(d.maxImageBytes()),
                c.get("max-pixels").asLong().orElse(d.maxPixels()),
                c.get("threads").asInt().orElse(d.threads()),
                c.get("max-concurrent").asInt().orElse(d.maxConcurrent()),
                c.get("max-pixels-in-flight").asLong().orElse(d.maxPixelsInFlight()),
                Duration.ofMillis(c.get("queue-timeout-ms").asLong().orElse(d.queueTimeout().toMillis())),
                c.get("accelerated-tolerance").asDouble().orElse(d.acceleratedTolerance()),
                c.get("heatmap-grid").asInt().orElse(d.heatmapGrid()));
        return new VisionSettings(engine, c.get("keep-studies").asInt().orElse(64),
                Duration.ofMinutes(c.get("keep-minutes").asLong().orElse(60L)));
    }
}
