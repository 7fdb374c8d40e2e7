package org.mededge.appliance.radiology;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import io.prometheus.client.Counter;

import org.mededge.appliance.audit.AuditEntry;
import org.mededge.appliance.audit.AuditTrail;
import org.mededge.appliance.auth.Principal;
import org.mededge.appliance.engines.EngineSlot;
import org.mededge.appliance.http.ApiException;
import org.mededge.appliance.http.ApiService;
import org.mededge.appliance.http.Bodies;
import org.mededge.appliance.http.Json;
import org.mededge.appliance.http.Routes;
import org.mededge.appliance.metrics.Metrics;
import org.mededge.appliance.reports.ReportPublisher;
import org.mededge.appliance.store.ReportStore;
import org.mededge.asr.AsrConfig;
import org.mededge.asr.AsrOptions;
import org.mededge.asr.Dictation;
import org.mededge.fusion.FusionMetrics;
import org.mededge.fusion.fhir.ImagingBundle;
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
import org.mededge.vision.ImagingFindings;

/**
 * The reading room: a study's report from the worklist to the radiologist's signature. The study's
 * stored report (made by {@code POST /v1/studies}) carries the reading in its newer versions, each
 * step one version, so the history shows who did what when:
 * <ol>
 *   <li>{@code GET /v1/radiology/worklist}: studies with their state (ai-read, in-progress, signed),
 *   a critical AI finding first;</li>
 *   <li>{@code POST /v1/radiology/reports/{id}/findings} {@code {text, language?, risk?, multipleNodules?}}, or the
 *   findings dictated (an audio body, {@code ?language=&risk=}: the dictation engine's transcript is the text):
 *   the radiologist's words normalized into the Findings, the AI-versus-radiologist review list, the
 *   rules' ranking, the impression drafted by llm-demo's radiology adapter and checked against the
 *   rules, the Fleischner follow-up, the quality checks;</li>
 *   <li>{@code POST /v1/radiology/reports/{id}/review} {@code {label, answer: agree|disagree|not-relevant}}:
 *   one review item answered (counted per label and answer for ops); agreeing with an AI-only finding adds it
 *   to the report's findings as the radiologist's own;</li>
 *   <li>{@code POST /v1/radiology/reports/{id}/critical} {@code {name, role, time, readBack}}: who was
 *   told of a critical finding, when, and whether they read it back;</li>
 *   <li>{@code POST /v1/radiology/reports/{id}/sign} {@code {impression?}}: refused (409
 *   RADIOLOGY_CHECKS_FAILED with every problem) until the quality checks pass; then final, its FHIR
 *   DiagnosticReport validated; {@code GET /v1/radiology/critical}: critical results not yet
 *   communicated.</li>
 * </ol>
 */
public final class ReadingRoomService implements ApiService {
    public static final String REVIEW_ANSWERS = "mededge_radiology_review_answers_total";
    private static final Set<String> FINDINGS_FIELDS = Set.of("text", "language", "risk", "multipleNodules");
    private static final Set<String> ANSWERS = Set.of("agree", "disagree", "not-relevant");
    private static final int WORKLIST_SCAN = 500;

    private final RadiologyNormalizer normalizer = new RadiologyNormalizer();
    private final ReportStore reports;
    private final EngineSlot<TextGenerator> llm;
    private final ReportPublisher publisher;
    private final Metrics metrics;
    private final long maxJsonBytes;
    private final int maxTextBytes;
    private final Counter answers;

    private final EngineSlot<Dictation> asr;
    private final AsrConfig asrConfig;
    private final long maxAudioBytes;

    /**
     * @param asr the dictation engine, for findings dictated as audio ({@code asr} settings for its options)
     */
    public ReadingRoomService(ReportStore reports, EngineSlot<TextGenerator> llm, EngineSlot<Dictation> asr, AsrConfig asrConfig,
                              ReportPublisher publisher, Metrics metrics, long maxJsonBytes, long maxAudioBytes, int maxTextBytes) {
        this.asr = asr;
        this.asrConfig = asrConfig;
        this.maxAudioBytes = maxAudioBytes;
        this.reports = reports;
        this.llm = llm;
        this.publisher = publisher;
        this.metrics = metrics;
        this.maxJsonBytes = maxJsonBytes;
        this.maxTextBytes = maxTextBytes;
        this.answers = Counter.build(REVIEW_ANSWERS, "Radiologists' answers to AI-versus-report review items, per label.")
                .labelNames("label", "kind", "answer").register(metrics.registry());
    }

