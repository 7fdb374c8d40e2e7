package org.mededge.llm;

import java.util.List;

/** The language engine: one loaded base model, its LoRA adapters, and generation per request. */
public interface TextGenerator extends AutoCloseable {

    /** Generates for one request; the request's adapter and options never affect another request. */
    Generation generate(GenerationRequest request);

    /** Adapters loaded at start-up, by name. */
    List<String> adapters();

    @Override
    void close();
}
