package org.mededge.appliance.reports;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import org.mededge.appliance.audit.AuditEntry;
import org.mededge.appliance.audit.AuditTrail;
import org.mededge.appliance.auth.Principal;
import org.mededge.appliance.http.ApiException;
import org.mededge.appliance.http.ApiService;
import org.mededge.appliance.http.Bodies;
import org.mededge.appliance.http.Json;
import org.mededge.appliance.http.Routes;
import org.mededge.appliance.notes.NotesService;
import org.mededge.appliance.store.FeedbackStore;
import org.mededge.appliance.store.ReportStore;
import org.mededge.fusion.StructuredReport;
import org.mededge.fusion.html.ReportHtml;

/**
 * Clinician sign-off: {@code PUT /v1/reports/{id}} with {@code {version?, report}} stores the
 * clinician's corrected report as final (later corrections as amended), rebuilds its FHIR bundle,
 * and keeps the pair (model draft, clinician version) for the next LoRA round. Also
 * {@code GET /v1/reports/{id}/html}, the current version as a page for people.
 */
public final class SignService implements ApiService {
    private static final Set<String> SIGNABLE = Set.of("note", "dictation");
    private static final long MAX_REPORT_BYTES = 512 * 1024;
    private static final Set<String> SIGN_FIELDS = Set.of("version", "report");

    private final ReportStore store;
    private final FeedbackStore feedback;
    private final ReportPublisher publisher;

    public SignService(ReportStore store, FeedbackStore feedback, ReportPublisher publisher) {
        this.publisher = publisher;
        this.store = store;
        this.feedback = feedback;
    }

    @Override
    public void register(Routes routes) {
        routes.put("/v1/reports/{id}", this::sign);
        routes.get("/v1/reports/{id}/html", this::html);
    }

    private void sign(ServerRequest req, ServerResponse res) {
        String id = req.path().pathParameters().get("id");
        Principal p = Routes.principal(req);
        AuditTrail trail = Routes.audit(req).action("report.sign").resource("report/" + id);
        ReportStore.StoredReport cur = store.get(id).filter(r -> p.role() == null || r.owner().equals(p.id()))
                .orElseThrow(() -> new ApiException(404, "REPORT_NOT_FOUND", "No report " + id + " that you may sign:"
                        + " clinicians sign the reports they created."));
        if (!SIGNABLE.contains(cur.kind()) || "null".equals(cur.current().reportJson())) {
            throw new ApiException(409, "NOT_SIGNABLE", "Report " + id + " (" + cur.kind() + ") has no structured note to sign.");
        }
        ObjectNode body = Bodies.readJsonObject(req, MAX_REPORT_BYTES, SIGN_FIELDS);
        trail.input(body.toString().getBytes(StandardCharsets.UTF_8));
        JsonNode v = body.get("version");
        if (v == null || v.isNull()) {
            // without it two clinicians' corrections would silently overwrite each other
            throw new ApiException(428, "VERSION_REQUIRED", "Field 'version' is required: send the version you edited"
                    + " (GET /v1/reports/" + id + " shows it), so that a newer version is never overwritten unseen.");
        }
        if (!v.canConvertToInt() || !v.isIntegralNumber()) {
            throw ApiException.unprocessable("INVALID_FIELD", "Field 'version' must be the whole version number you edited.");
        }
        int expected = v.intValue();
        StructuredReport draft = parse(store.versions(id).get(0).reportJson());
        StructuredReport edited = parseEdited(body.get("report"));
        String status = ReportStore.PRELIMINARY.equals(cur.current().status()) ? ReportStore.FINAL : ReportStore.AMENDED;
        // the clinician's content, the draft's provenance and the imaging models' findings (what models said cannot be edited)
        StructuredReport signed = new StructuredReport(edited.language(), edited.specialty(), edited.sections(), edited.vitals(),
                edited.labs(), edited.earlier(), parse(cur.current().reportJson()).studies(), parse(cur.current().reportJson()).imaging(), edited.symptoms(), edited.flags(), edited.assessment(), edited.disclaimer(), status,
                draft.provenance());
        String signedJson = ReportPublisher.json(signed);
        String fhir = publisher.validated(publisher.build(signed)); // a signed report's bundle is validated like any other
        String adapter = draft.assessment() == null ? null : draft.assessment().adapter();
        String specialty = signed.specialty() != null ? signed.specialty() : cur.specialty();
        String draftJson = store.versions(id).get(0).reportJson();
        ReportStore.StoredReport after;
        try {
            after = store.sign(id, expected, p.id(), signedJson, fhir,
                    new AuditEntry.Event(p.id(), p.roleId(), "report.sign", "", "ok", ReportPublisher.models(draft.provenance()),
                            trail.inputSha256(), AuditTrail.sha256(signedJson), Routes.client(req)),
                    c -> {
                        feedback.add(c, id, specialty, ReportPublisher.models(draft.provenance()), adapter, draftJson, signedJson);
                        return null;
                    });
        } catch (ReportStore.VersionConflict e) {
            throw new ApiException(409, "VERSION_CONFLICT", e.getMessage());
        }
        trail.markWritten();
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("id", id);
        answer.put("version", after.currentVersion());
        answer.put("status", after.current().status());
        answer.put("report", signed);
        Json.ok(res, answer);
    }

    private void html(ServerRequest req, ServerResponse res) {
        String id = req.path().pathParameters().get("id");
        Principal p = Routes.principal(req);
        Routes.audit(req).action("report.read").resource("report/" + id);
        ReportStore.StoredReport r = store.get(id).filter(x -> ReportsService.mayRead(p, x))
                .orElseThrow(() -> new ApiException(404, "REPORT_NOT_FOUND", "No report " + id + " that you may read."));
        if (r.kind().equals("study") && r.current().reportJson().contains("\"reading\"")) {
            res.header(HeaderNames.CONTENT_TYPE, "text/html; charset=utf-8");
            res.header("Content-Security-Policy", NotesService.HTML_CSP);
            res.send(org.mededge.appliance.radiology.ReadingRoomService.html(r));
            return;
        }
        if (!SIGNABLE.contains(r.kind()) || "null".equals(r.current().reportJson())) {
            throw new ApiException(404, "HTML_NOT_AVAILABLE", "Report " + id + " (" + r.kind()
                    + ") is available as JSON and FHIR only.");
        }
        res.header(HeaderNames.CONTENT_TYPE, "text/html; charset=utf-8");
        res.header("Content-Security-Policy", NotesService.HTML_CSP);
        res.send(ReportHtml.render(parse(r.current().reportJson())));
    }

    private static StructuredReport parse(String json) {
        try {
            return Json.MAPPER.readValue(json, StructuredReport.class);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a stored report is unreadable", e);
        }
    }

    private static StructuredReport parseEdited(JsonNode node) {
        if (node == null || !node.isObject()) {
            throw ApiException.unprocessable("MISSING_FIELD", "Field 'report' must be the corrected report object.");
        }
        try {
            StructuredReport r = Json.MAPPER.treeToValue(node, StructuredReport.class);
            if (r.sections() == null) {
                throw ApiException.unprocessable("INVALID_REPORT", "The corrected report has no sections.");
            }
            return r;
        } catch (JsonProcessingException | IllegalArgumentException | NullPointerException e) {
            String where = e instanceof com.fasterxml.jackson.databind.JsonMappingException m ? m.getPathReference() : "report";
            // field names only: the parser's message can quote clinical text
            throw ApiException.unprocessable("INVALID_REPORT", "The corrected report does not have the report's shape at "
                    + where.replaceAll("\\S+\\[", "report[") + ".");
        }
    }
}
