package org.mededge.appliance.metrics;

import java.io.IOException;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

import io.prometheus.client.Collector;
import io.prometheus.client.CollectorRegistry;
import io.prometheus.client.GaugeMetricFamily;
import io.prometheus.client.Histogram;
import io.prometheus.client.exporter.common.TextFormat;
import io.prometheus.client.hotspot.DefaultExports;

/**
 * The appliance's Prometheus registry. Metric names are the constants below; labels are limited
 * to route, method, status, stage, model, adapter and outcome: never patient data.
 */
public final class Metrics {
    public static final String HTTP_REQUEST_SECONDS = "mededge_http_request_seconds";
    public static final String STAGE_SECONDS = "mededge_stage_seconds";
    public static final String MODEL_READY = "mededge_model_ready";

    /** Latency buckets from 1 ms to 2 min: covers a health check and a 10-minute dictation. */
    private static final double[] BUCKETS = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120};

    private final CollectorRegistry registry = new CollectorRegistry(true);
    private final Histogram http;
    private final Histogram stage;

    /** A model as the readiness gauge sees it. */
    public record ModelState(String model, String engine, boolean ready) {
    }

    public Metrics(Supplier<List<ModelState>> models) {
        DefaultExports.register(registry);
        http = Histogram.build(HTTP_REQUEST_SECONDS, "HTTP request latency by route template, method and status.")
                .labelNames("route", "method", "status").buckets(BUCKETS).register(registry);
        stage = Histogram.build(STAGE_SECONDS, "Pipeline stage latency.")
                .labelNames("stage", "model", "outcome").buckets(BUCKETS).register(registry);
        new Collector() {
            @Override
            public List<MetricFamilySamples> collect() {
                GaugeMetricFamily g = new GaugeMetricFamily(MODEL_READY,
                        "1 when the model serving an engine is loaded and ready, else 0.", List.of("model", "engine"));
                for (ModelState m : models.get()) {
                    g.addMetric(List.of(m.model(), m.engine()), m.ready() ? 1 : 0);
                }
                return new ArrayList<>(List.of(g));
            }
        }.register(registry);
    }

    public CollectorRegistry registry() {
        return registry;
    }

    public void observeHttp(String route, String method, int status, double seconds) {
        http.labels(route, method, Integer.toString(status)).observe(seconds);
    }

    public void observeStage(String stageName, String model, String outcome, double seconds) {
        stage.labels(stageName, model == null ? "none" : model, outcome).observe(seconds);
    }

    /** Prometheus text exposition format 0.0.4. */
    public String scrape() {
        StringWriter w = new StringWriter(16384);
        try {
            TextFormat.write004(w, registry.metricFamilySamples());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return w.toString();
    }
}
