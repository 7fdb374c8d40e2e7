package org.mededge.appliance.notes;

import java.time.Duration;

import io.helidon.config.Config;

import org.mededge.fusion.FusionConfig;

/**
 * The {@code mededge.fusion} section of the configuration as fusion's typed config record. Every
 * key has its default in application.yaml; environment variables override as everywhere
 * (MEDEDGE_FUSION_MAX_TEXT_BYTES, ...). Invalid values fail at start-up with the key named.
 */
public final class FusionSettings {
    private FusionSettings() {
    }

    public static FusionConfig from(Config c) {
        FusionConfig d = FusionConfig.defaults();
        return new FusionConfig(
                c.get("max-text-bytes").asInt().orElse(d.maxTextBytes()),
                c.get("review-threshold").asDouble().orElse(d.reviewThreshold()),
                c.get("assessment-max-tokens").asInt().orElse(d.assessmentMaxTokens()),
                Duration.ofMillis(Math.round(c.get("assessment-deadline-seconds").asDouble()
                        .orElse(d.assessmentDeadline().toMillis() / 1000.0) * 1000)),
                c.get("validate-fhir").asBoolean().orElse(d.validateFhir()));
    }
}
