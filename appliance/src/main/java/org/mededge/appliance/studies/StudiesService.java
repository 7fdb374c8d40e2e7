package org.mededge.appliance.studies;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.logging.Logger;

import com.fasterxml.jackson.core.JsonProcessingException;

import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import org.mededge.appliance.audit.AuditTrail;
import org.mededge.appliance.engines.EngineSlot;
import org.mededge.appliance.http.ApiException;
import org.mededge.appliance.http.ApiService;
import org.mededge.appliance.http.Bodies;
import org.mededge.appliance.http.Json;
import org.mededge.appliance.http.Routes;
import org.mededge.appliance.metrics.Metrics;
import org.mededge.appliance.reports.Refusion;
import org.mededge.appliance.reports.ReportPublisher;
import org.mededge.fusion.fhir.ImagingBundle;
import org.mededge.vision.Finding;
import org.mededge.vision.Heatmap;
import org.mededge.vision.ImageStudy;
import org.mededge.vision.ImagingFindings;
import org.mededge.vision.ImagingModel;
import org.mededge.vision.VisionException;

/**
 * POST /v1/studies (the image as the body: image/png, image/jpeg, application/dicom, or
 * application/octet-stream to let the bytes decide) → findings with provenance and timings;
 * GET /v1/studies/{id}/heatmap?label= → the occlusion-sensitivity map as PNG.
 */
public final class StudiesService implements ApiService {
    private static final Logger LOG = Logger.getLogger(StudiesService.class.getName());
    static final Set<String> MEDIA_TYPES = Set.of("image/png", "image/jpeg", "application/dicom", "application/octet-stream");

    static final String INSTALL_HINT = "Imaging models are installed with firmware-scripts/install-models.sh; the chest X-ray "
            + "model xrv-densenet121-res224-all must first be exported to ONNX from the torchxrayvision weights on a machine "
            + "with internet access (firmware-scripts/vision/export-xrv-densenet.md) and given to the installer with --mirror.";

    private final EngineSlot<StudyEngine> slot;
    private final VisionSettings settings;
    private final long maxBody;
    private final StudyCache cache;
    private final StudyMetrics metrics;
    private volatile boolean backendReported;

    private final ReportPublisher publisher;
    private final Refusion refusion;

    /** @param publisher validates and stores every answered study (findings and FHIR, the image only when configured) */
    public StudiesService(EngineSlot<StudyEngine> slot, VisionSettings settings, long maxUploadBytes, Metrics metrics,
                          ReportPublisher publisher, Refusion refusion) {
        this.publisher = publisher;
        this.refusion = java.util.Objects.requireNonNull(refusion, "refusion");
        this.slot = slot;
        this.settings = settings;
        this.maxBody = Math.min(maxUploadBytes, settings.engine().maxImageBytes());
        this.cache = new StudyCache(settings.keepStudies(), settings.keepFor(), Clock.systemUTC());
        this.metrics = new StudyMetrics(metrics);
    }

    @Override
    public void register(Routes routes) {
        routes.post("/v1/studies", this::analyze);
        routes.post("/v1/reports/{id}/studies", this::attach);
        routes.get("/v1/studies/{id}/heatmap", this::heatmap);
        routes.get("/v1/studies/{id}/image", this::image);
    }

    private void analyze(ServerRequest req, ServerResponse res) {
        // everything that can be answered without the body is answered first: a study is not read
        // (up to the image limit, into memory) only to be told the engine is not ready
        String type = Bodies.requireMediaType(req, MEDIA_TYPES);
        String patient = ReportPublisher.patient(req.query().first("patient").orElse(null));
        Analysed s = analyse(req, type, "study.analyze");
        Map<String, Object> answer = response(s.id(), s.analysis().study(), s.findings(), s.top());
        ReportPublisher.Published stored = publisher.publish(req, new ReportPublisher.Publication("study", patient, "radiology",
                answer, ImagingBundle.build(s.findings(), null, "en", Instant.now()), answer.get("model"), answer.get("timings"),
                null, s.image(), type));
        answer.put("reportId", stored.id());
        send(req, res, answer);
    }

