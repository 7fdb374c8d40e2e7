package org.mededge.appliance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.mededge.appliance.audit.AuditEntry;
import org.mededge.appliance.store.AuditLog;
import org.mededge.appliance.auth.Principal;
import org.mededge.appliance.store.ReportStore;

/** Stored reports through HTTP with roles: clinicians read their own, radiology all; every read is audited. */
class ReportsHttpTest {
    private static final String DR_A = "clinician-a-0123456789abcdef";
    private static final String DR_B = "clinician-b-0123456789abcdef";
    private static final String RAD = "radiology-0123456789abcdef";
    private static final String ADMIN = "admin-0123456789abcdefghij";

    private static Http.Response get(int port, String path, String token) {
        return new Http(port).send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Authorization", "Bearer " + token).GET());
    }

    @Test
    void readsAreScopedAndAudited(@TempDir Path home) throws Exception {
        Path tokens = home.resolve("tokens");
        Files.writeString(tokens, "clinician " + DR_A + "\nclinician " + DR_B + "\nradiology " + RAD + "\nadmin " + ADMIN + "\n");
        try (Appliance a = TestAppliance.start(home, Map.of("mededge.auth.enabled", "true",
                "mededge.auth.tokens-file", tokens.toString(), "mededge.engines.vad.enabled", "false"))) {
            Principal drA = a.tokens().find(DR_A).orElseThrow();
            ReportStore.StoredReport r = a.reports().create(new ReportStore.NewReport("note", "P-7", "cardiology", drA.id(),
                    "{\"sections\":{\"chiefComplaint\":\"chest pain\"}}", "{\"resourceType\":\"Bundle\",\"type\":\"document\"}",
                    "{\"models\":[]}", "{\"totalMs\":3}", "ab".repeat(32), null, null, null),
                    new AuditEntry.Event(drA.id(), "clinician", "note.create", "", "ok", "", "ab".repeat(32), null));
            int port = a.port();

            Http.Response own = get(port, "/v1/reports/" + r.id(), DR_A);
            assertEquals(200, own.status(), own.body());
            JsonNode json = own.json();
            assertEquals("chest pain", json.get("report").get("sections").get("chiefComplaint").asText());
            assertEquals("preliminary", json.get("status").asText());
            assertEquals(1, json.get("versions").size());
            Http.Response fhir = get(port, "/v1/reports/" + r.id() + "/fhir", DR_A);
            assertEquals("application/fhir+json", fhir.header("Content-Type"));
            assertEquals("Bundle", fhir.json().get("resourceType").asText());

            FoundationHttpTest.assertError(get(port, "/v1/reports/" + r.id(), DR_B), 404, "REPORT_NOT_FOUND");
            assertEquals(0, get(port, "/v1/reports?patient=P-7", DR_B).json().get("reports").size());
            assertEquals(1, get(port, "/v1/reports?patient=P-7", RAD).json().get("reports").size());
            assertEquals(200, get(port, "/v1/reports/" + r.id(), RAD).status());
            FoundationHttpTest.assertError(get(port, "/v1/reports?limit=0", RAD), 400, "INVALID_PARAMETER");
            FoundationHttpTest.assertError(get(port, "/v1/reports?since=yesterday", RAD), 400, "INVALID_PARAMETER");
            FoundationHttpTest.assertError(get(port, "/v1/audit/verify", DR_A), 403, "FORBIDDEN");

            Http.Response verify = get(port, "/v1/audit/verify", ADMIN);
            assertEquals(200, verify.status(), verify.body());
            assertTrue(verify.json().get("intact").asBoolean());
            // create + 2 reads + fhir + refused read + 2 lists + read + 2 bad lists + verify call itself (written after)
            var entries = a.audit().entries(0, 100);
            assertEquals("note.create", entries.get(0).action());
            assertTrue(entries.stream().anyMatch(e -> e.action().equals("report.read") && e.principal().equals(drA.id())
                    && e.outcome().equals("ok")));
            assertTrue(entries.stream().anyMatch(e -> e.outcome().equals("REPORT_NOT_FOUND")), "refused reads are audited too");
            assertTrue(entries.stream().noneMatch(e -> e.resource().contains("chest")), "no clinical text in the audit log");
            AuditLog.Verification v = a.audit().verify();
            assertTrue(v.intact(), v.reason());
        }
    }
}
