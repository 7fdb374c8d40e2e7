package org.mededge.appliance.radiology;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

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
import org.mededge.appliance.store.ReportStore;
import org.mededge.fusion.FusionException;
import org.mededge.fusion.FusionMetrics;
import org.mededge.fusion.ReportAssembler;
import org.mededge.fusion.radiology.ChestImpression;
import org.mededge.fusion.radiology.Fleischner;
import org.mededge.fusion.radiology.NormalizedFindings;
import org.mededge.fusion.radiology.QualityChecks;
import org.mededge.fusion.radiology.RadFinding;
import org.mededge.fusion.radiology.RadiologyNormalizer;
import org.mededge.fusion.radiology.ReviewList;
import org.mededge.fusion.safety.Disclaimer;
import org.mededge.llm.Generation;
import org.mededge.llm.LlmException;
import org.mededge.llm.TextGenerator;
import org.mededge.vision.Finding;

/**
 * Radiology under one name. {@code POST /v1/radiology/normalize}: a radiologist's wording → house style
 * (measurements, laterality, RadLex terms) and findings, with the same limits as a note's text.
 * {@code POST /v1/radiology/reports/{id}/draft}: the reading-room draft of a study's report from the
 * radiologist's findings text: the normalized Findings, the AI-versus-radiologist review list, the
 * impression drafted by the language model's radiology adapter from the findings the rules ranked
 * (schema-constrained, marked as an AI draft, checked against the rules), the Fleischner follow-up for
 * a solid nodule, and the quality checks that would block signing now. The draft is answered and
 * audited; keeping it as a report version, acknowledging review items, the critical-result record and
 * signing are the next steps of the reading-room workflow (not built yet).
 */
public final class RadiologyService implements ApiService {
    private static final Set<String> FIELDS = Set.of("text", "language");
    private static final Set<String> DRAFT_FIELDS = Set.of("text", "language", "risk", "multipleNodules");

    private final RadiologyNormalizer radiology = new RadiologyNormalizer();
    private final Metrics metrics;
    private final long maxJsonBytes;
    private final int maxTextBytes;
    private final ReportStore reports;
    private final EngineSlot<TextGenerator> llm;

    public RadiologyService(Metrics metrics, long maxJsonBytes, int maxTextBytes, ReportStore reports,
                            EngineSlot<TextGenerator> llm) {
        this.metrics = metrics;
        this.maxJsonBytes = maxJsonBytes;
        this.maxTextBytes = maxTextBytes;
        this.reports = reports;
        this.llm = llm;
    }

    @Override
    public void register(Routes routes) {
        routes.post("/v1/radiology/normalize", this::normalize);
        routes.post("/v1/radiology/reports/{id}/draft", this::draft);
    }