    /**
     * POST /v1/reports/{id}/studies: a study added to an encounter's report. The study is analysed as
     * POST /v1/studies analyses it (and held for its heatmap), then the report is re-fused from all its
     * inputs and stored as its next version.
     */
    private void attach(ServerRequest req, ServerResponse res) {
        String type = Bodies.requireMediaType(req, MEDIA_TYPES);
        var target = refusion.target(req, req.path().pathParameters().get("id"));
        Analysed s = analyse(req, type, "report.attach-study");
        Refusion.Result r = refusion.attachStudy(req, target, s.findings(), s.image(), type);
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("reportId", r.published().id());
        answer.put("version", r.published().version());
        answer.put("study", response(s.id(), s.analysis().study(), s.findings(), s.top()));
        answer.put("report", r.report());
        send(req, res, answer);
    }

    /** One study read and analysed, held for its heatmap. */
    private record Analysed(String id, byte[] image, ImagingModel.Analysis analysis, ImagingFindings findings, String top) {
    }

    /** Engine readiness first, then the body, the model, its metrics, and the study held under a new id. */
    private Analysed analyse(ServerRequest req, String type, String action) {
        ImagingModel model = model();
        byte[] image = Bodies.read(req, maxBody);
        AuditTrail trail = Routes.audit(req).action(action).input(image);
        String name = model.spec().name();
        trail.models(provenance(model));
        ImagingModel.Analysis a;
        try {
            a = model.analyze(image, type);
        } catch (VisionException e) {
            metrics.study(name, e.error().name());
            throw e;
        }
        ImagingFindings f = a.findings();
        metrics.study(name, "ok");
        metrics.phase(StudyMetrics.STAGE_DECODE, name, f.timings().decodeMs());
        metrics.phase(StudyMetrics.STAGE_PREPROCESS, name, f.timings().preprocessMs());
        metrics.phase(StudyMetrics.STAGE_INFER, name, f.timings().inferMs());
        String id = UUID.randomUUID().toString();
        // the heatmap offered first: the most probable positive finding (a critical one before others), else the most probable label
        String top = f.findings().stream().max(java.util.Comparator.comparing((Finding x) -> x.positive())
                .thenComparing(x -> x.positive() && x.critical()).thenComparingDouble(Finding::probability))
                .map(Finding::label).orElse(null);
        cache.put(id, a.study(), f, top);
        return new Analysed(id, image, a, f, top);
    }

    private static void send(ServerRequest req, ServerResponse res, Map<String, Object> answer) {
        byte[] body = json(answer);
        Routes.audit(req).output(body);
        res.status(Status.OK_200);
        res.header(HeaderNames.CONTENT_TYPE, Json.MEDIA_TYPE);
        res.send(body);
    }

    /** The study's display image for the viewer: 8-bit grey PNG, at most 512 px a side (windowed by the page). */
    private void image(ServerRequest req, ServerResponse res) {
        String id = req.path().pathParameters().get("id");
        Routes.audit(req).action("study.image").resource("study/" + id);
        StudyCache.Entry entry = cache.get(id).orElseThrow(() -> new ApiException(404, "STUDY_NOT_FOUND", "Study " + id
                + " is not held: the appliance keeps the last " + settings.keepStudies() + " studies for "
                + settings.keepFor().toMinutes() + " minutes, in memory only. Send the image again with POST /v1/studies."));
        byte[] png = entry.study().view().png();
        res.status(Status.OK_200);
        res.header(HeaderNames.CONTENT_TYPE, "image/png");
        res.header("X-MedEdge-Original-Size", entry.study().study().width() + "x" + entry.study().study().height());
        res.send(png);
    }

    private void heatmap(ServerRequest req, ServerResponse res) {
        String id = req.path().pathParameters().get("id");
        AuditTrail trail = Routes.audit(req).action("study.heatmap").resource("study/" + id);
        StudyCache.Entry entry = cache.get(id).orElseThrow(() -> new ApiException(404, "STUDY_NOT_FOUND", "Study " + id
                + " is not held: the appliance keeps the last " + settings.keepStudies() + " studies for "
                + settings.keepFor().toMinutes() + " minutes, in memory only. Send the image again with POST /v1/studies."));
        String label = req.query().first("label").orElse(entry.topLabel());
        if (label == null || label.isBlank()) {
            throw ApiException.unprocessable("MISSING_LABEL", "Say which label to explain: ?label=...");
        }
        ImagingModel model = model();
        trail.models(provenance(model));
        Heatmap h;
        try {
            h = model.heatmap(entry.study(), label);
        } catch (VisionException e) {
            throw e;
        }
        metrics.phase(StudyMetrics.STAGE_HEATMAP, model.spec().name(), h.millis());
        trail.output(h.png());
        res.status(Status.OK_200);
        res.header(HeaderNames.CONTENT_TYPE, "image/png");
        res.header("X-MedEdge-Label", URLEncoder.encode(h.label(), StandardCharsets.UTF_8));
        res.header("X-MedEdge-Probability", Double.toString(round(h.baseline())));
        res.header("X-MedEdge-Max-Score-Drop", Double.toString(round(h.maxDrop())));
        res.header("X-MedEdge-Patch", h.patch() + "px every " + h.stride() + "px on a " + h.width() + "x" + h.height() + " input");
        res.send(h.png());
    }

