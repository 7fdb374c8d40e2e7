package org.mededge.appliance.studies;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import org.mededge.vision.ImageStudy;
import org.mededge.vision.ImagingFindings;

/**
 * Analysed studies kept in memory so that a heatmap can be drawn on exactly what the model saw:
 * at most {@code capacity}, each for {@code ttl}; the oldest go first. Nothing here is written to
 * disk or to logs.
 */
final class StudyCache {
    /** @param topLabel the most probable label, the heatmap's default */
    record Entry(ImageStudy study, ImagingFindings findings, String topLabel, Instant at) {
    }

    private final int capacity;
    private final Duration ttl;
    private final Clock clock;
    private final LinkedHashMap<String, Entry> entries = new LinkedHashMap<>();

    StudyCache(int capacity, Duration ttl, Clock clock) {
        this.capacity = capacity;
        this.ttl = ttl;
        this.clock = clock;
    }

    synchronized void put(String id, ImageStudy study, ImagingFindings findings, String topLabel) {
        if (capacity == 0) {
            return;
        }
        expire();
        entries.put(id, new Entry(study, findings, topLabel, clock.instant()));
        while (entries.size() > capacity) {
            Iterator<Map.Entry<String, Entry>> oldest = entries.entrySet().iterator();
            oldest.next();
            oldest.remove();
        }
    }

    synchronized Optional<Entry> get(String id) {
        expire();
        return Optional.ofNullable(entries.get(id));
    }

    private void expire() {
        Instant cutoff = clock.instant().minus(ttl);
        entries.values().removeIf(e -> e.at().isBefore(cutoff));
    }
}
