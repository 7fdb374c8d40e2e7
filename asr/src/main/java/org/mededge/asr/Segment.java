package org.mededge.asr;

/**
 * One recognized stretch of speech, with times in the original audio's time line.
 *
 * @param avgLogProb    mean token log-probability (closer to 0 is more confident); NaN when the engine does not
 *                      report it (whisper-jni 1.7.1 exposes no token probabilities)
 * @param noSpeechProb  probability that the segment holds no speech: with whisper-jni 1.7.1, which does not
 *                      expose Whisper's own, 1 minus the mean Silero VAD speech probability over the segment
 * @param lowConfidence true when either crosses the configured thresholds
 */
public record Segment(long startMs, long endMs, String text, double avgLogProb, double noSpeechProb, boolean lowConfidence) {
    public Segment {
        if (endMs < startMs) {
            throw new IllegalArgumentException("segment ends before it starts");
        }
        text = text == null ? "" : text;
    }
}
