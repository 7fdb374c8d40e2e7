package org.mededge.appliance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A corpus of bad input and hostile access through real HTTP against a real appliance (tokens on,
 * the default engines): every answer is a 4xx (or the 503 of an engine that is not ready) in the
 * one error shape with a stable code, never a 500, never an empty body, never a second unrequested
 * response; and what is stored is what was answered. The summary line gives the counts.
 */
class BadInputCorpusTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final String CLINICIAN = "clinician-token-corpus-0123456789";
    private static final String RADIOLOGY = "radiology-token-corpus-0123456789";
    private static Appliance appliance;
    private static int port;
    private static final Map<String, Integer> STATUSES = new TreeMap<>();
    private static int requests;

    @BeforeAll
    static void start() throws IOException {
        Path home = Files.createTempDirectory("mededge-corpus");
        Path tokens = home.resolve("tokens.txt");
        Files.writeString(tokens, "clinician " + CLINICIAN + "\nradiology " + RADIOLOGY + "\n");
        appliance = TestAppliance.start(home, Map.of("mededge.auth.enabled", "true", "mededge.auth.tokens-file",
                tokens.toString(), "mededge.engines.vad.enabled", "false", "mededge.engines.llm.enabled", "false",
                "mededge.http.max-upload-bytes", Long.toString(8L << 20), "mededge.auth.failure-burst", "1000"));
        port = appliance.port();
    }

    @AfterAll
    static void stop() {
        System.out.println("bad-input corpus: " + requests + " requests, statuses " + STATUSES
                + ", 500s: " + STATUSES.getOrDefault("500", 0));
        appliance.close();
    }

    private static RawHttp.Response expect(RawHttp.Exchange x, int status, String code) {
        RawHttp.Response r = x.only();
        requests++;
        STATUSES.merge(Integer.toString(r.status()), 1, Integer::sum);
        assertEquals(status, r.status(), r.toString());
        JsonNode body;
        try {
            body = MAPPER.readTree(r.body());
        } catch (IOException e) {
            throw new AssertionError("not the error shape: " + r, e);
        }
        assertEquals(code, body.path("error").path("code").asText(), r.toString());
        assertFalse(body.path("error").path("message").asText().isBlank(), r.toString());
        assertEquals("nosniff", r.header("X-Content-Type-Options"), r.toString());
        assertEquals("no-store", r.header("Cache-Control"), r.toString());
        return r;
    }

    private static RawHttp.Exchange json(String method, String path, String token, byte[] body) {
        Map<String, String> h = new LinkedHashMap<>();
        h.put("Authorization", "Bearer " + token);
        h.put("Content-Type", "application/json");
        h.put("Content-Length", Integer.toString(body.length));
        return RawHttp.send(port, RawHttp.request(method, path, h), body, null, 3000);
    }

    private static RawHttp.Exchange json(String method, String path, String token, String body) {
        return json(method, path, token, body.getBytes(StandardCharsets.UTF_8));
    }

    private static String note() {
        RawHttp.Response r = json("POST", "/v1/notes", CLINICIAN, "{\"text\":\"体温38.6℃，心率112次/分。咳嗽 😀\"}").only();
        assertEquals(200, r.status(), r.toString());
        try {
            return MAPPER.readTree(r.body()).get("reportId").asText();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void jsonIsReadStrictlyTheSameWayOnEveryRoute() {
        String report = note();
        String deep = "{\"text\":\"cough\",\"x\":" + "[".repeat(1000) + "]".repeat(1000) + "}";
        Map<String, String> routes = new LinkedHashMap<>();
        routes.put("POST /v1/notes", CLINICIAN);
        routes.put("POST /v1/radiology/normalize", RADIOLOGY);
        routes.put("PUT /v1/reports/" + report, CLINICIAN);
        for (Map.Entry<String, String> e : routes.entrySet()) {
            String[] mp = e.getKey().split(" ");
            String t = e.getValue();
            expect(json(mp[0], mp[1], t, deep), 400, "INVALID_JSON");
            expect(json(mp[0], mp[1], t, "{\"text\":\"cough\"} x"), 400, "INVALID_JSON");
            expect(json(mp[0], mp[1], t, "{\"text\":\"cough\"}{\"text\":\"fever\"}"), 400, "INVALID_JSON");
            expect(json(mp[0], mp[1], t, "{\"text\":\"cough\",\"text\":\"fever\"}"), 400, "INVALID_JSON");
            expect(json(mp[0], mp[1], t, "{\"text\":\"cough \\ud800\"}"), 400, "INVALID_JSON");
            expect(json(mp[0], mp[1], t, "{\"text\":\"cough\",\"specialtyy\":\"respiratory\"}"), 422, "UNKNOWN_FIELD");
            expect(json(mp[0], mp[1], t, "[\"cough\"]"), 422, "INVALID_REQUEST");
            expect(json(mp[0], mp[1], t, "{\"text\":"), 400, "INVALID_JSON");
            expect(json(mp[0], mp[1], t, ""), 400, "EMPTY_BODY");
        }
        // sign-off without the version it edited would overwrite unseen: refused
        expect(json("PUT", "/v1/reports/" + report, CLINICIAN, "{\"report\":{\"sections\":{}}}"), 428, "VERSION_REQUIRED");
    }

    @Test
    void whatIsStoredIsWhatWasAnswered() throws IOException {
        RawHttp.Response posted = json("POST", "/v1/notes", CLINICIAN, "{\"text\":\"咳嗽 😀 cough\"}").only();
        assertEquals(200, posted.status());
        JsonNode answered = MAPPER.readTree(posted.body());
        Map<String, String> h = Map.of("Authorization", "Bearer " + CLINICIAN);
        RawHttp.Response stored = RawHttp.send(port, RawHttp.request("GET", "/v1/reports/" + answered.get("reportId").asText(), h),
                null, null, 3000).only();
        assertEquals(200, stored.status(), stored.toString());
        // JSON may spell it as a surrogate-pair escape; what counts is the character read back
        assertTrue(MAPPER.readTree(stored.body()).get("report").get("sections")
                .get("historyOfPresentIllness").asText().contains("😀"),
                "a character outside the BMP survives storage: " + stored.body());
        assertEquals(answered.get("report").get("sections").toString(),
                MAPPER.readTree(stored.body()).get("report").get("sections").toString());
    }

    @Test
    void theHttpLayerAnswersInTheSameShapeAndClosesTheConnection() {
        Map<String, String> h = new LinkedHashMap<>();
        h.put("Authorization", "Bearer " + CLINICIAN);
        h.put("Content-Type", "application/json");
        h.put("Content-Length", Long.toString(200L << 20));
        h.put("Connection", "keep-alive");
        RawHttp.Exchange big = RawHttp.send(port, RawHttp.request("POST", "/v1/notes", h), "{\"text\":".getBytes(), null, 3000);
        expect(big, 413, "BODY_TOO_LARGE");
        assertTrue(big.closed(), "the rest of a refused body is never read as a request");

        RawHttp.Exchange longPath = RawHttp.send(port, RawHttp.request("GET", "/v1/reports/" + "a".repeat(8000),
                Map.of("Authorization", "Bearer " + CLINICIAN)), null, null, 3000);
        expect(longPath, 414, "URI_TOO_LONG");

        RawHttp.Exchange nul = RawHttp.send(port, RawHttp.request("GET", "/v1/reports",
                Map.of("Authorization", "Bearer abc\u0000def")), null, null, 3000);
        expect(nul, 400, "BAD_REQUEST");

        // chunked, over the JSON limit: one 413, and no unrequested second answer on the connection
        StringBuilder chunks = new StringBuilder();
        String piece = "x".repeat(4096);
        chunks.append(Integer.toHexString(12)).append("\r\n{\"text\":\"aaa\r\n");
        for (int i = 0; i < 40; i++) {
            chunks.append(Integer.toHexString(piece.length())).append("\r\n").append(piece).append("\r\n");
        }
        chunks.append("0\r\n\r\n");
        Map<String, String> ch = new LinkedHashMap<>();
        ch.put("Authorization", "Bearer " + CLINICIAN);
        ch.put("Content-Type", "application/json");
        ch.put("Transfer-Encoding", "chunked");
        ch.put("Connection", "keep-alive");
        RawHttp.Exchange chunked = RawHttp.send(port, RawHttp.request("POST", "/v1/notes", ch),
                chunks.toString().getBytes(StandardCharsets.ISO_8859_1), null, 3000);
        expect(chunked, 413, "BODY_TOO_LARGE");
    }

    @Test
    void bodiesAreNotReadWhenTheAnswerIsKnownWithoutThem() {
        // vision is not ready (no chest model offline): 503 before a byte of a 7 MB image is read
        Map<String, String> h = new LinkedHashMap<>();
        h.put("Authorization", "Bearer " + RADIOLOGY);
        h.put("Content-Type", "image/png");
        h.put("Content-Length", Long.toString(7L << 20));
        RawHttp.Exchange x = RawHttp.send(port, RawHttp.request("POST", "/v1/studies", h), new byte[1024], null, 3000);
        RawHttp.Response r = expect(x, 503, "VISION_NOT_READY");
        assertNotNull(r.header("Retry-After"));
        assertTrue(x.millis() < 3000 + 2000, "answered without waiting for the body: " + x.millis() + " ms");
        // no token: 401 before the body
        Map<String, String> anon = new LinkedHashMap<>(h);
        anon.remove("Authorization");
        expect(RawHttp.send(port, RawHttp.request("POST", "/v1/studies", anon), new byte[1024], null, 3000), 401,
                "UNAUTHENTICATED");
        // the wrong role: 403 before the body
        Map<String, String> clinician = new LinkedHashMap<>(h);
        clinician.put("Authorization", "Bearer " + CLINICIAN);
        expect(RawHttp.send(port, RawHttp.request("POST", "/v1/studies", clinician), new byte[1024], null, 3000), 403,
                "FORBIDDEN");
    }

    @Test
    void accessRefusalsHaveTheErrorShape() {
        List<String[]> cases = new ArrayList<>();
        cases.add(new String[] {"GET", "/v1/reports", null, "401", "UNAUTHENTICATED"});
        cases.add(new String[] {"GET", "/v1/reports", "not-a-token-0123456789", "401", "UNAUTHENTICATED"});
        cases.add(new String[] {"GET", "/v1/audit/verify", CLINICIAN, "403", "FORBIDDEN"});
        cases.add(new String[] {"GET", "/v1/reports/nope", CLINICIAN, "404", "REPORT_NOT_FOUND"});
        cases.add(new String[] {"DELETE", "/v1/reports", CLINICIAN, "405", "METHOD_NOT_ALLOWED"});
        cases.add(new String[] {"GET", "/nowhere", CLINICIAN, "404", "NOT_FOUND"});
        for (String[] c : cases) {
            Map<String, String> h = c[2] == null ? Map.of() : Map.of("Authorization", "Bearer " + c[2]);
            expect(RawHttp.send(port, RawHttp.request(c[0], c[1], h), null, null, 3000), Integer.parseInt(c[3]), c[4]);
        }
    }
}
