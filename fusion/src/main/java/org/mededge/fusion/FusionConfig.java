package org.mededge.fusion;

import java.time.Duration;
import java.util.Objects;

/**
 * Fusion's typed configuration, validated here; the appliance builds it once from
 * {@code mededge.fusion} in application.yaml.
 *
 * @param maxTextBytes        longest note or radiology text accepted, in UTF-8 bytes
 * @param reviewThreshold     an assessment below this confidence is flagged NEEDS_REVIEW
 * @param assessmentMaxTokens most tokens the language model may generate for an assessment
 * @param assessmentDeadline  how long the assessment may take before the report goes without one
 * @param validateFhir        validate every emitted bundle on the request path (off: tests and
 *                            the warm-up validate; the bundle builders are covered by them)
 */
public record FusionConfig(int maxTextBytes, double reviewThreshold, int assessmentMaxTokens,
                           Duration assessmentDeadline, boolean validateFhir) {

    public FusionConfig {
        if (maxTextBytes < 16 || maxTextBytes > (4 << 20)) {
            throw new IllegalArgumentException("mededge.fusion.max-text-bytes must be 16..4194304, was " + maxTextBytes);
        }
        if (!(reviewThreshold >= 0 && reviewThreshold <= 1)) {
            throw new IllegalArgumentException("mededge.fusion.review-threshold must be within 0..1, was " + reviewThreshold);
        }
        if (assessmentMaxTokens < 16 || assessmentMaxTokens > 4096) {
            throw new IllegalArgumentException("mededge.fusion.assessment-max-tokens must be 16..4096, was " + assessmentMaxTokens);
        }
        Objects.requireNonNull(assessmentDeadline, "assessmentDeadline");
        if (assessmentDeadline.isNegative() || assessmentDeadline.isZero()) {
            throw new IllegalArgumentException("mededge.fusion.assessment-deadline-seconds must be positive");
        }
    }

    /** The defaults application.yaml also states. */
    public static FusionConfig defaults() {
        return new FusionConfig(65536, 0.6, 256, Duration.ofSeconds(60), false);
    }
}
