package org.mededge.appliance.dictation;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntSupplier;

import io.prometheus.client.Collector;
import io.prometheus.client.CollectorRegistry;
import io.prometheus.client.Counter;
import io.prometheus.client.GaugeMetricFamily;
import io.prometheus.client.Histogram;

/** Live dictation's metrics: names are the constants below. */
public final class StreamMetrics {
    public static final String ACTIVE = "mededge_asr_streams_active";
    public static final String REFUSED = "mededge_asr_streams_refused_total";
    public static final String FIRST_PARTIAL = "mededge_asr_stream_first_partial_seconds";
    public static final String FINALIZATION = "mededge_asr_stream_finalization_seconds";
    public static final String STREAM_RTF = "mededge_asr_stream_real_time_factor";

    private final Counter refused;
    private final Histogram firstPartial;
    private final Histogram finalization;
    private final Histogram rtf;
    private volatile IntSupplier active = () -> 0;

    public StreamMetrics(CollectorRegistry registry) {
        refused = Counter.build(REFUSED, "Live dictations refused because every stream was in use.").register(registry);
        firstPartial = Histogram.build(FIRST_PARTIAL, "From a stream's opening to its first partial text.")
                .buckets(0.25, 0.5, 0.75, 1, 1.5, 2, 3, 5, 10).register(registry);
        finalization = Histogram.build(FINALIZATION, "From the audio that completed a segment's endpoint to its final text.")
                .buckets(0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5).register(registry);
        rtf = Histogram.build(STREAM_RTF, "A finished stream's recognition work per second of audio (below 1 keeps up).")
                .buckets(0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1, 1.5, 2).register(registry);
        new Collector() {
            @Override
            public List<MetricFamilySamples> collect() {
                GaugeMetricFamily g = new GaugeMetricFamily(ACTIVE, "Live dictation streams open now.", List.of());
                g.addMetric(List.of(), active.getAsInt());
                return new ArrayList<>(List.of(g));
            }
        }.register(registry);
    }

    void activeSource(IntSupplier s) {
        active = s;
    }

    void refused() {
        refused.inc();
    }

    void firstPartial(double seconds) {
        firstPartial.observe(seconds);
    }

    void finalized(double seconds) {
        finalization.observe(seconds);
    }

    void finished(double realTimeFactor) {
        rtf.observe(realTimeFactor);
    }
}
