package org.mededge.asr;

/** A stretch of audio, in samples at 16 kHz: where the voice-activity detector heard speech, or a recognition window. */
public record SpeechRegion(int start, int end) {
    public static final int RATE = 16_000;

    public SpeechRegion {
        if (start < 0 || end < start) {
            throw new IllegalArgumentException("bad region " + start + ".." + end);
        }
    }

    public int length() {
        return end - start;
    }

    public long startMs() {
        return start * 1000L / RATE;
    }

    public long endMs() {
        return end * 1000L / RATE;
    }
}
