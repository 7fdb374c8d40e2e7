package org.mededge.asr;

import java.util.List;

/**
 * What the speech engine heard: the dictation's text after post-processing (voice commands,
 * corrections), its language, duration, and segments.
 *
 * @param language ISO 639-1 code ("zh", "en") as detected or requested
 * @param model    provenance: model name, version, sha256 and engine that produced it
 */
public record Transcript(String text, String language, long durationMs, List<Segment> segments, ModelProvenance model) {
    public Transcript {
        text = text == null ? "" : text;
        segments = List.copyOf(segments);
    }

    /** True when any segment was marked low-confidence. */
    public boolean hasLowConfidence() {
        return segments.stream().anyMatch(Segment::lowConfidence);
    }

    /** Model provenance carried by every result. */
    public record ModelProvenance(String name, String version, String sha256, String engine, String device) {
    }
}
