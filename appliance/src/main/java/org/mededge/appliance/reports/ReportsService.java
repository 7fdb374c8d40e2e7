package org.mededge.appliance.reports;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;

import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import org.mededge.appliance.auth.Principal;
import org.mededge.appliance.auth.Role;
import org.mededge.appliance.http.ApiException;
import org.mededge.appliance.http.ApiService;
import org.mededge.appliance.http.Json;
import org.mededge.appliance.http.Routes;
import org.mededge.appliance.store.ReportStore;

/**
 * Reading stored reports: GET /v1/reports/{id} (JSON with its version history), /fhir (the
 * Bundle), and GET /v1/reports?patient=&since=&limit=&offset= (newest first). Clinicians see only
 * the reports they created; radiology staff see all.
 */
public final class ReportsService implements ApiService {
    private static final int MAX_PAGE = 100;

    private final ReportStore store;

    public ReportsService(ReportStore store) {
        this.store = store;
    }

    @Override
    public void register(Routes routes) {
        routes.get("/v1/reports", this::list);
        routes.get("/v1/reports/{id}", this::get);
        routes.get("/v1/reports/{id}/fhir", this::fhir);
    }

    /** The report, or 404 when it does not exist or the caller may not see it (no hint which). */
    public ReportStore.StoredReport readable(ServerRequest req) {
        String id = req.path().pathParameters().get("id");
        Principal p = Routes.principal(req);
        ReportStore.StoredReport r = store.get(id).filter(x -> mayRead(p, x))
                .orElseThrow(() -> new ApiException(404, "REPORT_NOT_FOUND", "No report " + id + " that you may read."));
        Routes.audit(req).resource("report/" + id).action("report.read");
        return r;
    }

    static boolean mayRead(Principal p, ReportStore.StoredReport r) {
        return p.role() == null || p.role() == Role.RADIOLOGY || p.role() == Role.ADMIN || r.owner().equals(p.id());
    }

    private void get(ServerRequest req, ServerResponse res) {
        ReportStore.StoredReport r = readable(req);
        List<Map<String, Object>> history = store.versions(r.id()).stream().map(v -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("version", v.version());
            m.put("status", v.status());
            m.put("author", v.author());
            m.put("createdAt", v.createdAt());
            // what the version added (versions stored before this was recorded: the first input or a signature)
            m.put("input", v.input() != null ? v.input() : v.version() == 1 ? r.kind() : ReportStore.SIGNATURE);
            return m;
        }).toList();
        Map<String, Object> body = summary(r);
        body.put("report", parse(r.current().reportJson()));
        body.put("provenance", parse(r.current().provenanceJson()));
        body.put("timings", parse(r.current().timingsJson()));
        body.put("versions", history);
        Json.ok(res, body);
    }

    private void fhir(ServerRequest req, ServerResponse res) {
        ReportStore.StoredReport r = readable(req);
        if (r.current().fhirJson() == null) {
            throw new ApiException(404, "FHIR_NOT_AVAILABLE", "Report " + r.id() + " version " + r.currentVersion()
                    + " has no FHIR bundle.");
        }
        res.header(HeaderNames.CONTENT_TYPE, "application/fhir+json");
        res.send(r.current().fhirJson());
    }

    private void list(ServerRequest req, ServerResponse res) {
        var q = req.query();
        String patient = q.first("patient").orElse(null);
        Instant since = null;
        if (q.first("since").isPresent()) {
            try {
                since = Instant.parse(q.first("since").get());
            } catch (DateTimeParseException e) {
                throw ApiException.badRequest("INVALID_PARAMETER", "since must be an ISO-8601 instant such as 2026-11-22T00:00:00Z.");
            }
        }
        int limit = intParam(q.first("limit").orElse(null), 20, 1, MAX_PAGE, "limit");
        int offset = intParam(q.first("offset").orElse(null), 0, 0, Integer.MAX_VALUE, "offset");
        Principal p = Routes.principal(req);
        String owner = p.role() == Role.CLINICIAN ? p.id() : null;
        List<Map<String, Object>> items = store.list(patient, since, owner, limit, offset).stream().map(ReportsService::summary).toList();
        Routes.audit(req).action("report.list").resource("reports");
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("reports", items);
        body.put("limit", limit);
        body.put("offset", offset);
        body.put("next", items.size() == limit ? "/v1/reports?offset=" + (offset + limit) + "&limit=" + limit : null);
        Json.ok(res, body);
    }

    private static int intParam(String v, int dflt, int min, int max, String name) {
        if (v == null) {
            return dflt;
        }
        try {
            int n = Integer.parseInt(v);
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException ignored) {
            // answered below
        }
        throw ApiException.badRequest("INVALID_PARAMETER", name + " must be a whole number from " + min + " to " + max + ".");
    }

    static Map<String, Object> summary(ReportStore.StoredReport r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", r.id());
        m.put("kind", r.kind());
        m.put("patient", r.patient());
        m.put("specialty", r.specialty());
        m.put("status", r.current().status());
        m.put("version", r.currentVersion());
        m.put("createdAt", r.createdAt());
        m.put("updatedAt", r.current().createdAt());
        m.put("owner", r.owner());
        return m;
    }

    static JsonNode parse(String json) {
        if (json == null) {
            return null;
        }
        try {
            return Json.MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored JSON is unreadable", e);
        }
    }
}
