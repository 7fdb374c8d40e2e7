package org.mededge.appliance.dictation;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

import io.prometheus.client.Collector;
import io.prometheus.client.CollectorRegistry;
import io.prometheus.client.Counter;
import io.prometheus.client.GaugeMetricFamily;
import io.prometheus.client.Histogram;

import org.mededge.asr.Dictation;

/** The dictation metrics: names are the constants below; labels model and outcome only. */
public final class DictationMetrics {
    public static final String AUDIO_SECONDS = "mededge_asr_audio_seconds_total";
    public static final String REAL_TIME_FACTOR = "mededge_asr_real_time_factor";
    public static final String STATES_IN_USE = "mededge_asr_states_in_use";
    public static final String STATES = "mededge_asr_states";
    public static final String QUEUE_WAIT = "mededge_asr_queue_wait_seconds";
    public static final String DICTATIONS = "mededge_dictations_total";

    private final Counter audio;
    private final Histogram rtf;
    private final Histogram queueWait;
    private final Counter outcomes;

    public DictationMetrics(CollectorRegistry registry, Supplier<Dictation> recognizer) {
        audio = Counter.build(AUDIO_SECONDS, "Seconds of dictation audio recognized.").labelNames("model").register(registry);
        rtf = Histogram.build(REAL_TIME_FACTOR, "Recognition time divided by audio duration, per dictation.")
                .labelNames("model").buckets(0.01, 0.02, 0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1, 1.5, 2, 5).register(registry);
        queueWait = Histogram.build(QUEUE_WAIT, "Time a dictation waited for a free whisper decoder state.")
                .labelNames("model").buckets(0.001, 0.01, 0.05, 0.1, 0.5, 1, 2.5, 5, 10, 30, 60).register(registry);
        outcomes = Counter.build(DICTATIONS, "Dictations by outcome: ok or the error code.").labelNames("outcome").register(registry);
        new Collector() {
            @Override
            public List<MetricFamilySamples> collect() {
                GaugeMetricFamily inUse = new GaugeMetricFamily(STATES_IN_USE, "Whisper decoder states serving requests now.",
                        List.of("model"));
                GaugeMetricFamily size = new GaugeMetricFamily(STATES, "Whisper decoder states in the pool.", List.of("model"));
                Dictation r = recognizer.get();
                if (r != null) {
                    inUse.addMetric(List.of(r.model().name()), r.statesInUse());
                    size.addMetric(List.of(r.model().name()), r.states());
                }
                return new ArrayList<>(List.of(inUse, size));
            }
        }.register(registry);
    }

    void recognized(String model, double audioSeconds, double recognizeSeconds, double queueSeconds) {
        audio.labels(model).inc(audioSeconds);
        if (audioSeconds > 0 && recognizeSeconds > 0) {
            rtf.labels(model).observe(recognizeSeconds / audioSeconds);
        }
        queueWait.labels(model).observe(queueSeconds);
    }

    void outcome(String outcome) {
        outcomes.labels(outcome).inc();
    }
}
