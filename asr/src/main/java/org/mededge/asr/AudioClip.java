package org.mededge.asr;

/**
 * Decoded audio: mono float samples in [-1, 1] at {@code sampleRate}. The array is handed over, not
 * copied (audio is large); no stage writes into a clip it did not create.
 */
public record AudioClip(float[] samples, int sampleRate) {
    public AudioClip {
        if (samples == null) {
            throw new IllegalArgumentException("samples");
        }
        if (sampleRate <= 0) {
            throw new IllegalArgumentException("sampleRate must be positive");
        }
    }

    public long durationMs() {
        return Math.round(samples.length * 1000.0 / sampleRate);
    }
}
