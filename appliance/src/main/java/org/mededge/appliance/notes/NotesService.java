package org.mededge.appliance.notes;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.logging.Logger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import org.mededge.appliance.ApplianceConfig;
import org.mededge.appliance.audit.AuditTrail;
import org.mededge.appliance.engines.EngineSlot;
import org.mededge.appliance.engines.Engines;
import org.mededge.appliance.http.ApiException;
import org.mededge.appliance.http.ApiService;
import org.mededge.appliance.http.Bodies;
import org.mededge.appliance.http.Json;
import org.mededge.appliance.http.Routes;
import org.mededge.appliance.http.SecurityHeaders;
import org.mededge.appliance.metrics.Metrics;
import org.mededge.appliance.reports.ReportPublisher;
import org.mededge.fusion.FusionConfig;
import org.mededge.fusion.FusionException;
import org.mededge.fusion.FusionMetrics;
import org.mededge.fusion.NoteRequest;
import org.mededge.fusion.ReportAssembler;
import org.mededge.fusion.StructuredReport;
import org.mededge.fusion.fhir.BundleValidator;
import org.mededge.fusion.html.ReportHtml;
import org.mededge.llm.TextGenerator;

/**
 * POST /v1/notes: a typed or dictated note → {@code {report, fhir}} (or, with {@code ?format=html},
 * the report as a page for people): the text → fusion (and the language model's assessment when
 * the llm engine is ready; without it the report carries no assessment and a NEEDS_REVIEW flag) →
 * {@link ReportPublisher} → the answer.
 */
public final class NotesService implements ApiService {
    private static final Logger LOG = Logger.getLogger(NotesService.class.getName());
    private static final Set<String> NOTE_FIELDS = Set.of("text", "language", "specialty", "patient");
    /** the report page has no script and loads nothing; it may not be framed (SecurityHeaders) */
    public static final String HTML_CSP = SecurityHeaders.pagePolicy(
            "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'");

    private final ReportAssembler assembler;
    private final EngineSlot<TextGenerator> llm;
    private final long maxJsonBytes;
    private final ReportPublisher publisher;

    public NotesService(ReportAssembler assembler, EngineSlot<TextGenerator> llm, long maxJsonBytes, ReportPublisher publisher) {
        this.assembler = assembler;
        this.llm = llm;
        this.maxJsonBytes = maxJsonBytes;
        this.publisher = publisher;
    }

    /**
     * The service as the appliance wires it: fusion's config from {@code mededge.fusion}, the llm
     * engine's slot, and, when bundles are validated on the request path, the validator warmed in
     * the background.
     */
    public static NotesService create(ApplianceConfig config, Engines engines, Metrics metrics, ReportAssembler assembler,
                                      ReportPublisher publisher) {
        FusionConfig fusion = assembler.config();
        if (fusion.validateFhir()) {
            Thread.ofPlatform().name("mededge-fhir-warmup").daemon(true).start(() -> {
                long ms = BundleValidator.warmUp();
                metrics.observeStage(FusionMetrics.STAGE_FHIR_VALIDATE, null, "warmup", ms / 1000.0);
                LOG.info(() -> "FHIR validator warmed up in " + ms + " ms");
            });
        }
        return new NotesService(assembler, engines.slot("llm", TextGenerator.class), config.maxJsonBytes(), publisher);
    }

    public ReportAssembler assembler() {
        return assembler;
    }

    @Override
    public void register(Routes routes) {
        routes.post("/v1/notes", this::note);
    }

    private void note(ServerRequest req, ServerResponse res) {
        boolean html = wantsHtml(req);
        ObjectNode body = Bodies.readJsonObject(req, maxJsonBytes, NOTE_FIELDS);
        String text = Bodies.requiredText(body, "text");
        String language = Bodies.optionalText(body, "language");
        String specialty = Bodies.optionalText(body, "specialty");
        String patient = ReportPublisher.patient(Bodies.optionalText(body, "patient"));
        AuditTrail trail = Routes.audit(req).action("note.structure").input(text.getBytes(StandardCharsets.UTF_8));

        Optional<TextGenerator> generator = llm.state() == EngineSlot.State.READY ? llm.engine() : Optional.empty();
        long t0 = System.nanoTime();
        StructuredReport report;
        try {
            report = assembler.structure(new NoteRequest(text, language, specialty), generator);
        } catch (FusionException e) {
            publisher.observeRefused(seconds(t0));
            throw e;
        }
        publisher.observeFusion(report, generator.isPresent(), seconds(t0));
        trail.models(ReportPublisher.models(report.provenance()));

        byte[] raw = text.getBytes(StandardCharsets.UTF_8);
        // the note as sent is kept beside its report: a study attached later is fused with it
        Map<String, Object> source = new LinkedHashMap<>();
        source.put("text", text);
        source.put("language", language);
        source.put("specialty", specialty);
        ReportPublisher.Published stored = publisher.publish(req, ReportPublisher.Publication.of("note", patient, report,
                report.provenance().timings(), source, raw, Json.MEDIA_TYPE, publisher));
        String fhir = stored.fhirJson();
        res.header("X-MedEdge-Report-Id", stored.id());
        byte[] out;
        if (html) {
            out = ReportHtml.render(report).getBytes(StandardCharsets.UTF_8);
            res.header(HeaderNames.CONTENT_TYPE, "text/html; charset=utf-8");
            res.header("Content-Security-Policy", HTML_CSP);
        } else {
            // the report is written as it is (valueToTree would turn 110 into 1.1E+2)
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("reportId", stored.id());
            o.put("version", stored.version());
            o.put("report", report);
            try {
                o.put("fhir", Json.MAPPER.readTree(fhir));
                out = Json.MAPPER.writeValueAsBytes(o);
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("report not serializable", e);
            }
            res.header(HeaderNames.CONTENT_TYPE, Json.MEDIA_TYPE);
        }
        trail.output(out);
        res.status(Status.OK_200);
        res.send(out);
    }

    private static boolean wantsHtml(ServerRequest req) {
        String format = req.query().first("format").orElse("json");
        return switch (format) {
            case "json" -> false;
            case "html" -> true;
            default -> throw ApiException.badRequest("INVALID_PARAMETER", "format must be json or html.");
        };
    }

    private static double seconds(long t0) {
        return (System.nanoTime() - t0) / 1e9;
    }

}
