package org.mededge.appliance.health;

import java.util.Map;

import org.mededge.appliance.http.ApiService;
import org.mededge.appliance.http.Json;
import org.mededge.appliance.http.Routes;

/** GET /health/live and GET /health/ready. */
public final class HealthService implements ApiService {
    private final Readiness readiness;

    public HealthService(Readiness readiness) {
        this.readiness = readiness;
    }

    @Override
    public void register(Routes routes) {
        routes.get("/health/live", (req, res) -> Json.ok(res, Map.of("status", "UP")));
        routes.get("/health/ready", (req, res) -> {
            Readiness.Report r = readiness.evaluate();
            Json.send(res, r.up() ? 200 : 503, r);
        });
    }
}
