package org.mededge.asr.stream;

/**
 * Settings of a live dictation stream ({@link StreamingDictation}), validated here. Times are in
 * milliseconds of audio unless said otherwise.
 *
 * @param partialIntervalMs a partial is decoded after every this much new audio of an open segment
 *                          (200..5000; default 500)
 * @param partialMaxLagMs   partials are skipped while more than this much received audio waits to be
 *                          processed (a stale partial only delays the final); 0 skips them whenever any
 *                          audio waits (default 2000)
 * @param endSilenceMs      silence after speech that ends a segment (300..10000; default 1200)
 * @param maxSegmentMs      longest segment: one that reaches it is cut (5000..60000; default 25000)
 * @param cutSearchMs       where a too-long segment is cut: at the least speech-like 32 ms frame of its
 *                          last this much audio (500..maxSegmentMs / 2; default 5000)
 * @param maxBacklogMs      audio received but not yet processed beyond which a chunk is refused with
 *                          ASR_STREAM_OVERRUN (1000..120000; default 30000)
 */
public record StreamConfig(int partialIntervalMs, int partialMaxLagMs, int endSilenceMs, int maxSegmentMs, int cutSearchMs,
                           int maxBacklogMs) {
    public StreamConfig {
        range("partial-interval-ms", partialIntervalMs, 200, 5000);
        range("partial-max-lag-ms", partialMaxLagMs, 0, 120_000);
        range("end-silence-ms", endSilenceMs, 300, 10_000);
        range("max-segment-ms", maxSegmentMs, 5000, 60_000);
        range("cut-search-ms", cutSearchMs, 500, maxSegmentMs / 2);
        range("max-backlog-ms", maxBacklogMs, 1000, 120_000);
    }

    public static StreamConfig defaults() {
        return new StreamConfig(500, 2000, 1200, 25_000, 5000, 30_000);
    }

    /** A copy with another partial interval and lag (tests, benchmarks). */
    public StreamConfig withPartials(int intervalMs, int maxLagMs) {
        return new StreamConfig(intervalMs, maxLagMs, endSilenceMs, maxSegmentMs, cutSearchMs, maxBacklogMs);
    }

    /** A copy with another backlog bound. */
    public StreamConfig withMaxBacklogMs(int ms) {
        return new StreamConfig(partialIntervalMs, partialMaxLagMs, endSilenceMs, maxSegmentMs, cutSearchMs, ms);
    }

    /** A copy with another maximum segment and cut search. */
    public StreamConfig withMaxSegment(int maxMs, int searchMs) {
        return new StreamConfig(partialIntervalMs, partialMaxLagMs, endSilenceMs, maxMs, searchMs, maxBacklogMs);
    }

    private static void range(String key, int v, int min, int max) {
        if (v < min || v > max) {
            throw new IllegalArgumentException("mededge.asr.stream." + key + " must be " + min + ".." + max + ", was " + v);
        }
    }
}
