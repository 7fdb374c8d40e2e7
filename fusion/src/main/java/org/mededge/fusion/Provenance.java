package org.mededge.fusion;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * What produced a report: every model (and adapter) used, and per-stage timings in milliseconds.
 */
public record Provenance(List<ModelRef> models, Map<String, Double> timings) {
    public Provenance {
        models = List.copyOf(models);
        timings = Collections.unmodifiableMap(new LinkedHashMap<>(timings));
    }

    /**
     * One model or rule set that contributed.
     *
     * @param role         asr, vision, llm or rules
     * @param finishReason for a language model: why generation ended
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record ModelRef(String role, String name, String version, String sha256, String engine, String device,
                           String adapter, String finishReason) {
    }
}
