package org.mededge.appliance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Tokens and roles through real HTTP: 401, 403, 429, seeding, hashing, and a policy entry for every route. */
class AuthTest {
    private static final String CLINICIAN = "clinician-token-0123456789";
    private static final String OPS = "ops-token-0123456789abcdef";

    private static Http.Response get(int port, String path, String token) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).GET();
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return new Http(port).send(b);
    }

    @Test
    void tokensAndRoles(@TempDir Path home) throws Exception {
        Path tokens = home.resolve("tokens.txt");
        Files.writeString(tokens, "# seeded by provisioning\nclinician " + CLINICIAN + "\nops " + OPS + "\n");
        try (Appliance a = TestAppliance.start(home, Map.of("mededge.auth.enabled", "true",
                "mededge.auth.tokens-file", tokens.toString(), "mededge.engines.vad.enabled", "false",
                "mededge.auth.rate-per-minute", "60", "mededge.auth.burst", "5"))) {
            int port = a.port();
            assertEquals(200, get(port, "/health/ready", null).status(), "health is open by default");
            FoundationHttpTest.assertError(get(port, "/metrics", null), 401, "UNAUTHENTICATED");
            FoundationHttpTest.assertError(get(port, "/metrics", "wrong-token-0123456789"), 401, "UNAUTHENTICATED");
            FoundationHttpTest.assertError(get(port, "/metrics", CLINICIAN), 403, "FORBIDDEN");
            assertEquals(200, get(port, "/metrics", OPS).status());
            assertEquals(200, get(port, "/v1/models", CLINICIAN).status());

            // tokens are stored hashed: the secret appears nowhere in the database file
            byte[] db = Files.readAllBytes(home.resolve("data/mededge.db"));
            assertFalse(new String(db, java.nio.charset.StandardCharsets.ISO_8859_1).contains(CLINICIAN));

            // per-token rate limit: a burst of 5, then 429 with Retry-After
            List<Integer> statuses = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                statuses.add(get(port, "/v1/models", OPS).status());
            }
            assertTrue(statuses.contains(429), statuses.toString());
            Http.Response limited = get(port, "/v1/models", OPS);
            FoundationHttpTest.assertError(limited, 429, "RATE_LIMITED");
            assertTrue(Integer.parseInt(limited.header("Retry-After")) >= 1);
            assertEquals(200, get(port, "/v1/models", CLINICIAN).status(), "another token has its own bucket");

            // a revoked token is refused at once
            String opsId = a.tokens().list().stream().filter(t -> t.role().equals("ops")).findFirst().orElseThrow().id();
            a.tokens().revoke(opsId);
            FoundationHttpTest.assertError(get(port, "/metrics", OPS), 401, "UNAUTHENTICATED");
        }
    }

    @Test
    void everyRouteHasAnAccessRule(@TempDir Path home) {
        try (Appliance a = TestAppliance.start(home, Map.of("mededge.engines.vad.enabled", "false"))) {
            List<String> missing = a.routes().stream().filter(r -> {
                String[] mt = r.split(" ", 2);
                return a.authenticator().policy().missing(mt[0], mt[1]);
            }).toList();
            assertEquals(List.of(), missing, "routes without an entry in AccessPolicy (they would be admin-only)");
        }
    }

    @Test
    void aMalformedTokensFileStopsStartUpWithTheLineNumber(@TempDir Path home) throws Exception {
        Path tokens = home.resolve("tokens.txt");
        Files.writeString(tokens, "clinician " + CLINICIAN + "\nsurgeon abcdefghijklmnopqrstuvwxyz\n");
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> TestAppliance.start(home, Map.of("mededge.auth.tokens-file", tokens.toString())));
        assertTrue(e.getMessage().contains("line 2"), e.getMessage());
    }
}
