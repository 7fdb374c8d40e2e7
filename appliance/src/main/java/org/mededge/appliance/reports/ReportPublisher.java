package org.mededge.appliance.reports;

import java.time.Instant;
import java.util.List;
import java.util.logging.Logger;
import java.util.regex.Pattern;

import com.fasterxml.jackson.core.JsonProcessingException;

import io.helidon.webserver.http.ServerRequest;

import org.hl7.fhir.r4.model.Bundle;

import org.mededge.appliance.audit.AuditEntry;
import org.mededge.appliance.audit.AuditTrail;
import org.mededge.appliance.auth.Principal;
import org.mededge.appliance.http.ApiException;
import org.mededge.appliance.http.Json;
import org.mededge.appliance.http.Routes;
import org.mededge.appliance.metrics.Metrics;
import org.mededge.appliance.store.ReportStore;
import org.mededge.fusion.FusionError;
import org.mededge.fusion.FusionException;
import org.mededge.fusion.FusionMetrics;
import org.mededge.fusion.Provenance;
import org.mededge.fusion.StructuredReport;
import org.mededge.fusion.fhir.BundleValidator;
import org.mededge.fusion.fhir.Fhir;
import org.mededge.fusion.fhir.NoteBundle;

/**
 * The last stage of every request that makes a report, the same for notes, dictations, studies and
 * sign-offs: build the FHIR bundle, validate it when configured (every emitted bundle, whatever made
 * it), time both under {@link FusionMetrics}' stage names, and store the report with its audit entry
 * in one transaction before the response is sent: an acknowledged report is never lost. Raw audio and
 * images are kept only when configured; their sha256 always is.
 */
public final class ReportPublisher {
    private static final Logger LOG = Logger.getLogger(ReportPublisher.class.getName());
    private static final Pattern PATIENT = Pattern.compile("[A-Za-z0-9._:-]{1,64}");
    /** The stage that stores a report, its bundle and its audit entry in one transaction. */
    public static final String STAGE_STORE = "report_store";

    private final ReportStore store;
    private final boolean keepRawInputs;
    private final boolean validate;
    private final Metrics metrics;

    /** @param validate validate every emitted bundle on the request path ({@code mededge.fusion.validate-fhir}) */
    public ReportPublisher(ReportStore store, boolean keepRawInputs, boolean validate, Metrics metrics) {
        this.store = store;
        this.keepRawInputs = keepRawInputs;
        this.validate = validate;
        this.metrics = metrics;
    }

    /**
     * What a request made, to be published.
     *
     * @param kind       note, dictation or study
     * @param report     the report object as the response carries it (serialized with the API's mapper)
     * @param bundle     the FHIR bundle, or null when there is none (a dictation fusion could not structure)
     * @param provenance the models that made it
     * @param source     what the report was made from, kept beside it (a dictation's transcript), or null
     * @param raw        the request body, kept only when configured (its sha256 always is)
     */
    public record Publication(String kind, String patient, String specialty, Object report, Bundle bundle, Object provenance,
                              Object timings, Object source, byte[] raw, String mediaType) {
        /** A structured note (typed or dictated), its bundle built from it. */
        public static Publication of(String kind, String patient, StructuredReport r, Object timings, Object source,
                                     byte[] raw, String mediaType, ReportPublisher p) {
            return new Publication(kind, patient, r.specialty(), r, p.build(r), r.provenance(), timings, source, raw, mediaType);
        }
    }

    /** The stored report's id and version, for the response. */
    public record Published(String id, int version, String status, String fhirJson) {
    }

    /**
     * Who a publication is for, when it does not come from an HTTP request (a live dictation's WebSocket):
     * the caller its upgrade authenticated, the audit trail the connection fills in, and its address.
     */
    public record Caller(Principal principal, AuditTrail trail, String client) {
        public static Caller of(ServerRequest req) {
            return new Caller(Routes.principal(req), Routes.audit(req), Routes.client(req));
        }
    }

    /** Publishes: validates the bundle, stores report, bundle and audit entry together, marks the audit written. */
    public Published publish(ServerRequest req, Publication p) {
        return publish(Caller.of(req), p);
    }

    /** {@link #publish(ServerRequest, Publication)} for a caller that is not an HTTP request. */
    public Published publish(Caller caller, Publication p) {
        String fhir = p.bundle() == null ? null : validated(p.bundle());
        String reportJson = p.report() == null ? "null" : json(p.report());
        Audited a = audited(caller, p.raw(), p.kind() + ".create", reportJson);
        long s0 = System.nanoTime();
        ReportStore.StoredReport r = store.create(new ReportStore.NewReport(p.kind(), p.patient(), p.specialty(), a.event().principal(),
                reportJson, fhir, json(p.provenance()), json(p.timings()), a.event().inputSha256(), keepRawInputs ? p.raw() : null,
                keepRawInputs ? p.mediaType() : null, json(p.source())), a.event());
        metrics.observeStage(STAGE_STORE, null, FusionMetrics.OUTCOME_OK, seconds(s0));
        a.trail().resource("report/" + r.id()).markWritten();
        return new Published(r.id(), r.currentVersion(), r.current().status(), fhir);
    }

