package org.mededge.llm;

/**
 * The language engine's settings, validated here (built by the appliance from its configuration).
 *
 * @param intraOpThreads   ONNX Runtime threads per run; 0 lets ONNX Runtime choose (one per core)
 * @param maxNewTokens     the largest max_new_tokens a request may ask for
 * @param prefillChunk     prompt tokens per run while reading the prompt (bounds the logits buffer)
 */
public record LlmConfig(int intraOpThreads, int maxNewTokens, int prefillChunk) {
    public static final LlmConfig DEFAULTS = new LlmConfig(0, 2048, 128);

    public LlmConfig {
        if (intraOpThreads < 0 || intraOpThreads > 256) {
            throw new IllegalArgumentException("llm intra-op-threads must be 0 (automatic) to 256, was " + intraOpThreads);
        }
        if (maxNewTokens < 1 || maxNewTokens > 1 << 20) {
            throw new IllegalArgumentException("llm max-new-tokens must be 1 to 1048576, was " + maxNewTokens);
        }
        if (prefillChunk < 1 || prefillChunk > 8192) {
            throw new IllegalArgumentException("llm prefill-chunk must be 1 to 8192, was " + prefillChunk);
        }
    }
}
