package org.mededge.llm;

/**
 * A generation's result with provenance and timings.
 *
 * @param adapter the adapter that served it, or null for the base model
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
        String adapter) {
}