    @Override
    public void register(Routes routes) {
        routes.get("/v1/radiology/worklist", this::worklist);
        routes.get("/v1/radiology/critical", this::openCritical);
        routes.post("/v1/radiology/reports/{id}/findings", this::findings);
        routes.post("/v1/radiology/reports/{id}/review", this::review);
        routes.post("/v1/radiology/reports/{id}/critical", this::critical);
        routes.post("/v1/radiology/reports/{id}/sign", this::sign);
    }

    // ---------------------------------------------------------------- worklist

    private void worklist(ServerRequest req, ServerResponse res) {
        List<Map<String, Object>> items = new ArrayList<>();
        for (ReportStore.StoredReport r : reports.list(null, null, null, WORKLIST_SCAN, 0)) {
            if (!r.kind().equals("study")) {
                continue;
            }
            JsonNode j = read(r.current().reportJson());
            boolean criticalAi = false;
            for (JsonNode f : j.path("findings")) {
                criticalAi |= f.path("critical").asBoolean() && f.path("positive").asBoolean();
            }
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("reportId", r.id());
            m.put("state", !ReportStore.PRELIMINARY.equals(r.current().status()) ? "signed"
                    : j.has("reading") ? "in-progress" : "ai-read");
            m.put("priority", criticalAi ? "critical" : "routine");
            m.put("patient", r.patient());
            m.put("modality", j.at("/study/modality").asText(null));
            m.put("model", j.at("/model/name").asText(null));
            m.put("createdAt", r.createdAt());
            m.put("version", r.currentVersion());
            items.add(m);
        }
        items.sort(Comparator.comparing((Map<String, Object> m) -> !"critical".equals(m.get("priority")) || "signed".equals(m.get("state")))
                .thenComparing(m -> "signed".equals(m.get("state")))
                .thenComparing(m -> String.valueOf(m.get("createdAt")), Comparator.reverseOrder()));
        Json.ok(res, Map.of("studies", items));
    }

