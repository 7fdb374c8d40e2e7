package org.mededge.appliance.notes;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
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

import org.hl7.fhir.r4.model.Bundle;

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
import org.mededge.appliance.reports.ReportRecorder;
import org.mededge.fusion.FusionConfig;
import org.mededge.fusion.FusionError;
import org.mededge.fusion.FusionException;
import org.mededge.fusion.FusionMetrics;
import org.mededge.fusion.NoteRequest;
import org.mededge.fusion.Provenance;
import org.mededge.fusion.ReportAssembler;
import org.mededge.fusion.StructuredReport;
import org.mededge.fusion.fhir.BundleValidator;
import org.mededge.fusion.fhir.Fhir;
import org.mededge.fusion.fhir.NoteBundle;
import org.mededge.fusion.html.ReportHtml;
import org.mededge.fusion.radiology.NormalizedFindings;
import org.mededge.fusion.radiology.RadiologyNormalizer;
import org.mededge.llm.TextGenerator;

/**
 * POST /v1/notes: a typed or dictated note → {@code {report, fhir}} (or, with {@code ?format=html},
 * the report as a page for people); POST /v1/radiology/normalize: radiology wording → house style
 * and findings. The language model's assessment is used when the llm engine is ready; without it
 * the report carries no assessment and a NEEDS_REVIEW flag.
 */
public final class NotesService implements ApiService {
    private static final Logger LOG = Logger.getLogger(NotesService.class.getName());
    private static final Set<String> NOTE_FIELDS = Set.of("text", "language", "specialty", "patient");
    private static final Set<String> RADIOLOGY_FIELDS = Set.of("text", "language");
    /** The page has no script and loads nothing: only its own inline style. */
    /** the report page has no script and loads nothing; it may not be framed (SecurityHeaders) */
    public static final String HTML_CSP = SecurityHeaders.pagePolicy(
            "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'");

    private final ReportAssembler assembler;
    private final RadiologyNormalizer radiology = new RadiologyNormalizer();
    private final EngineSlot<TextGenerator> llm;
    private final Metrics metrics;
    private final long maxJsonBytes;
    private final ReportRecorder recorder;

    public NotesService(ReportAssembler assembler, EngineSlot<TextGenerator> llm, Metrics metrics, long maxJsonBytes,
                        ReportRecorder recorder) {
        this.assembler = assembler;
        this.llm = llm;
        this.metrics = metrics;
        this.maxJsonBytes = maxJsonBytes;
        this.recorder = recorder;
    }

    /**
     * The service as the appliance wires it: fusion's config from {@code mededge.fusion}, the llm
     * engine's slot, and, when bundles are validated on the request path, the validator warmed in
     * the background.
     */
    public static NotesService create(ApplianceConfig config, Engines engines, Metrics metrics, ReportAssembler assembler,
                                      ReportRecorder recorder) {
        FusionConfig fusion = assembler.config();
        if (fusion.validateFhir()) {
            Thread.ofPlatform().name("mededge-fhir-warmup").daemon(true).start(() -> {
                long ms = BundleValidator.warmUp();
                metrics.observeStage(FusionMetrics.STAGE_FHIR_VALIDATE, null, "warmup", ms / 1000.0);
                LOG.info(() -> "FHIR validator warmed up in " + ms + " ms");
            });
        }
        return new NotesService(assembler, engines.slot("llm", TextGenerator.class), metrics, config.maxJsonBytes(), recorder);
    }

    public ReportAssembler assembler() {
        return assembler;
    }

    @Override
    public void register(Routes routes) {
        routes.post("/v1/notes", this::note);
        routes.post("/v1/radiology/normalize", this::normalize);
    }

