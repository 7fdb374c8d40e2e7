package org.mededge.appliance.radiology;

import java.nio.charset.StandardCharsets;
import java.util.Set;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import org.mededge.appliance.audit.AuditTrail;
import org.mededge.appliance.http.ApiService;
import org.mededge.appliance.http.Bodies;
import org.mededge.appliance.http.Json;
import org.mededge.appliance.http.Routes;
import org.mededge.appliance.metrics.Metrics;
import org.mededge.fusion.FusionException;
import org.mededge.fusion.FusionMetrics;
import org.mededge.fusion.ReportAssembler;
import org.mededge.fusion.radiology.NormalizedFindings;
import org.mededge.fusion.radiology.RadiologyNormalizer;

/**
 * POST /v1/radiology/normalize: a radiologist's wording → house style (measurements, laterality,
 * RadLex terms) and findings, with the same limits as a note's text.
 */
public final class RadiologyService implements ApiService {
    private static final Set<String> FIELDS = Set.of("text", "language");

    private final RadiologyNormalizer radiology = new RadiologyNormalizer();
    private final Metrics metrics;
    private final long maxJsonBytes;
    private final int maxTextBytes;

    public RadiologyService(Metrics metrics, long maxJsonBytes, int maxTextBytes) {
        this.metrics = metrics;
        this.maxJsonBytes = maxJsonBytes;
        this.maxTextBytes = maxTextBytes;
    }

    @Override
    public void register(Routes routes) {
        routes.post("/v1/radiology/normalize", this::normalize);
    }

    private void normalize(ServerRequest req, ServerResponse res) {
        ObjectNode body = Bodies.readJsonObject(req, maxJsonBytes, FIELDS);
        String text = Bodies.requiredText(body, "text");
        String language = Bodies.optionalText(body, "language");
        AuditTrail trail = Routes.audit(req).action("radiology.normalize").input(text.getBytes(StandardCharsets.UTF_8))
                .models(ReportAssembler.RULES_NAME + "@" + ReportAssembler.RULES_VERSION);
        long t0 = System.nanoTime();
        NormalizedFindings n;
        try {
            n = radiology.normalize(text, language, maxTextBytes);
        } catch (FusionException e) {
            metrics.observeStage(FusionMetrics.STAGE_RADIOLOGY, null, FusionMetrics.OUTCOME_REJECTED, seconds(t0));
            throw e;
        }
        metrics.observeStage(FusionMetrics.STAGE_RADIOLOGY, null, FusionMetrics.OUTCOME_OK, seconds(t0));
        byte[] out;
        try {
            out = Json.MAPPER.writeValueAsBytes(n);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("normalization not serializable", e);
        }
        trail.output(out);
        res.header(HeaderNames.CONTENT_TYPE, Json.MEDIA_TYPE);
        res.status(Status.OK_200);
        res.send(out);
    }

    private static double seconds(long t0) {
        return (System.nanoTime() - t0) / 1e9;
    }
}