    private void openCritical(ServerRequest req, ServerResponse res) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (ReportStore.StoredReport r : reports.list(null, null, null, WORKLIST_SCAN, 0)) {
            JsonNode reading = read(r.current().reportJson()).path("reading");
            if (r.kind().equals("study") && reading.path("critical").size() > 0 && reading.path("criticalResult").isMissingNode()) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("reportId", r.id());
                m.put("patient", r.patient());
                m.put("critical", reading.get("critical"));
                m.put("since", r.current().createdAt());
                out.add(m);
            }
        }
        Json.ok(res, Map.of("open", out));
    }

    // ---------------------------------------------------------------- findings and draft

    private void findings(ServerRequest req, ServerResponse res) {
        ObjectNode body;
        String text;
        String language;
        Map<String, Object> dictated = null;
        String type = Bodies.mediaType(req);
        if (type != null && type.startsWith("audio/")) {
            // dictated findings: the dictation engine's transcript becomes the text (options from the query)
            body = Json.MAPPER.createObjectNode();
            req.query().first("risk").ifPresent(v -> body.put("risk", v));
            language = req.query().first("language").orElse(null);
            Dictation d = asr.require();
            AsrOptions options = AsrOptions.defaults(asrConfig).with(language == null ? "auto" : language, "radiology");
            d.check(options, type);
            byte[] audio = Bodies.read(req, maxAudioBytes);
            Routes.audit(req).models(d.model().name() + "@" + d.model().version());
            Dictation.Result r = d.transcribe(audio, type, options);
            text = r.transcript().text();
            if (text.isBlank()) {
                throw ApiException.unprocessable("NO_SPEECH", "No findings were heard in the dictation.");
            }
            language = r.transcript().language();
            dictated = new LinkedHashMap<>();
            dictated.put("text", text);
            dictated.put("language", language);
            dictated.put("durationMs", r.transcript().durationMs());
            dictated.put("model", d.model().name());
        } else {
            body = Bodies.readJsonObject(req, maxJsonBytes, FINDINGS_FIELDS);
            text = Bodies.requiredText(body, "text");
            language = Bodies.optionalText(body, "language");
        }
        String riskText = Optional.ofNullable(Bodies.optionalText(body, "risk")).orElse("low");
        if (!riskText.equals("low") && !riskText.equals("high")) {
            throw ApiException.unprocessable("INVALID_RISK", "risk is the patient's nodule risk as Fleischner defines it: low or high");
        }
        ReportStore.StoredReport cur = open(req);
        ObjectNode study = (ObjectNode) read(cur.current().reportJson());
        Routes.audit(req).action("radiology.findings").input(text.getBytes(StandardCharsets.UTF_8));
        long t0 = System.nanoTime();
        NormalizedFindings n = normalizer.normalize(text, "zh".equals(language) || "en".equals(language) ? language : null,
                maxTextBytes);
        metrics.observeStage(FusionMetrics.STAGE_RADIOLOGY, null, FusionMetrics.OUTCOME_OK, seconds(t0));
        List<Finding> model = modelFindings(study);
        Double ctr = ctr(study);
        List<ReviewList.Item> review = ReviewList.of(model, n.findings());
        List<ChestImpression.Ranked> ranked = ChestImpression.rank(positives(model), n.findings());
        Set<String> critical = new LinkedHashSet<>();
        for (Finding f : model) {
            String l = ReviewList.labelOf(f);
            if (f.critical() && l != null && ranked.stream().anyMatch(r -> r.label().equals(l))) {
                critical.add(l);
            }
        }
        Map<String, Object> impression = draftImpression(ctr, ranked, n.language(), Routes.audit(req));
        List<RadFinding> nodules = n.findings().stream().filter(f -> f.term().equals("nodule") && !f.negated()).toList();
        boolean multiple = body.path("multipleNodules").asBoolean(nodules.size() > 1);
        List<Map<String, Object>> followUp = new ArrayList<>();
        for (RadFinding f : nodules) {
            followUp.add(fleischner(f, multiple, riskText));
        }
        List<Map<String, Object>> items = new ArrayList<>();
        for (ReviewList.Item i : review) {
            Map<String, Object> m = Json.MAPPER.convertValue(i, Json.MAPPER.getTypeFactory()
                    .constructMapType(LinkedHashMap.class, String.class, Object.class));
            m.put("answer", null);
            items.add(m);
        }
        Map<String, Object> reading = new LinkedHashMap<>();
        reading.put("text", text);
        if (dictated != null) {
            reading.put("dictation", dictated);
        }
        reading.put("findings", n);
        reading.put("review", items);
        reading.put("ranked", ranked);
        reading.put("impression", impression);
        reading.put("followUp", followUp);
        reading.put("critical", critical);
        reading.put("radiologist", Routes.principal(req).id());
        study.set("reading", Json.MAPPER.valueToTree(reading));
        ReportStore.StoredReport after = store(req, cur, study, "findings", n);
        Json.ok(res, answer(after, study));
    }

    private Map<String, Object> draftImpression(Double ctr, List<ChestImpression.Ranked> ranked, String language,
                                                AuditTrail trail) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("draft", true);
        m.put("disclaimer", Disclaimer.forLanguage(language));
        Optional<TextGenerator> g = llm.state() == EngineSlot.State.READY ? llm.engine() : Optional.empty();
        String why = ctr == null ? "the study's model gives no cardiothoracic ratio: the impression adapter is made for the chest model"
                : g.isEmpty() ? "the language model is not ready"
                : !g.get().adapters().contains(ChestImpression.ADAPTER) ? "the language model has no radiology adapter" : null;
        if (why != null) {
            m.put("text", null);
            m.put("why", why);
            return m;
        }
        long t0 = System.nanoTime();
        try {
            Generation out = g.get().generate(ChestImpression.request(ctr, ranked, language, g.get().adapters(), 200,
                    Duration.ofSeconds(30)));
            ChestImpression.Parsed p = ChestImpression.parse(out.text());
            metrics.observeStage(FusionMetrics.STAGE_ASSESSMENT, out.model(),
                    p.impression() == null ? FusionMetrics.OUTCOME_REFUSED : FusionMetrics.OUTCOME_OK, seconds(t0));
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

    private static Map<String, Object> fleischner(RadFinding f, boolean multiple, String risk) {
        Fleischner.Recommendation r = Fleischner.of(f, multiple, Fleischner.Risk.valueOf(risk.toUpperCase(Locale.ROOT)));
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("finding", f.term() + (f.laterality() == null ? "" : ", " + f.laterality()));
        if (r == null) {
            m.put("recommendation", null);
            m.put("why", "no size stated: Fleischner's recommendation depends on it");
        } else {
            m.put("sizeMm", r.sizeMm());
            m.put("multiple", multiple);
            m.put("risk", risk);
            m.put("recommendation", r.text());
            m.put("guideline", r.citation());
            m.put("limits", r.limits());
        }
        return m;
    }

    // ---------------------------------------------------------------- review, critical result, sign

    private void review(ServerRequest req, ServerResponse res) {
        ObjectNode body = Bodies.readJsonObject(req, maxJsonBytes, Set.of("label", "answer", "comment"));
        String label = Bodies.requiredText(body, "label");
        String answer = Bodies.requiredText(body, "answer");
        if (!ANSWERS.contains(answer)) {
            throw ApiException.unprocessable("INVALID_ANSWER", "answer is agree, disagree or not-relevant");
        }
        ReportStore.StoredReport cur = open(req);
        ObjectNode study = (ObjectNode) read(cur.current().reportJson());
        JsonNode item = null;
        for (JsonNode i : reading(study).path("review")) {
            if (i.path("label").asText().equals(label)) {
                item = i;
            }
        }
        if (item == null) {
            throw new ApiException(404, "REVIEW_ITEM_NOT_FOUND", "No review item " + label + " on this report.");
        }
        ((ObjectNode) item).put("answer", answer);
        ((ObjectNode) item).put("answeredBy", Routes.principal(req).id());
        ((ObjectNode) item).put("answeredAt", Instant.now().toString());
        if (body.hasNonNull("comment")) {
            ((ObjectNode) item).put("comment", body.get("comment").asText());
        }
        if (answer.equals("agree") && item.path("kind").asText().equals(ReviewList.Kind.AI_NOT_IN_REPORT.name())) {
            // agree: the AI's finding goes into the report as the radiologist's own
            String radlex = null;
            for (Finding f : modelFindings(study)) {
                if (label.equals(ReviewList.labelOf(f))) {
                    radlex = f.radlexId();
                }
            }
            NormalizedFindings added = ReviewList.addToReport(normalized(study), label, radlex);
            ObjectNode reading = reading(study);
            reading.set("findings", Json.MAPPER.valueToTree(added));
            reading.set("ranked", Json.MAPPER.valueToTree(ChestImpression.rank(positives(modelFindings(study)), added.findings())));
            ((ObjectNode) item).put("addedToReport", true);
        }
        Routes.audit(req).action("radiology.review").input(label.concat(":").concat(answer).getBytes(StandardCharsets.UTF_8));
        ReportStore.StoredReport after = store(req, cur, study, "review", normalized(study));
        answers.labels(label, item.path("kind").asText(), answer).inc();
        Json.ok(res, answer(after, study));
    }

    private void critical(ServerRequest req, ServerResponse res) {
        ObjectNode body = Bodies.readJsonObject(req, maxJsonBytes, Set.of("name", "role", "time", "readBack"));
        String name = Bodies.requiredText(body, "name");
        String role = Bodies.requiredText(body, "role");
        String time = Bodies.requiredText(body, "time");
        try {
            Instant.parse(time);
        } catch (RuntimeException e) {
            throw ApiException.unprocessable("INVALID_TIME", "time is when they were told, ISO-8601 (2026-12-06T22:40:00Z)");
        }
        if (!body.path("readBack").isBoolean()) {
            throw ApiException.unprocessable("INVALID_READ_BACK", "readBack: true or false, whether the recipient read the result back");
        }
        ReportStore.StoredReport cur = open(req);
        ObjectNode study = (ObjectNode) read(cur.current().reportJson());
        ObjectNode reading = reading(study);
        if (reading.path("critical").isEmpty()) {
            throw new ApiException(409, "NO_CRITICAL_FINDING", "This report has no critical finding to communicate.");
        }
        ObjectNode record = reading.putObject("criticalResult");
        record.put("told", name);
        record.put("role", role);
        record.put("time", time);
        record.put("readBack", body.get("readBack").asBoolean());
        record.put("recordedBy", Routes.principal(req).id());
        record.set("findings", reading.get("critical"));
        Routes.audit(req).action("radiology.critical-result").input(record.toString().getBytes(StandardCharsets.UTF_8));
        ReportStore.StoredReport after = store(req, cur, study, "critical-result", normalized(study));
        Json.ok(res, answer(after, study));
    }

    private void sign(ServerRequest req, ServerResponse res) {
        ObjectNode body = Bodies.readJsonObject(req, maxJsonBytes, Set.of("impression", "version", "reason"));
        ReportStore.StoredReport cur = find(req);
        boolean amending = !ReportStore.PRELIMINARY.equals(cur.current().status());
        String reason = Bodies.optionalText(body, "reason");
        if (amending && (reason == null || reason.isBlank() || !body.hasNonNull("impression"))) {
            throw ApiException.unprocessable("AMENDMENT_INCOMPLETE", "Report " + cur.id() + " is " + cur.current().status()
                    + ": an amendment gives the corrected impression and a reason; the signed versions are kept.");
        }
        ObjectNode study = (ObjectNode) read(cur.current().reportJson());
        ObjectNode reading = reading(study);
        if (amending) {
            // what was signed stays in the history; this version says what changed and why
            ObjectNode a = reading.withArray("amendments").addObject();
            a.put("previousImpression", reading.path("impressionSigned").asText(null));
            a.put("reason", reason);
            a.put("by", Routes.principal(req).id());
            a.put("at", Instant.now().toString());
        }
        String impression = body.hasNonNull("impression") ? body.get("impression").asText()
                : reading.at("/impression/text").asText(null);
        List<QualityChecks.Problem> problems = checks(study, impression);
        if (!problems.isEmpty()) {
            throw new ApiException(409, "RADIOLOGY_CHECKS_FAILED", problems.size() + " check(s) fail: "
                    + String.join(" ", problems.stream().map(p -> p.code() + ": " + p.message()).toList()));
        }
        Principal p = Routes.principal(req);
        reading.put("impressionSigned", impression);
        reading.put("signedBy", p.id());
        reading.put("signedAt", Instant.now().toString());
        NormalizedFindings n = normalized(study);
        String studyJson = json(study);
        String fhir = publisher.validated(ImagingBundle.build(imagingFindings(study), n, impression, true, n.language(), Instant.now()));
        AuditTrail trail = Routes.audit(req).action("radiology.sign");
        ReportStore.StoredReport after;
        try {
            after = reports.sign(cur.id(), body.hasNonNull("version") ? body.get("version").asInt() : null, p.id(), studyJson, fhir,
                    new AuditEntry.Event(p.id(), p.roleId(), amending ? "radiology.amend" : "radiology.sign", "report/" + cur.id(), "ok",
                            trail.models(),
                            AuditTrail.sha256(impression == null ? new byte[0] : impression.getBytes(StandardCharsets.UTF_8)),
                            AuditTrail.sha256(studyJson), Routes.client(req)), null);
        } catch (ReportStore.VersionConflict e) {
            throw new ApiException(409, "VERSION_CONFLICT", e.getMessage());
        }
        trail.resource("report/" + cur.id()).markWritten();
        Map<String, Object> a = answer(after, study);
        a.put("fhir", "/v1/reports/" + cur.id() + "/fhir");
        Json.ok(res, a);
    }

    /** A study report with its reading as a page for people (GET /v1/reports/{id}/html). */
    public static String html(ReportStore.StoredReport r) {
        JsonNode study = read(r.current().reportJson());
        JsonNode reading = study.path("reading");
        NormalizedFindings n = Json.MAPPER.convertValue(reading.path("findings"), NormalizedFindings.class);
        boolean signed = reading.has("impressionSigned");
        String impression = signed ? reading.path("impressionSigned").asText() : reading.at("/impression/text").asText(null);
        List<String> followUp = new ArrayList<>();
        reading.path("followUp").forEach(f -> followUp.add(f.path("finding").asText() + (f.has("sizeMm") ? ", " + f.get("sizeMm") + " mm" : "")
                + ": " + (f.path("recommendation").isNull() ? f.path("why").asText() : f.path("recommendation").asText()
                + " (" + f.path("guideline").asText() + ")")));
        JsonNode c = reading.path("criticalResult");
        String critical = c.isMissingNode() ? null : String.join(", ", iterable(reading.path("critical"))) + ": told "
                + c.path("told").asText() + " (" + c.path("role").asText() + ") at " + c.path("time").asText()
                + (c.path("readBack").asBoolean() ? ", read back" : ", not read back") + "; recorded by " + c.path("recordedBy").asText();
        List<org.mededge.fusion.ImagingFinding> ai = new ArrayList<>();
        JsonNode m = study.path("model");
        for (Finding f : modelFindings(study)) {
            if (f.positive()) {
                ai.add(new org.mededge.fusion.ImagingFinding(f.label(), f.radlexId(), f.probability(), m.path("name").asText(),
                        m.path("version").asText(), m.path("tier").asText(), m.path("clinical").asBoolean(), null, f.critical(),
                        f.laterality()));
            }
        }
        return org.mededge.fusion.html.RadiologyHtml.render(new org.mededge.fusion.html.RadiologyHtml.Page(r.current().status(), n,
                impression, !signed, followUp, critical, ai,
                signed ? reading.path("signedBy").asText() + ", " + reading.path("signedAt").asText() : null));
    }

    private static List<String> iterable(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(x -> out.add(x.asText()));
        return out;
    }

    // ---------------------------------------------------------------- shared

    /** The checks that block signing, on the report as it stands (and the impression that would be signed). */
    private List<QualityChecks.Problem> checks(ObjectNode study, String impression) {
        ObjectNode reading = reading(study);
        NormalizedFindings n = normalized(study);
        List<ChestImpression.Ranked> ranked = ChestImpression.rank(positives(modelFindings(study)), n.findings());
        List<String> unanswered = new ArrayList<>();
        reading.path("review").forEach(i -> {
            if (i.path("answer").isNull() || i.path("answer").isMissingNode()) {
                unanswered.add(i.path("label").asText());
            }
        });
        Set<String> critical = new LinkedHashSet<>();
        reading.path("critical").forEach(c -> critical.add(c.asText()));
        Double ctr = ctr(study);
        return QualityChecks.check(n.findings(), impression, ranked, ctr == null ? Double.NaN : ctr, unanswered, critical,
                reading.has("criticalResult"));
    }

    private Map<String, Object> answer(ReportStore.StoredReport r, ObjectNode study) {
        Map<String, Object> a = new LinkedHashMap<>();
        a.put("reportId", r.id());
        a.put("version", r.currentVersion());
        a.put("status", r.current().status());
        a.put("reading", study.get("reading"));
        List<QualityChecks.Problem> checks = ReportStore.PRELIMINARY.equals(r.current().status())
                ? checks(study, study.path("reading").at("/impression/text").asText(null)) : List.of();
        a.put("checks", checks);
        a.put("signable", checks.isEmpty() && ReportStore.PRELIMINARY.equals(r.current().status()));
        return a;
    }

    /** The study report the route names: 404 when there is none, 409 once signed (sign amends it instead). */
    private ReportStore.StoredReport open(ServerRequest req) {
        ReportStore.StoredReport r = find(req);
        if (!ReportStore.PRELIMINARY.equals(r.current().status())) {
            throw new ApiException(409, "REPORT_SIGNED", "Report " + r.id() + " is " + r.current().status()
                    + ": amend its impression with POST /v1/radiology/reports/{id}/sign and a reason.");
        }
        return r;
    }

    private ReportStore.StoredReport find(ServerRequest req) {
        String id = req.path().pathParameters().get("id");
        ReportStore.StoredReport r = reports.get(id).filter(x -> x.kind().equals("study"))
                .orElseThrow(() -> new ApiException(404, "REPORT_NOT_FOUND", "No study report " + id
                        + ": use the reportId that POST /v1/studies answered."));
        Routes.audit(req).resource("report/" + id);
        return r;
    }

    /** One more (unsigned) version of the study report: its reading so far, its bundle, its audit entry, together. */
    private ReportStore.StoredReport store(ServerRequest req, ReportStore.StoredReport cur, ObjectNode study, String input,
                                           NormalizedFindings n) {
        String studyJson = json(study);
        String fhir = publisher.validated(ImagingBundle.build(imagingFindings(study), n, null, false, n.language(), Instant.now()));
        Principal p = Routes.principal(req);
        AuditTrail trail = Routes.audit(req);
        try {
            ReportStore.StoredReport r = reports.addInput(cur.id(), new ReportStore.NewInput(input, p.id(), studyJson, fhir,
                    cur.current().provenanceJson(), cur.current().timingsJson(), trail.inputSha256(), null, null),
                    new AuditEntry.Event(p.id(), p.roleId(), trail.action(), "report/" + cur.id(), "ok", trail.models(),
                            trail.inputSha256(), AuditTrail.sha256(studyJson), Routes.client(req)));
            trail.markWritten();
            return r;
        } catch (ReportStore.NotOpen e) {
            throw new ApiException(409, "REPORT_SIGNED", e.getMessage());
        }
    }

    private static ObjectNode reading(ObjectNode study) {
        JsonNode r = study.get("reading");
        if (!(r instanceof ObjectNode o)) {
            throw new ApiException(409, "NO_FINDINGS_YET", "Report the findings first: POST /v1/radiology/reports/{id}/findings.");
        }
        return o;
    }

    private static NormalizedFindings normalized(ObjectNode study) {
        JsonNode f = study.at("/reading/findings");
        return f.isMissingNode() ? null : Json.MAPPER.convertValue(f, NormalizedFindings.class);
    }

    static List<Finding> modelFindings(JsonNode study) {
        List<Finding> model = new ArrayList<>();
        for (JsonNode f : study.path("findings")) {
            model.add(new Finding(f.path("label").asText(), f.path("radlexId").asText(null), f.path("probability").asDouble(),
                    f.path("positive").asBoolean(), f.path("critical").asBoolean(), f.path("laterality").asText(null)));
        }
        return model;
    }

    private static List<String> positives(List<Finding> model) {
        return model.stream().filter(Finding::positive).map(ReviewList::labelOf).filter(Objects::nonNull).toList();
    }

    private static Double ctr(JsonNode study) {
        for (JsonNode m : study.path("measurements")) {
            if (m.path("name").asText().equals("cardiothoracic ratio")) {
                return m.path("value").asDouble();
            }
        }
        return null;
    }

    /** The study's model output as the vision module gave it, rebuilt from the stored answer (for its FHIR bundle). */
    private static ImagingFindings imagingFindings(JsonNode s) {
        JsonNode st = s.path("study");
        JsonNode m = s.path("model");
        List<ImagingFindings.Measured> measured = new ArrayList<>();
        for (JsonNode x : s.path("measurements")) {
            measured.add(new ImagingFindings.Measured(x.path("name").asText(), x.path("value").asDouble(), x.path("unit").asText(),
                    x.path("system").asText(null), x.path("code").asText(null)));
        }
        return new ImagingFindings(new ImagingFindings.Study(st.path("width").asInt(), st.path("height").asInt(),
                st.path("modality").asText(null), st.path("bodyPart").asText(null), st.path("studyInstanceUid").asText(null)),
                modelFindings(s), measured, new ImagingFindings.ModelProvenance(m.path("name").asText(), m.path("version").asText(),
                m.path("sha256").asText(), m.path("backend").asText(), m.path("device").asText(), m.path("tier").asText(),
                m.path("clinical").asBoolean()), new ImagingFindings.Timings(s.at("/timings/decodeMs").asLong(),
                s.at("/timings/preprocessMs").asLong(), s.at("/timings/inferMs").asLong()));
    }

    private static JsonNode read(String json) {
        try {
            return Json.MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a stored report is not JSON", e);
        }
    }

    private static String json(JsonNode n) {
        try {
            return Json.MAPPER.writeValueAsString(n);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static double seconds(long t0) {
        return (System.nanoTime() - t0) / 1e9;
    }
}
