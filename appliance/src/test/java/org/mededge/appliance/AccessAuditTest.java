package org.mededge.appliance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.mededge.appliance.audit.AuditEntry;

/**
 * The audit log records what really happened: the code a client was told for a rejected dictation
 * (an engine error) and a rejected note, and every refused access attempt with its route, the
 * principal or "anonymous" and the client address, never the token. Failed authentication is
 * throttled per client address without locking out another address.
 */
class AccessAuditTest {
    private static final String CLINICIAN = "clinician-token-audit-0123456789";
    private static final String OPS = "ops-token-audit-0123456789abcdef";

    private static RawHttp.Response call(int port, String method, String path, String token, String type, byte[] body,
                                         String from) {
        Map<String, String> h = new LinkedHashMap<>();
        if (token != null) {
            h.put("Authorization", "Bearer " + token);
        }
        if (type != null) {
            h.put("Content-Type", type);
            h.put("Content-Length", Integer.toString(body.length));
        }
        return RawHttp.send(port, RawHttp.request(method, path, h), body, from, 5000).only();
    }

    private static AuditEntry last(Appliance a) {
        List<AuditEntry> all = a.audit().entries(0, 100_000);
        return all.get(all.size() - 1);
    }

    @Test
    void outcomesAndRefusalsAreAuditedWithTheCodeTheClientWasTold(@TempDir Path home) throws Exception {
        Path tokens = home.resolve("tokens.txt");
        Files.writeString(tokens, "clinician " + CLINICIAN + "\nops " + OPS + "\n");
        TestModels.homeWith(home, "silero-vad", "whisper-for-tests");
        try (Appliance a = TestAppliance.start(home, Map.of("mededge.auth.enabled", "true",
                "mededge.auth.tokens-file", tokens.toString(),
                "mededge.engines.asr.model", "whisper-for-tests", "mededge.engines.llm.enabled", "false"))) {
            int port = a.port();
            // a dictation the ASR engine rejects (not audio) is audited with its ASR_* code, not INTERNAL_ERROR
            RawHttp.Response bad = call(port, "POST", "/v1/dictations", CLINICIAN, "audio/wav",
                    "RIFF....WAVEfmt not really".getBytes(StandardCharsets.US_ASCII), null);
            assertEquals(422, bad.status(), bad.toString());
            String code = bad.body().replaceAll(".*\"code\":\"([A-Z_]+)\".*", "$1");
            assertEquals(code, last(a).outcome(), "the audit says what the client was told");
            assertTrue(code.startsWith("ASR_"), code);
            // a rejected note
            RawHttp.Response note = call(port, "POST", "/v1/notes", CLINICIAN, "application/json",
                    "{\"text\":\"  \"}".getBytes(StandardCharsets.UTF_8), null);
            assertEquals(422, note.status(), note.toString());
            assertEquals("EMPTY_TEXT", last(a).outcome());
            // a refused token: anonymous, the route template, the client address, never the token
            String wrong = "wrong-token-audit-0123456789";
            assertEquals(401, call(port, "GET", "/v1/reports/abc", wrong, null, null, null).status());
            AuditEntry refused = last(a);
            assertEquals("access.refused", refused.action());
            assertEquals("GET /v1/reports/{id}", refused.resource());
            assertEquals("UNAUTHENTICATED", refused.outcome());
            assertEquals("anonymous", refused.principal());
            assertEquals("127.0.0.1", refused.client());
            // a forbidden role: the principal is known
            assertEquals(403, call(port, "POST", "/v1/notes", OPS, "application/json",
                    "{\"text\":\"cough\"}".getBytes(StandardCharsets.UTF_8), null).status());
            AuditEntry forbidden = last(a);
            assertEquals("FORBIDDEN", forbidden.outcome());
            assertEquals("ops", forbidden.role());
            assertTrue(!forbidden.principal().equals("anonymous"));
            String everything = a.audit().entries(0, 100_000).toString();
            assertTrue(!everything.contains(wrong) && !everything.contains(CLINICIAN) && !everything.contains(OPS),
                    "no token is ever written to the audit log");
            assertTrue(a.audit().verify().intact(), "the chain covers the new client field");
        }
    }

    @Test
    void failedAuthenticationIsThrottledPerAddress(@TempDir Path home) throws Exception {
        Path tokens = home.resolve("tokens.txt");
        Files.writeString(tokens, "ops " + OPS + "\n");
        try (Appliance a = TestAppliance.start(home, Map.of("mededge.auth.enabled", "true",
                "mededge.auth.tokens-file", tokens.toString(), "mededge.engines.vad.enabled", "false",
                "mededge.auth.failure-burst", "10", "mededge.auth.failures-per-minute", "1"))) {
            int port = a.port();
            int before = a.audit().entries(0, 100_000).size();
            List<Integer> statuses = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                statuses.add(call(port, "GET", "/metrics", "guess-" + i + "-0123456789abcdef", null, null, "127.0.0.1").status());
            }
            assertEquals(List.of(401, 401, 401, 401, 401, 401, 401, 401, 401, 401), statuses.subList(0, 10));
            assertTrue(statuses.subList(10, 40).stream().allMatch(s -> s == 429), statuses.toString());
            RawHttp.Response throttled = call(port, "GET", "/metrics", OPS, null, null, "127.0.0.1");
            assertEquals(429, throttled.status(), "while throttled even a right token is not looked at");
            assertTrue(Integer.parseInt(throttled.header("Retry-After")) >= 1);
            assertTrue(throttled.body().contains("AUTH_THROTTLED"));
            // another client address is not locked out
            assertEquals(200, call(port, "GET", "/metrics", OPS, null, null, "127.0.0.2").status());
            // 10 refusals and one entry for the start of the throttling, not one per throttled request
            int written = a.audit().entries(0, 100_000).size() - before;
            assertEquals(11, written);
        }
    }
}
