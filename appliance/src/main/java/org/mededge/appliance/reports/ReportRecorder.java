package org.mededge.appliance.reports;

import java.util.List;
import java.util.regex.Pattern;

import com.fasterxml.jackson.core.JsonProcessingException;

import io.helidon.webserver.http.ServerRequest;

import org.mededge.appliance.audit.AuditEntry;
import org.mededge.appliance.audit.AuditTrail;
import org.mededge.appliance.auth.Principal;
import org.mededge.appliance.http.ApiException;
import org.mededge.appliance.http.Json;
import org.mededge.appliance.http.Routes;
import org.mededge.appliance.store.ReportStore;
import org.mededge.fusion.Provenance;

/**
 * Stores what a note, dictation or study produced, with its audit entry, in one transaction and
 * before the response is sent: an acknowledged report is never lost. Raw audio and images are kept
 * only when configured; their sha256 always is.
 */
public final class ReportRecorder {
    private static final Pattern PATIENT = Pattern.compile("[A-Za-z0-9._:-]{1,64}");

    private final ReportStore store;
    private final boolean keepRawInputs;

    public ReportRecorder(ReportStore store, boolean keepRawInputs) {
        this.store = store;
        this.keepRawInputs = keepRawInputs;
    }

    /** The stored report's id and version, added to the response. */
    public record Recorded(String id, int version, String status) {
    }

    /** A patient identifier from a request: null when absent, 422 when malformed. */
    public static String patient(String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        if (!PATIENT.matcher(value).matches()) {
            throw ApiException.unprocessable("INVALID_PATIENT", "patient must be an identifier of 1 to 64 letters, digits"
                    + " or . _ : - characters.");
        }
        return value;
    }

    /**
     * @param report     the report object as the response carries it (serialized with the API's mapper)
     * @param fhirJson   the FHIR Bundle, or null when there is none
     * @param rawInput   the request body, kept only when configured
     */
    public Recorded record(ServerRequest req, String kind, String patient, String specialty, Object report, String fhirJson,
                           Object provenance, Object timings, byte[] rawInput, String mediaType) {
        return record(req, kind, patient, specialty, report, fhirJson, provenance, timings, rawInput, mediaType, null);
    }

    /** As above, with the report's source (a dictation's transcript) kept beside it. */
    public Recorded record(ServerRequest req, String kind, String patient, String specialty, Object report, String fhirJson,
                           Object provenance, Object timings, byte[] rawInput, String mediaType, Object source) {
        Principal p = Routes.principal(req);
        AuditTrail trail = Routes.audit(req);
        String inputSha = trail.inputSha256() != null ? trail.inputSha256() : AuditTrail.sha256(rawInput);
        String reportJson = report == null ? "null" : json(report);
        ReportStore.StoredReport r = store.create(new ReportStore.NewReport(kind, patient, specialty, p.id(), reportJson,
                fhirJson, json(provenance), json(timings), inputSha, keepRawInputs ? rawInput : null,
                keepRawInputs ? mediaType : null, json(source)), new AuditEntry.Event(p.id(), p.roleId(),
                trail.action() != null ? trail.action() : kind + ".create", "", "ok", trail.models(), inputSha,
                AuditTrail.sha256(reportJson), Routes.client(req)));
        trail.resource("report/" + r.id()).markWritten();
        return new Recorded(r.id(), r.currentVersion(), r.current().status());
    }

    static String json(Object o) {
        if (o == null) {
            return null;
        }
        try {
            return Json.MAPPER.writeValueAsString(o);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("not serializable: " + e.getOriginalMessage(), e);
        }
    }

    /** The models that made a report, as the audit log records them: name@version[+adapter],... */
    public static String models(Provenance p) {
        if (p == null) {
            return "";
        }
        List<String> parts = p.models().stream()
                .map(m -> m.name() + "@" + m.version() + (m.adapter() == null ? "" : "+" + m.adapter())).toList();
        return String.join(",", parts);
    }
}