    /**
     * Publishes one more input of an existing report: the re-fused report's bundle validated, the new
     * version and its audit entry stored together (the store refuses a signed report in the same transaction).
     */
    public Published addInput(ServerRequest req, String id, String input, StructuredReport r, byte[] raw, String mediaType) {
        String fhir = validated(build(r));
        String reportJson = json(r);
        Audited a = audited(Caller.of(req), raw, "report." + input, reportJson);
        ReportStore.StoredReport s;
        long s0 = System.nanoTime();
        try {
            s = store.addInput(id, new ReportStore.NewInput(input, a.event().principal(), reportJson, fhir, json(r.provenance()),
                    json(r.provenance().timings()), a.event().inputSha256(), keepRawInputs ? raw : null,
                    keepRawInputs ? mediaType : null), a.event());
        } catch (ReportStore.NotOpen e) {
            throw new ApiException(409, "REPORT_SIGNED", e.getMessage());
        }
        metrics.observeStage(STAGE_STORE, null, FusionMetrics.OUTCOME_OK, seconds(s0));
        a.trail().resource("report/" + id).markWritten();
        return new Published(s.id(), s.currentVersion(), s.current().status(), fhir);
    }

    /** The request's audit trail and the entry that is stored with what it made. */
    private record Audited(AuditTrail trail, AuditEntry.Event event) {
    }

    private static Audited audited(Caller c, byte[] raw, String defaultAction, String reportJson) {
        Principal who = c.principal();
        AuditTrail trail = c.trail();
        String inputSha = trail.inputSha256() != null ? trail.inputSha256() : AuditTrail.sha256(raw);
        return new Audited(trail, new AuditEntry.Event(who.id(), who.roleId(), trail.action() != null ? trail.action() : defaultAction,
                "", "ok", trail.models(), inputSha, AuditTrail.sha256(reportJson), c.client()));
    }

    /** A note's document bundle, timed. */
    public Bundle build(StructuredReport r) {
        long b0 = System.nanoTime();
        Bundle b = NoteBundle.build(r, Instant.now());
        metrics.observeStage(FusionMetrics.STAGE_FHIR_BUILD, null, FusionMetrics.OUTCOME_OK, seconds(b0));
        return b;
    }

    /**
     * The bundle as JSON after offline validation when configured: a bundle with errors is a defect of
     * the appliance, answered 500 FUSION_FHIR_INVALID, and never stored.
     */
    public String validated(Bundle bundle) {
        if (validate) {
            long v0 = System.nanoTime();
            List<BundleValidator.Issue> errors = BundleValidator.get().errors(bundle);
            metrics.observeStage(FusionMetrics.STAGE_FHIR_VALIDATE, null,
                    errors.isEmpty() ? FusionMetrics.OUTCOME_OK : FusionMetrics.OUTCOME_INVALID, seconds(v0));
            if (!errors.isEmpty()) {
                // locations and rule texts only: validator messages can quote values from the note
                LOG.severe(() -> "emitted FHIR bundle failed validation: " + errors.size() + " error(s) at "
                        + errors.stream().map(BundleValidator.Issue::location).limit(5).toList());
                throw new FusionException(FusionError.FUSION_FHIR_INVALID, "The FHIR bundle built for this report failed "
                        + "validation (" + errors.size() + " error(s)); this is a defect of the appliance, not of the input.");
            }
        }
        return Fhir.json(bundle);
    }

    /** Times a structuring and its assessment under the fusion stage names, labelled with the language model. */
    public void observeFusion(StructuredReport r, boolean hadModel, double seconds) {
        Provenance.ModelRef m = r.provenance().models().stream().filter(x -> "llm".equals(x.role())).findFirst().orElse(null);
        metrics.observeStage(FusionMetrics.STAGE_NOTE, null, FusionMetrics.OUTCOME_OK, seconds);
        Double ms = r.provenance().timings().get("assessmentMs");
        String outcome = !hadModel ? FusionMetrics.OUTCOME_NO_MODEL
                : r.assessment() != null ? FusionMetrics.OUTCOME_OK : FusionMetrics.OUTCOME_REFUSED;
        metrics.observeStage(FusionMetrics.STAGE_ASSESSMENT, m == null ? null : m.name(), outcome, ms == null ? 0 : ms / 1000.0);
    }

    /** A structuring fusion refused (bad text): counted under the same stage. */
    public void observeRefused(double seconds) {
        metrics.observeStage(FusionMetrics.STAGE_NOTE, null, FusionMetrics.OUTCOME_REJECTED, seconds);
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

    private static double seconds(long t0) {
        return (System.nanoTime() - t0) / 1e9;
    }
}