    private void draft(ServerRequest req, ServerResponse res) {
        ObjectNode body = Bodies.readJsonObject(req, maxJsonBytes, DRAFT_FIELDS);
        String text = Bodies.requiredText(body, "text");
        String language = Optional.ofNullable(Bodies.optionalText(body, "language")).orElse("en");
        String riskText = Optional.ofNullable(Bodies.optionalText(body, "risk")).orElse("low");
        if (!riskText.equals("low") && !riskText.equals("high")) {
            throw ApiException.unprocessable("INVALID_RISK", "risk is the patient's nodule risk as Fleischner defines it: low or high");
        }
        Fleischner.Risk risk = Fleischner.Risk.valueOf(riskText.toUpperCase(java.util.Locale.ROOT));
        String id = req.path().pathParameters().get("id");
        ReportStore.StoredReport stored = reports.get(id).filter(r -> r.kind().equals("study"))
                .orElseThrow(() -> new ApiException(404, "REPORT_NOT_FOUND", "No study report " + id
                        + ": draft from the reportId that POST /v1/studies answered."));
        AuditTrail trail = Routes.audit(req).action("radiology.draft").resource("report/" + id)
                .input(text.getBytes(StandardCharsets.UTF_8));
        JsonNode study = read(stored.current().reportJson());
        List<Finding> model = new ArrayList<>();
        for (JsonNode f : study.path("findings")) {
            model.add(new Finding(f.path("label").asText(), f.path("radlexId").asText(null), f.path("probability").asDouble(),
                    f.path("positive").asBoolean(), f.path("critical").asBoolean(), f.path("laterality").asText(null)));
        }
        Double ctr = null;
        for (JsonNode m : study.path("measurements")) {
            if (m.path("name").asText().equals("cardiothoracic ratio")) {
                ctr = m.path("value").asDouble();
            }
        }
        long t0 = System.nanoTime();
        NormalizedFindings n = radiology.normalize(text, language.equals("zh") || language.equals("en") ? language : null,
                maxTextBytes);
        metrics.observeStage(FusionMetrics.STAGE_RADIOLOGY, null, FusionMetrics.OUTCOME_OK, seconds(t0));
        List<ReviewList.Item> review = ReviewList.of(model, n.findings());
        List<String> positives = model.stream().filter(Finding::positive).map(ReviewList::labelOf)
                .filter(java.util.Objects::nonNull).toList();
        List<ChestImpression.Ranked> ranked = ChestImpression.rank(positives, n.findings());
        Set<String> critical = new LinkedHashSet<>();
        for (Finding f : model) {
            String l = ReviewList.labelOf(f);
            if (f.critical() && l != null && ranked.stream().anyMatch(r -> r.label().equals(l))) {
                critical.add(l);
            }
        }

        Map<String, Object> impression = impression(ctr, ranked, n.language(), trail);
        List<Map<String, Object>> followUp = new ArrayList<>();
        List<RadFinding> nodules = n.findings().stream().filter(f -> f.term().equals("nodule") && !f.negated()).toList();
        boolean multiple = body.path("multipleNodules").asBoolean(nodules.size() > 1);
        for (RadFinding f : nodules) {
            Fleischner.Recommendation r = Fleischner.of(f, multiple, risk);
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("finding", f.term() + (f.laterality() == null ? "" : ", " + f.laterality()));
            if (r == null) {
                m.put("recommendation", null);
                m.put("why", "no size stated: Fleischner's recommendation depends on it");
            } else {
                m.put("sizeMm", r.sizeMm());
                m.put("multiple", multiple);
                m.put("risk", riskText);
                m.put("recommendation", r.text());
                m.put("guideline", r.citation());
                m.put("limits", r.limits());
            }
            followUp.add(m);
        }
        List<QualityChecks.Problem> checks = new ArrayList<>(QualityChecks.check(n.findings(), (String) impression.get("text"),
                ranked, ctr == null ? Double.NaN : ctr, review.stream().map(ReviewList.Item::label).toList(), critical, false));
        // the grounding check of the AI draft: what it says that the findings do not (or leaves out)
        if (impression.get("problems") instanceof List<?> problems) {
            problems.forEach(x -> checks.add(new QualityChecks.Problem("IMPRESSION_NOT_GROUNDED", "The AI draft: " + x + ".")));
        }

        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("reportId", id);
        answer.put("findings", n);
        answer.put("review", review);
        answer.put("ranked", ranked);
        answer.put("impression", impression);
        answer.put("followUp", followUp);
        answer.put("critical", critical);
        answer.put("checks", checks);
        answer.put("signable", checks.isEmpty());
        answer.put("timingsMs", Math.round((System.nanoTime() - t0) / 1e6));
        byte[] out;
        try {
            out = Json.MAPPER.writeValueAsBytes(answer);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("draft not serializable", e);
        }
        trail.output(out);
        res.header(HeaderNames.CONTENT_TYPE, Json.MEDIA_TYPE);
        res.status(Status.OK_200);
        res.send(out);
    }

    /** The AI impression draft, or why there is none; never presented as checked when the rules disagree. */
    private Map<String, Object> impression(Double ctr, List<ChestImpression.Ranked> ranked, String language, AuditTrail trail) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("draft", true);
        m.put("disclaimer", Disclaimer.forLanguage(language));
        Optional<TextGenerator> g = llm.state() == EngineSlot.State.READY ? llm.engine() : Optional.empty();
        if (ctr == null) {
            m.put("text", null);
            m.put("why", "the study's model gives no cardiothoracic ratio: the impression adapter is made for the chest model");
            return m;
        }
        if (g.isEmpty() || !g.get().adapters().contains(ChestImpression.ADAPTER)) {
            m.put("text", null);
            m.put("why", g.isEmpty() ? "the language model is not ready" : "the language model has no radiology adapter");
            return m;
        }
        long t0 = System.nanoTime();
        try {
            Generation out = g.get().generate(ChestImpression.request(ctr, ranked, language, g.get().adapters(), 200,
                    Duration.ofSeconds(30)));
            ChestImpression.Parsed p = ChestImpression.parse(out.text());
            metrics.observeStage(FusionMetrics.STAGE_ASSESSMENT, out.model(), p.impression() == null ? FusionMetrics.OUTCOME_REFUSED
                    : FusionMetrics.OUTCOME_OK, seconds(t0));
            trail.models(out.model() + "+" + out.adapter());
            if (p.impression() == null) {
                m.put("text", null);
                m.put("why", p.problem());
                return m;
            }
            List<String> problems = ChestImpression.problems(p.impression(), ctr, ranked);
            m.put("text", p.impression().impression());
            m.put("primary", p.impression().primary());
            m.put("followUpAdvised", p.impression().followUp());
            m.put("model", out.model());
            m.put("adapter", out.adapter());
            m.put("rulesCheck", problems.isEmpty() ? "agrees with the findings" : "DIFFERS from the findings: review it");
            m.put("problems", problems);
        } catch (LlmException e) {
            m.put("text", null);
            m.put("why", e.error().name() + ": " + e.getMessage());
        }
        return m;
    }

    private static JsonNode read(String json) {
        try {
            return Json.MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a stored study report is not JSON", e);
        }
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
