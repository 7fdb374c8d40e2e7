package org.mededge.appliance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.IntSupplier;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tokens take effect at once in a running appliance, whether changed by the admin command (another
 * process's connection to the same database: run here in-process through its own connection,
 * which is what SQLite sees either way) or by the admin routes; and a tokens file never
 * resurrects a revoked token nor stops a restart.
 */
class TokenLifecycleTest {
    private static final String ADMIN = "admin-token-0123456789abcdef";
    private static final String CLINICIAN = "clinician-token-0123456789";
    /** The brief allows "a second or two"; the store rechecks every 250 ms. */
    private static final long EFFECT_WITHIN_MS = 2000;

    private static Http.Response get(int port, String path, String token) {
        return new Http(port).send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).GET()
                .header("Authorization", "Bearer " + token));
    }

    private static Http.Response send(int port, String method, String path, String token, String json) {
        return new Http(port).send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .method(method, json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json)));
    }

    /** Milliseconds until {@code status} returns {@code want}, or fails after the limit. */
    private static long until(int want, IntSupplier status) throws InterruptedException {
        long t0 = System.nanoTime();
        int last;
        do {
            last = status.getAsInt();
            if (last == want) {
                return (System.nanoTime() - t0) / 1_000_000;
            }
            Thread.sleep(50);
        } while ((System.nanoTime() - t0) / 1_000_000 < EFFECT_WITHIN_MS);
        throw new AssertionError("still " + last + " after " + EFFECT_WITHIN_MS + " ms, wanted " + want);
    }

    /** Runs the admin command as ops would, against the appliance's data directory; returns its standard output. */
    private static String admin(ApplianceConfig config, String... args) {
        PrintStream saved = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            assertEquals(0, AdminCommand.run(config, args), String.join(" ", args));
        } finally {
            System.setOut(saved);
        }
        return out.toString(StandardCharsets.UTF_8).strip();
    }

    @Test
    void theAdminCommandTakesEffectInTheRunningApplianceAndTheSeedFileNeverResurrects(@TempDir Path home) throws Exception {
        Path tokens = home.resolve("tokens.txt");
        Files.writeString(tokens, "admin " + ADMIN + "\nclinician " + CLINICIAN + "\n");
        Map<String, String> cfg = Map.of("mededge.auth.enabled", "true", "mededge.auth.tokens-file", tokens.toString(),
                "mededge.engines.vad.enabled", "false");
        String clinicianId;
        try (Appliance a = TestAppliance.start(home, cfg)) {
            int port = a.port();
            // created from the shell while the appliance runs: accepted at once
            String created = admin(a.config(), "tokens", "create", "--role", "ops");
            long createdMs = until(200, () -> get(port, "/metrics", created).status());
            // revoked from the shell: refused at once
            clinicianId = a.tokens().list().stream().filter(t -> t.role().equals("clinician")).findFirst().orElseThrow().id();
            assertEquals(200, get(port, "/v1/reports", CLINICIAN).status());
            admin(a.config(), "tokens", "revoke", clinicianId);
            long revokedMs = until(401, () -> get(port, "/v1/reports", CLINICIAN).status());
            System.out.println("admin command: created token accepted after " + createdMs + " ms, revoked refused after "
                    + revokedMs + " ms");
        }
        // restart with the same seed file, which still lists the revoked token: the box starts, the token stays revoked
        try (Appliance a = TestAppliance.start(home, cfg)) {
            FoundationHttpTest.assertError(get(a.port(), "/v1/reports", CLINICIAN), 401, "UNAUTHENTICATED");
            assertEquals(200, get(a.port(), "/v1/tokens", ADMIN).status());
            assertTrue(a.tokens().list().stream().anyMatch(t -> t.id().equals(clinicianId) && t.revoked()));
        }
    }

    @Test
    void theAdminRoutesCreateListAndRevoke(@TempDir Path home) {
        Path tokens = home.resolve("tokens.txt");
        try {
            Files.writeString(tokens, "admin " + ADMIN + "\nclinician " + CLINICIAN + "\n");
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
        try (Appliance a = TestAppliance.start(home, Map.of("mededge.auth.enabled", "true",
                "mededge.auth.tokens-file", tokens.toString(), "mededge.engines.vad.enabled", "false"))) {
            int port = a.port();
            FoundationHttpTest.assertError(get(port, "/v1/tokens", CLINICIAN), 403, "FORBIDDEN");
            Http.Response made = send(port, "POST", "/v1/tokens", ADMIN, "{\"role\":\"radiology\",\"label\":\"reading room 2\"}");
            assertEquals(201, made.status(), made.body());
            String token = made.json().get("token").asText();
            String id = made.json().get("id").asText();
            assertEquals(200, send(port, "POST", "/v1/radiology/normalize", token, "{\"text\":\"about 1cm nodule\"}").status());
            JsonNode list = get(port, "/v1/tokens", ADMIN).json().get("tokens");
            assertTrue(list.toString().contains(id) && !list.toString().contains(token), "listed by id, never by secret");
            assertEquals(200, send(port, "DELETE", "/v1/tokens/" + id, ADMIN, null).status());
            FoundationHttpTest.assertError(send(port, "POST", "/v1/radiology/normalize", token, "{\"text\":\"x\"}"), 401,
                    "UNAUTHENTICATED");
            FoundationHttpTest.assertError(send(port, "DELETE", "/v1/tokens/tok_nothere", ADMIN, null), 404, "TOKEN_NOT_FOUND");
            FoundationHttpTest.assertError(send(port, "POST", "/v1/tokens", ADMIN, "{\"role\":\"surgeon\"}"), 422, "INVALID_FIELD");
            // each change is in the audit log, without the secret
            String audit = a.audit().entries(0, 1000).toString();
            assertTrue(audit.contains("token.create") && audit.contains("token.revoke"), audit);
            assertTrue(!audit.contains(token));
        }
    }
}
