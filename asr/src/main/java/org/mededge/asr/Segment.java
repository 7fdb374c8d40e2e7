package org.mededge.asr;

/**
 * One recognized stretch of speech, with times in the original audio's time line.
 *
 * @param avgLogProb    mean token log-probability (closer to 0 is more confident)
 * @param noSpeechProb  Whisper's probability that the window holds no speech
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
