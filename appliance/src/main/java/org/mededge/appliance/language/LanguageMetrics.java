package org.mededge.appliance.language;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.IntSupplier;

import io.prometheus.client.Collector;
import io.prometheus.client.Counter;
import io.prometheus.client.GaugeMetricFamily;
import io.prometheus.client.Histogram;

import org.mededge.llm.Generation;

/**
 * The language engine's metrics, kept by the generation queue and exposed through the appliance's
 * registry by {@link LanguageService}. Labels: model, adapter ("base" without one) and outcome
 * (the finish reason, or the error code); never request text.
 */
public final class LanguageMetrics {
    public static final String QUEUE_WAIT_SECONDS = "mededge_llm_queue_wait_seconds";
    public static final String TIME_TO_FIRST_TOKEN_SECONDS = "mededge_llm_time_to_first_token_seconds";
    public static final String TOKENS_PER_SECOND = "mededge_llm_tokens_per_second";
    public static final String GENERATIONS_TOTAL = "mededge_llm_generations_total";
    public static final String GENERATED_TOKENS_TOTAL = "mededge_llm_generated_tokens_total";
    public static final String QUEUE_DEPTH = "mededge_llm_queue_depth";
    public static final String RUNNING = "mededge_llm_running";
    public static final String BASE = "base";

    private static final double[] SECONDS = {0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120};
    private static final double[] RATES = {1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000};

    private final Histogram queueWait = Histogram.build(QUEUE_WAIT_SECONDS,
            "Time a generation waited for a free slot, by adapter.").labelNames("adapter").buckets(SECONDS).create();
    private final Histogram firstToken = Histogram.build(TIME_TO_FIRST_TOKEN_SECONDS,
            "Time from the start of a generation to its first token (reading the prompt included), by model and adapter.")
            .labelNames("model", "adapter").buckets(SECONDS).create();
    private final Histogram rate = Histogram.build(TOKENS_PER_SECOND,
            "Decoding speed after the first token, per generation, by model and adapter.")
            .labelNames("model", "adapter").buckets(RATES).create();
    private final Counter generations = Counter.build(GENERATIONS_TOTAL,
            "Generations by model, adapter and outcome (finish reason or error code).")
            .labelNames("model", "adapter", "outcome").create();
    private final Counter tokens = Counter.build(GENERATED_TOKENS_TOTAL, "Tokens generated, by model and adapter.")
            .labelNames("model", "adapter").create();
    private final IntSupplier waiting;
    private final IntSupplier running;

    public LanguageMetrics(IntSupplier waiting, IntSupplier running) {
        this.waiting = waiting;
        this.running = running;
    }

    /** Every family, for the appliance's registry. */
    public List<Collector.MetricFamilySamples> collect() {
        List<Collector.MetricFamilySamples> out = new ArrayList<>();
        out.addAll(queueWait.collect());
        out.addAll(firstToken.collect());
        out.addAll(rate.collect());
        out.addAll(generations.collect());
        out.addAll(tokens.collect());
        out.add(new GaugeMetricFamily(QUEUE_DEPTH, "Generations waiting for a free slot.", waiting.getAsInt()));
        out.add(new GaugeMetricFamily(RUNNING, "Generations running.", running.getAsInt()));
        return out;
    }

    static String adapter(String name) {
        return name == null ? BASE : name;
    }

    void waited(String adapter, long nanos) {
        queueWait.labels(adapter(adapter)).observe(nanos / 1e9);
    }

    void finished(Generation g) {
        String a = adapter(g.adapter());
        generations.labels(g.model(), a, g.finishReason().name().toLowerCase(Locale.ROOT)).inc();
        tokens.labels(g.model(), a).inc(g.generatedTokens());
        if (g.generatedTokens() > 0) {
            firstToken.labels(g.model(), a).observe(g.timeToFirstTokenMs() / 1e3);
        }
        if (g.tokensPerSecond() > 0) {
            rate.labels(g.model(), a).observe(g.tokensPerSecond());
        }
    }

    void failed(String model, String adapter, String code) {
        generations.labels(model, adapter(adapter), code.toLowerCase(Locale.ROOT)).inc();
    }
}
