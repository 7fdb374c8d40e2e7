package org.mededge.appliance.studies;

import io.prometheus.client.CollectorRegistry;
import io.prometheus.client.Counter;
import io.prometheus.client.Gauge;

import org.mededge.appliance.metrics.Metrics;

/**
 * Imaging metrics. Phase latencies go to the shared {@code mededge_stage_seconds} histogram with
 * stages vision_decode, vision_preprocess, vision_infer and vision_heatmap; studies are counted by
 * outcome (ok or the error code); the backend in use is an info gauge. Labels never carry patient data.
 */
final class StudyMetrics {
    static final String STUDIES_TOTAL = "mededge_vision_studies_total";
    static final String BACKEND_INFO = "mededge_vision_backend_info";
    static final String STAGE_DECODE = "vision_decode";
    static final String STAGE_PREPROCESS = "vision_preprocess";
    static final String STAGE_INFER = "vision_infer";
    static final String STAGE_HEATMAP = "vision_heatmap";

    private final Metrics metrics;
    private final Counter studies;
    private final Gauge backend;

    StudyMetrics(Metrics metrics) {
        this.metrics = metrics;
        CollectorRegistry registry = metrics.registry();
        this.studies = Counter.build(STUDIES_TOTAL, "Imaging studies by outcome (ok, or the error code).")
                .labelNames("model", "outcome").register(registry);
        this.backend = Gauge.build(BACKEND_INFO, "1 for the backend and device serving the imaging model.")
                .labelNames("model", "backend", "device").register(registry);
    }

    void backend(String model, String backendName, String device) {
        backend.labels(model, backendName, device).set(1);
    }

    void study(String model, String outcome) {
        studies.labels(model == null ? "none" : model, outcome).inc();
    }

    void phase(String stage, String model, long millis) {
        metrics.observeStage(stage, model, "ok", millis / 1000.0);
    }
}
