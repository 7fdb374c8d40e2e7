package org.mededge.llm;

/**
 * A generation's result with provenance and timings.
 *
 * @param adapter       the adapter that served it, or null for the base model
 * @param modelSha256   sha256 of the model file that ran, or null when unknown
 * @param adapterSha256 sha256 of the adapter file, or null for the base model
 * @param device        where it ran, e.g. "cpu (onnxruntime 1.29.0)"
 */
public record Generation(
        String text,
        FinishReason finishReason,
        int promptTokens,
        int generatedTokens,
        long timeToFirstTokenMs,
        long totalMs,
        String model,
        String modelVersion,
        String adapter,
        String modelSha256,
        String adapterSha256,
        String device) {

    /** The result without file provenance (the original form of this record). */
    public Generation(String text, FinishReason finishReason, int promptTokens, int generatedTokens,
                      long timeToFirstTokenMs, long totalMs, String model, String modelVersion, String adapter) {
        this(text, finishReason, promptTokens, generatedTokens, timeToFirstTokenMs, totalMs, model, modelVersion, adapter,
                null, null, null);
    }

    /** Decoding speed after the first token, in tokens per second (0 when fewer than two tokens). */
    public double tokensPerSecond() {
        long decodeMs = totalMs - timeToFirstTokenMs;
        return generatedTokens < 2 || decodeMs <= 0 ? 0 : (generatedTokens - 1) * 1000.0 / decodeMs;
    }
}
