package org.mededge.llm.decode;

import java.util.Arrays;
import java.util.SplittableRandom;

import org.mededge.llm.Sampling;

/**
 * Picks the next token from logits: masking, repetition penalty (as in Hugging Face transformers:
 * positive logits divided, negative multiplied, for every token already in the sequence), then
 * greedy argmax, or temperature, top-k, top-p and a draw from a generator seeded per request.
 */
public final class Sampler {
    private final Sampling sampling;
    private final SplittableRandom random;

    public Sampler(Sampling sampling) {
        this.sampling = sampling;
        this.random = new SplittableRandom(sampling.seed());
    }

    /** Applies the repetition penalty in place to the ids seen so far (counted once each). */
    public void penalize(float[] logits, int[] seen, int seenCount) {
        double p = sampling.repetitionPenalty();
        if (p == 1) {
            return;
        }
        boolean[] done = new boolean[logits.length];
        for (int i = 0; i < seenCount; i++) {
            int id = seen[i];
            if (id < 0 || id >= logits.length || done[id]) {
                continue;
            }
            done[id] = true;
            logits[id] = (float) (logits[id] > 0 ? logits[id] / p : logits[id] * p);
        }
    }

    /** The chosen id; logits of disallowed tokens must already be -infinity. Returns -1 when none is allowed. */
    public int choose(float[] logits) {
        if (sampling.greedy()) {
            return argmax(logits);
        }
        double t = sampling.temperature();
        int best = argmax(logits);
        if (best < 0) {
            return -1;
        }
        // tokens more than 30 temperature-scaled logits below the best have probability < 1e-13 of it: left out
        double floor = logits[best] - 30 * t;
        int n = 0;
        int[] idx = new int[logits.length];
        for (int i = 0; i < logits.length; i++) {
            if (logits[i] != Float.NEGATIVE_INFINITY && logits[i] >= floor) {
                idx[n++] = i;
            }
        }
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = idx[i];
        }
        Arrays.sort(order, (a, b) -> Float.compare(logits[b], logits[a]) != 0 ? Float.compare(logits[b], logits[a]) : a - b);
        int keep = sampling.topK() > 0 ? Math.min(sampling.topK(), n) : n;
        double max = logits[order[0]] / t;
        double[] p = new double[keep];
        double sum = 0;
        for (int i = 0; i < keep; i++) {
            p[i] = Math.exp(logits[order[i]] / t - max);
            sum += p[i];
        }
        double cum = 0;
        int cut = keep;
        for (int i = 0; i < keep; i++) {
            cum += p[i] / sum;
            if (cum >= sampling.topP()) {
                cut = i + 1;
                break;
            }
        }
        double total = 0;
        for (int i = 0; i < cut; i++) {
            total += p[i];
        }
        double r = random.nextDouble() * total;
        for (int i = 0; i < cut; i++) {
            r -= p[i];
            if (r < 0) {
                return order[i];
            }
        }
        return order[cut - 1];
    }

    static int argmax(float[] logits) {
        int best = -1;
        float bestValue = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < logits.length; i++) {
            if (logits[i] > bestValue) {
                bestValue = logits[i];
                best = i;
            }
        }
        return best;
    }
}