    /**
     * The findings of a study analysed in the last {@code keep-minutes} (for a radiology report built
     * from a study id); empty when it is not held.
     */
    public java.util.Optional<ImagingFindings> findings(String studyId) {
        return cache.get(studyId).map(StudyCache.Entry::findings);
    }

    private ImagingModel model() {
        StudyEngine engine;
        try {
            engine = slot.require();
        } catch (ApiException e) {
            if (slot.detail() != null && slot.detail().contains("not installed")) {
                throw new ApiException(e.status(), e.code(), e.getMessage() + ". " + INSTALL_HINT, e.headers());
            }
            throw e;
        }
        ImagingModel model = engine.model();
        if (!backendReported) {
            metrics.backend(model.spec().name(), model.backend(), model.device());
            backendReported = true;
        }
        return model;
    }

    /** For the audit log: name@version, as the other routes write it. */
    private static String provenance(ImagingModel m) {
        return m.spec().name() + "@" + m.spec().version();
    }

    private static Map<String, Object> response(String id, ImageStudy s, ImagingFindings f, String top) {
        Map<String, Object> study = new LinkedHashMap<>();
        study.put("width", f.study().width());
        study.put("height", f.study().height());
        study.put("modality", f.study().modality());
        study.put("bodyPart", f.study().bodyPart());
        study.put("studyInstanceUid", f.study().studyInstanceUid());
        study.put("format", s.format());
        study.put("frames", s.frames());
        if (s.window() != null) {
            study.put("window", Map.of("center", s.window().center(), "width", s.window().width(),
                    "function", s.window().function(), "source", s.window().source()));
        }
        List<Map<String, Object>> findings = f.findings().stream().map(StudiesService::finding).toList();
        ImagingFindings.ModelProvenance m = f.model();
        Map<String, Object> model = new LinkedHashMap<>();
        model.put("name", m.name());
        model.put("version", m.version());
        model.put("sha256", m.sha256());
        model.put("backend", m.backend());
        model.put("device", m.device());
        model.put("tier", m.tier());
        model.put("clinical", m.clinical());
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("id", id);
        body.put("study", study);
        body.put("findings", findings);
        if (!f.measurements().isEmpty()) {
            body.put("measurements", f.measurements().stream().map(StudiesService::measured).toList());
        }
        body.put("model", model);
        body.put("timings", Map.of("decodeMs", f.timings().decodeMs(), "preprocessMs", f.timings().preprocessMs(),
                "inferMs", f.timings().inferMs()));
        body.put("notice", m.clinical()
                ? "AI-generated findings: they need review and sign-off by a qualified clinician."
                : m.name() + " is a " + m.tier() + " model, not a clinical one: its labels are not findings about this patient.");
        if (top != null) {
            body.put("heatmap", "/v1/studies/" + id + "/heatmap?label=" + URLEncoder.encode(top, StandardCharsets.UTF_8));
        }
        return body;
    }

    private static Map<String, Object> finding(Finding x) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("label", x.label());
        m.put("radlexId", x.radlexId());
        m.put("probability", round(x.probability()));
        m.put("positive", x.positive());
        if (x.laterality() != null) {
            m.put("laterality", x.laterality());
        }
        if (x.critical()) {
            m.put("critical", true);
        }
        return m;
    }

    private static Map<String, Object> measured(ImagingFindings.Measured x) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", x.name());
        m.put("value", Math.round(x.value() * 1000) / 1000.0);
        m.put("unit", x.unit());
        if (x.code() != null) {
            m.put("system", x.system());
            m.put("code", x.code());
        }
        return m;
    }

    /** Rounded once, for the answer; the engine's values are never rounded. */
    private static double round(double v) {
        return Math.round(v * 1e4) / 1e4;
    }

    private static byte[] json(Object body) {
        try {
            return Json.MAPPER.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("study response not serializable", e);
        }
    }

}
