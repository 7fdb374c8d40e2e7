package org.mededge.appliance.language;

import io.helidon.config.Config;

import org.mededge.llm.LlmConfig;

/**
 * The language engine's settings from the {@code mededge.llm} section of application.yaml
 * (environment variables override, e.g. MEDEDGE_LLM_CONCURRENCY=1), validated here.
 *
 * @param concurrency       generations running at once (each its own ONNX Runtime run)
 * @param queueCapacity     requests allowed to wait for a free slot; beyond it 503 + Retry-After
 * @param engine            the engine's own settings (threads, max new tokens, prefill chunk)
 */
public record LanguageSettings(int concurrency, int queueCapacity, LlmConfig engine) {
    public LanguageSettings {
        if (concurrency < 1 || concurrency > 64) {
            throw new IllegalArgumentException("mededge.llm.concurrency must be 1 to 64, was " + concurrency);
        }
        if (queueCapacity < 0) {
            throw new IllegalArgumentException("mededge.llm.queue-capacity must be >= 0, was " + queueCapacity);
        }
    }

    public static LanguageSettings from(Config c) {
        LlmConfig d = LlmConfig.DEFAULTS;
        return new LanguageSettings(
                c.get("concurrency").asInt().orElse(1),
                c.get("queue-capacity").asInt().orElse(8),
                new LlmConfig(c.get("threads").asInt().orElse(d.intraOpThreads()),
                        c.get("max-new-tokens").asInt().orElse(d.maxNewTokens()),
                        c.get("prefill-chunk").asInt().orElse(d.prefillChunk())));
    }
}
