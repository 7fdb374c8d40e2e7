package org.mededge.llm;

/**
 * Sampling options; temperature 0 is greedy. A fixed seed makes sampling reproducible.
 */
public record Sampling(double temperature, double topP, int topK, double repetitionPenalty, long seed) {
    public static final Sampling GREEDY = new Sampling(0, 1, 0, 1, 0);

    public Sampling {
        if (temperature < 0 || Double.isNaN(temperature)) {
            throw new IllegalArgumentException("temperature must be >= 0");
        }
        if (!(topP > 0 && topP <= 1)) {
            throw new IllegalArgumentException("top_p must be in (0, 1]");
        }
        if (topK < 0) {
            throw new IllegalArgumentException("top_k must be >= 0 (0 = off)");
        }
        if (!(repetitionPenalty >= 1)) {
            throw new IllegalArgumentException("repetition_penalty must be >= 1");
        }
    }

    public boolean greedy() {
        return temperature == 0;
    }
}
