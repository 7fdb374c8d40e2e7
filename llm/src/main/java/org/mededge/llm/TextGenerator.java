package org.mededge.llm;

import java.util.List;

/** The language engine: one loaded base model, its LoRA adapters, and generation per request. */
public interface TextGenerator extends AutoCloseable {

    /**
     * Generates for one request; the request's adapter and options never affect another request.
     * Safe to call from several threads at once.
     *
     * @throws LlmException with a stable code: an unknown or refused adapter, an invalid request
     *                      (schema, prompt too long), or an engine failure
     */
    Generation generate(GenerationRequest request);

    /** Adapters loaded at start-up, by name. */
    List<String> adapters();

    /** Every declared adapter with its provenance, the refused ones included. */
    default List<AdapterInfo> adapterInfo() {
        return adapters().stream().map(n -> new AdapterInfo(n, null, null, null, null, null, 0, 0, List.of(), null, null,
                null, AdapterInfo.State.LOADED, "loaded")).toList();
    }

    @Override
    void close();
}
