package org.mededge.llm;

import java.util.List;

/**
 * A declared LoRA adapter and what became of it at start-up, with its provenance.
 *
 * @param baseModel the base the adapter was trained for (model.yaml {@code loraBase} of the models it fits)
 * @param state     LOADED, or REFUSED with the reason in {@code detail}
 */
public record AdapterInfo(
        String name,
        String specialty,
        String version,
        String file,
        String sha256,
        String baseModel,
        int rank,
        double alpha,
        List<String> targetModules,
        String source,
        String licence,
        String description,
        State state,
        String detail) {

    public enum State { LOADED, REFUSED }

    public AdapterInfo {
        targetModules = targetModules == null ? List.of() : List.copyOf(targetModules);
    }

    public boolean loaded() {
        return state == State.LOADED;
    }
}
