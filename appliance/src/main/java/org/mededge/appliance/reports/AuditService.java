package org.mededge.appliance.reports;

import java.util.Date;
import java.util.List;
import java.util.Map;

import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import org.hl7.fhir.r4.model.AuditEvent;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.InstantType;
import org.hl7.fhir.r4.model.Reference;

import org.mededge.appliance.audit.AuditEntry;
import org.mededge.appliance.store.AuditLog;
import org.mededge.appliance.http.ApiException;
import org.mededge.appliance.http.ApiService;
import org.mededge.appliance.http.Json;
import org.mededge.appliance.http.Routes;
import org.mededge.fusion.fhir.Fhir;

/**
 * {@code GET /v1/audit/verify} recomputes the hash chain and names the first broken entry;
 * {@code GET /v1/audit/export?after=&limit=} returns entries as a FHIR R4 Bundle of AuditEvents
 * (sequence number, hashes and model versions as entity details; no clinical text).
 */
public final class AuditService implements ApiService {
    private static final String SYSTEM = "urn:mededge:audit";
    private static final int MAX_EXPORT = 1000;

    private final AuditLog audit;

    public AuditService(AuditLog audit) {
        this.audit = audit;
    }

    @Override
    public void register(Routes routes) {
        routes.get("/v1/audit/verify", (req, res) -> {
            AuditLog.Verification v = audit.verify();
            Routes.audit(req).action("audit.verify").resource("audit");
            Json.send(res, v.intact() ? 200 : 409, Map.of("intact", v.intact(), "entries", v.entries(),
                    "firstBrokenSeq", v.firstBrokenSeq() == null ? "" : v.firstBrokenSeq(), "detail", v.reason()));
        });
        routes.get("/v1/audit/export", this::export);
    }

    private void export(ServerRequest req, ServerResponse res) {
        long after = number(req.query().first("after").orElse("0"), 0, Long.MAX_VALUE, "after");
        int limit = (int) number(req.query().first("limit").orElse("500"), 1, MAX_EXPORT, "limit");
        Routes.audit(req).action("audit.export").resource("audit");
        List<AuditEntry> entries = audit.entries(after, limit);
        Bundle b = new Bundle();
        b.setType(Bundle.BundleType.COLLECTION);
        b.setTimestamp(new Date());
        for (AuditEntry e : entries) {
            b.addEntry().setFullUrl("urn:uuid:" + java.util.UUID.nameUUIDFromBytes(e.hash().getBytes())).setResource(event(e));
        }
        res.header(HeaderNames.CONTENT_TYPE, "application/fhir+json");
        res.send(Fhir.json(b));
    }

    static AuditEvent event(AuditEntry e) {
        AuditEvent a = new AuditEvent();
        a.setType(new Coding("http://dicom.nema.org/resources/ontology/DCM", "110110", "Patient Record"));
        a.addSubtype(new Coding(SYSTEM + ":action", e.action(), e.action()));
        a.setAction(action(e.action()));
        a.setRecordedElement(new InstantType(e.at()));
        boolean ok = "ok".equals(e.outcome());
        a.setOutcome(ok ? AuditEvent.AuditEventOutcome._0 : AuditEvent.AuditEventOutcome._4);
        if (!ok) {
            a.setOutcomeDesc(e.outcome());
        }
        AuditEvent.AuditEventAgentComponent agent = a.addAgent();
        agent.setWho(new Reference().setIdentifier(new Identifier().setSystem(SYSTEM + ":principal").setValue(e.principal())));
        agent.addRole(new CodeableConcept(new Coding(SYSTEM + ":role", e.role(), e.role())));
        agent.setRequestor(true);
        if (e.client() != null) {
            // type 2: IP address (FHIR network-type)
            agent.setNetwork(new AuditEvent.AuditEventAgentNetworkComponent().setAddress(e.client())
                    .setType(AuditEvent.AuditEventAgentNetworkType._2));
        }
        a.getSource().setObserver(new Reference().setDisplay("MedEdge appliance")).addType(
                new Coding("http://terminology.hl7.org/CodeSystem/security-source-type", "4", "Application Server"));
        AuditEvent.AuditEventEntityComponent entity = a.addEntity();
        entity.setWhat(new Reference().setIdentifier(new Identifier().setSystem(SYSTEM + ":resource").setValue(e.resource())));
        detail(entity, "seq", Long.toString(e.seq()));
        detail(entity, "hash", e.hash());
        detail(entity, "prevHash", e.prevHash());
        detail(entity, "models", e.models());
        detail(entity, "inputSha256", e.inputSha256());
        detail(entity, "outputSha256", e.outputSha256());
        return a;
    }

    private static void detail(AuditEvent.AuditEventEntityComponent entity, String type, String value) {
        if (value != null && !value.isEmpty()) {
            entity.addDetail().setType(type).setValue(new org.hl7.fhir.r4.model.StringType(value));
        }
    }

    private static AuditEvent.AuditEventAction action(String action) {
        if (action.endsWith(".create") || action.endsWith(".transcribe") || action.endsWith(".structure")
                || action.endsWith(".analyze")) {
            return AuditEvent.AuditEventAction.C;
        }
        if (action.endsWith(".sign")) {
            return AuditEvent.AuditEventAction.U;
        }
        if (action.endsWith(".read") || action.endsWith(".list") || action.endsWith(".export") || action.endsWith(".verify")
                || action.endsWith(".heatmap")) {
            return AuditEvent.AuditEventAction.R;
        }
        return AuditEvent.AuditEventAction.E;
    }

    private static long number(String v, long min, long max, String name) {
        try {
            long n = Long.parseLong(v);
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException ignored) {
            // answered below
        }
        throw ApiException.badRequest("INVALID_PARAMETER", name + " must be a whole number from " + min + " to " + max + ".");
    }
}
