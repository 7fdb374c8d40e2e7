package org.mededge.llm;

import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;

/**
 * An installed, verified language model as the engine receives it: its directory and its parsed
 * model.yaml ({@code spec}: files with sha256, modelFile, tokenizer, chatTemplate, eosTokens,
 * contextLength, loraBase, adapters; see firmware-scripts/llm/README.md).
 */
public record LlmModel(String name, String version, Path dir, Map<String, Object> spec) {
    public LlmModel {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(dir, "dir");
        spec = spec == null ? Map.of() : Map.copyOf(spec);
    }
}