    private void note(ServerRequest req, ServerResponse res) {
        boolean html = wantsHtml(req);
        ObjectNode body = Bodies.readJsonObject(req, maxJsonBytes, NOTE_FIELDS);
        String text = Bodies.requiredText(body, "text");
        String language = Bodies.optionalText(body, "language");
        String specialty = Bodies.optionalText(body, "specialty");
        String patient = ReportRecorder.patient(Bodies.optionalText(body, "patient"));
        AuditTrail trail = Routes.audit(req).action("note.structure").input(text.getBytes(StandardCharsets.UTF_8));

        Optional<TextGenerator> generator = llm.state() == EngineSlot.State.READY ? llm.engine() : Optional.empty();
        long t0 = System.nanoTime();
        StructuredReport report;
        try {
            report = assembler.structure(new NoteRequest(text, language, specialty), generator);
        } catch (FusionException e) {
            metrics.observeStage(FusionMetrics.STAGE_NOTE, null, FusionMetrics.OUTCOME_REJECTED, seconds(t0));
            throw e;
        }
        metrics.observeStage(FusionMetrics.STAGE_NOTE, null, FusionMetrics.OUTCOME_OK, seconds(t0));
        observeAssessment(report, generator.isPresent());
        trail.models(ReportRecorder.models(report.provenance()));

        long b0 = System.nanoTime();
        Bundle bundle = NoteBundle.build(report, Instant.now());
        metrics.observeStage(FusionMetrics.STAGE_FHIR_BUILD, null, FusionMetrics.OUTCOME_OK, seconds(b0));
        validateIfConfigured(bundle);

        String fhir = Fhir.json(bundle);
        ReportRecorder.Recorded stored = recorder.record(req, "note", patient, report.specialty(), report, fhir,
                report.provenance(), report.provenance().timings(), text.getBytes(StandardCharsets.UTF_8), Json.MEDIA_TYPE);
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

    private void normalize(ServerRequest req, ServerResponse res) {
        ObjectNode body = Bodies.readJsonObject(req, maxJsonBytes, RADIOLOGY_FIELDS);
        String text = Bodies.requiredText(body, "text");
        String language = Bodies.optionalText(body, "language");
        AuditTrail trail = Routes.audit(req).action("radiology.normalize").input(text.getBytes(StandardCharsets.UTF_8))
                .models(ReportAssembler.RULES_NAME + "@" + ReportAssembler.RULES_VERSION);
        long t0 = System.nanoTime();
        NormalizedFindings n;
        try {
            n = radiology.normalize(text, language, assembler.config().maxTextBytes());
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

    private void validateIfConfigured(Bundle bundle) {
        if (!assembler.config().validateFhir()) {
            return;
        }
        long v0 = System.nanoTime();
        List<BundleValidator.Issue> errors = BundleValidator.get().errors(bundle);
        metrics.observeStage(FusionMetrics.STAGE_FHIR_VALIDATE, null,
                errors.isEmpty() ? FusionMetrics.OUTCOME_OK : FusionMetrics.OUTCOME_INVALID, seconds(v0));
        if (!errors.isEmpty()) {
            // locations and rule texts only: validator messages can quote values from the note
            LOG.severe(() -> "emitted FHIR bundle failed validation: " + errors.size() + " error(s) at "
                    + errors.stream().map(BundleValidator.Issue::location).limit(5).toList());
            throw new FusionException(FusionError.FUSION_FHIR_INVALID, "The FHIR bundle built for this report failed "
                    + "validation (" + errors.size() + " error(s)); this is a defect of the appliance, not of the note.");
        }
    }

    private void observeAssessment(StructuredReport r, boolean hadModel) {
        Provenance.ModelRef m = r.provenance().models().stream().filter(x -> "llm".equals(x.role())).findFirst().orElse(null);
        Double ms = r.provenance().timings().get("assessmentMs");
        String outcome = !hadModel ? FusionMetrics.OUTCOME_NO_MODEL
                : r.assessment() != null ? FusionMetrics.OUTCOME_OK : FusionMetrics.OUTCOME_REFUSED;
        metrics.observeStage(FusionMetrics.STAGE_ASSESSMENT, m == null ? null : m.name(), outcome,
                ms == null ? 0 : ms / 1000.0);
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
