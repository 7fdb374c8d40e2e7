package org.mededge.appliance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.mededge.appliance.http.Bodies;
import org.mededge.appliance.http.Json;

/** The appliance skeleton through real HTTP, with a real model installed by the real installer. */
public class FoundationHttpTest {
    private static Appliance appliance;
    private static Http http;

    @BeforeAll
    static void start() {
        Path home = TestModels.sharedHome("silero-vad");
        // a small JSON route exercising the shared body handling (limits, media type, UTF-8, JSON)
        appliance = TestAppliance.start(home, Map.of("mededge.http.max-json-bytes", "2048"), routes ->
                routes.post("/test/echo", (req, res) -> {
                    ObjectNode body = Bodies.readJsonObject(req, appliance.config().maxJsonBytes(), java.util.Set.of("text"));
                    Json.ok(res, Map.of("length", Bodies.requiredText(body, "text").length()));
                }));
        http = new Http(appliance.port());
    }

    @AfterAll
    static void stop() {
        appliance.close();
    }

    @Test
    void liveAndReady() {
        assertEquals(200, http.get("/health/live").status());
        Http.Response ready = http.get("/health/ready");
        assertEquals(200, ready.status(), ready.body());
        JsonNode json = ready.json();
        assertEquals("UP", json.get("status").asText());
        JsonNode vad = check(json, "vad");
        assertEquals("UP", vad.get("status").asText());
        assertTrue(vad.get("detail").asText().contains("silero-vad"), vad.toString());
    }

    @Test
    void modelsCarryProvenance() {
        JsonNode models = http.get("/v1/models").json().get("models");
        JsonNode vad = null;
        for (JsonNode m : models) {
            if (m.get("name").asText().equals("silero-vad")) {
                vad = m;
            }
        }
        assertNotNull(vad, models.toString());
        assertEquals("6.2", vad.get("version").asText());
        assertEquals("onnxruntime", vad.get("engine").asText());
        assertEquals("1a153a22f4509e292a94e67d6f9b85e8deb25b4988682b7e174c65279d8788e3", vad.get("sha256").asText());
        assertEquals("MIT", vad.get("licence").asText());
        assertTrue(vad.get("source").asText().startsWith("https://github.com/snakers4/silero-vad"));
        assertEquals("VERIFIED", vad.get("verification").asText());
        assertEquals("vad", vad.get("servedBy").asText());
    }

    @Test
    void metricsInPrometheusFormat() {
        http.get("/health/live");
        Http.Response m = http.get("/metrics");
        assertEquals(200, m.status());
        assertTrue(m.header("Content-Type").startsWith("text/plain; version=0.0.4"), m.header("Content-Type"));
        String body = m.body();
        assertTrue(body.contains("# TYPE mededge_http_request_seconds histogram"));
        assertTrue(body.contains("mededge_http_request_seconds_count{route=\"/health/live\",method=\"GET\",status=\"200\",}"), body);
        assertTrue(body.contains("# TYPE mededge_stage_seconds histogram"));
        assertTrue(body.contains("mededge_stage_seconds_count{stage=\"model_verify\""), body);
        assertTrue(body.contains("mededge_model_ready{model=\"silero-vad\",engine=\"vad\",} 1.0"), body);
        assertTrue(body.contains("jvm_memory_bytes_used"), "JVM metrics are exported");
    }

    @Test
    void oneErrorShapeForEveryFailure() {
        assertError(http.get("/no/such/route"), 404, "NOT_FOUND");
        Http.Response wrongMethod = http.method("DELETE", "/v1/models");
        assertError(wrongMethod, 405, "METHOD_NOT_ALLOWED");
        assertEquals("GET", wrongMethod.header("Allow"));
        assertError(http.post("/test/echo", "text/plain", "x".getBytes(StandardCharsets.UTF_8)), 415, "UNSUPPORTED_MEDIA_TYPE");
        assertError(http.post("/test/echo", "application/json", new byte[4096]), 413, "BODY_TOO_LARGE");
        assertError(http.post("/test/echo", "application/json", "{\"text\":".getBytes(StandardCharsets.UTF_8)), 400, "INVALID_JSON");
        assertError(http.post("/test/echo", "application/json", new byte[] {'{', '"', 't', '"', ':', '"', (byte) 0xC3, '"', '}'}), 400, "INVALID_UTF8");
        assertError(http.post("/test/echo", "application/json", "{\"text\":42}".getBytes(StandardCharsets.UTF_8)), 422, "INVALID_FIELD");
        assertError(http.post("/test/echo", "application/json", "{\"text\":\"  \"}".getBytes(StandardCharsets.UTF_8)), 422, "EMPTY_TEXT");
        Http.Response ok = http.post("/test/echo", "application/json", "{\"text\":\"体温38.6度\"}".getBytes(StandardCharsets.UTF_8));
        assertEquals(200, ok.status(), ok.body());
        assertEquals(7, ok.json().get("length").asInt());
    }

    /** The readiness check with the given name. */
    public static JsonNode check(JsonNode ready, String name) {
        for (JsonNode c : ready.get("checks")) {
            if (c.get("name").asText().equals(name)) {
                return c;
            }
        }
        throw new AssertionError("no readiness check " + name + " in " + ready);
    }

    public static void assertError(Http.Response r, int status, String code) {
        assertEquals(status, r.status(), r.body());
        assertEquals("application/json", r.header("Content-Type"));
        JsonNode e = r.json().get("error");
        assertNotNull(e, r.body());
        assertEquals(code, e.get("code").asText(), r.body());
        assertTrue(e.get("message").asText().length() > 5, r.body());
        assertTrue(!r.body().contains("at org.") && !r.body().contains("Exception"), "no stack trace: " + r.body());
    }
}
