package org.mededge.appliance.metrics;

import io.helidon.http.HeaderNames;
import io.prometheus.client.exporter.common.TextFormat;

import org.mededge.appliance.http.ApiService;
import org.mededge.appliance.http.Routes;

/** GET /metrics in Prometheus text format 0.0.4. */
public final class MetricsService implements ApiService {
    private final Metrics metrics;

    public MetricsService(Metrics metrics) {
        this.metrics = metrics;
    }

    @Override
    public void register(Routes routes) {
        routes.get("/metrics", (req, res) -> {
            res.header(HeaderNames.CONTENT_TYPE, TextFormat.CONTENT_TYPE_004);
            res.send(metrics.scrape());
        });
    }
}
