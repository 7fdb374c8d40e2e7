package org.mededge.appliance.dictation;

import java.time.Duration;

import io.helidon.config.Config;

import org.mededge.asr.stream.StreamConfig;

/**
 * The {@code mededge.asr.stream} section: live dictation's limits and the stream's segmenting.
 *
 * @param maxStreams     live dictations at once; one more is closed at once with 1013
 * @param idle           no audio for this long ends a stream as a stop would
 * @param ticketLifetime how long a browser's single-use ticket stays valid
 */
public record StreamSettings(int maxStreams, Duration idle, Duration ticketLifetime, StreamConfig stream) {
    public StreamSettings {
        if (maxStreams < 1 || maxStreams > 64) {
            throw new IllegalArgumentException("mededge.asr.stream.max-streams must be 1..64, was " + maxStreams);
        }
    }

    public static StreamSettings from(Config c) {
        StreamConfig d = StreamConfig.defaults();
        return new StreamSettings(c.get("max-streams").asInt().orElse(4),
                Duration.ofSeconds(c.get("idle-seconds").asInt().orElse(20)),
                Duration.ofSeconds(c.get("ticket-seconds").asInt().orElse(30)),
                new StreamConfig(c.get("partial-interval-ms").asInt().orElse(d.partialIntervalMs()),
                        c.get("partial-max-lag-ms").asInt().orElse(d.partialMaxLagMs()),
                        c.get("end-silence-ms").asInt().orElse(d.endSilenceMs()),
                        c.get("max-segment-ms").asInt().orElse(d.maxSegmentMs()),
                        c.get("cut-search-ms").asInt().orElse(d.cutSearchMs()),
                        c.get("max-backlog-ms").asInt().orElse(d.maxBacklogMs())));
    }
}
