package org.mededge.appliance.language;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.mededge.appliance.Appliance;
import org.mededge.appliance.Http;
import org.mededge.appliance.TestAppliance;
import org.mededge.appliance.TestModels;
import org.mededge.appliance.engines.EngineSlot;
import org.mededge.appliance.http.Bodies;
import org.mededge.appliance.http.Json;
import org.mededge.llm.AdapterRef;
import org.mededge.llm.Generation;
import org.mededge.llm.GenerationRequest;
import org.mededge.llm.TextGenerator;

/**
 * The language engine inside a real appliance over real HTTP: the tiny decoder installed by the
 * installer, served by the "llm" slot behind the bounded queue (concurrency 1, one waiting);
 * GET /v1/adapters; 503 + Retry-After when the queue is full; 504 when the deadline passes in the
 * queue; errors in the one shape; metrics by adapter and outcome.
 */
class LanguageHttpTest {
    private static Appliance appliance;
    private static Http http;
    private static volatile CountDownLatch hold = new CountDownLatch(0);

    @BeforeAll
    static void start() {
        Path home = TestModels.sharedHome("silero-vad", "tiny-decoder-test");
        Map<String, String> cfg = new LinkedHashMap<>();
        cfg.put("mededge.engines.llm.model", "tiny-decoder-test");
        cfg.put("mededge.engines.llm.required", "true");
        cfg.put("mededge.llm.concurrency", "1");
        cfg.put("mededge.llm.queue-capacity", "1");
        // a generation route for this test only: the product calls the engine from its features
        appliance = TestAppliance.start(home, cfg, routes -> routes.post("/test/generate", (req, res) -> {
            ObjectNode body = Bodies.readJsonObject(req, 65536,
                    java.util.Set.of("adapter", "hold", "user", "maxNewTokens", "deadlineMs"));
            String adapter = Bodies.optionalText(body, "adapter");
            boolean held = body.path("hold").asBoolean(false);
            GenerationRequest r = GenerationRequest.of(null, Bodies.requiredText(body, "user"), body.path("maxNewTokens").asInt(16))
                    .withAdapter(adapter == null ? null : new AdapterRef(adapter))
                    .withDeadline(Duration.ofMillis(body.path("deadlineMs").asLong(60000)))
                    .withOnToken(piece -> {
                        if (held) {
                            await(hold);
                        }
                    });
            Generation g = llm().require().generate(r);
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("text", g.text());
            out.put("finishReason", g.finishReason().name());
            out.put("adapter", g.adapter());
            out.put("generatedTokens", g.generatedTokens());
            Json.ok(res, out);
        }));
        http = new Http(appliance.port());
    }

    @AfterAll
    static void stop() {
        hold.countDown();
        appliance.close();
    }

    @SuppressWarnings("unchecked")
    private static EngineSlot<TextGenerator> llm() {
        return (EngineSlot<TextGenerator>) appliance.engines().stream().filter(s -> s.name().equals("llm")).findFirst().orElseThrow();
    }

    private static GenerationQueue queue() {
        return (GenerationQueue) llm().require();
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static Http.Response generate(String json) {
        return http.post("/test/generate", "application/json", json.getBytes(StandardCharsets.UTF_8));
    }

    private static void waitFor(BooleanSupplier condition) throws InterruptedException {
        long end = System.currentTimeMillis() + 20000;
        while (!condition.getAsBoolean()) {
            assertTrue(System.currentTimeMillis() < end, "condition not reached in 20 s");
            Thread.sleep(5);
        }
    }

    @Test
    void readyWithTheLanguageModelAndItsSettingsFromConfiguration() {
        Http.Response ready = http.get("/health/ready");
        assertEquals(200, ready.status(), ready.body());
        JsonNode llm = null;
        for (JsonNode c : ready.json().get("checks")) {
            if (c.get("name").asText().equals("llm")) {
                llm = c;
            }
        }
        assertEquals("UP", llm.get("status").asText(), ready.body());
        assertTrue(llm.get("detail").asText().contains("tiny-decoder-test"), llm.toString());
        assertEquals(1, queue().settings().concurrency());
        assertEquals(1, queue().settings().queueCapacity());
    }

    @Test
    void adaptersAreListedWithProvenance() {
        Http.Response r = http.get("/v1/adapters");
        assertEquals(200, r.status(), r.body());
        JsonNode j = r.json();
        assertEquals("tiny-decoder-test", j.get("model").get("name").asText());
        assertEquals("mededge-tiny-decoder-1", j.get("model").get("loraBase").asText());
        assertEquals(64, j.get("model").get("sha256").asText().length());
        assertEquals(2, j.get("adapters").size());
        JsonNode resp = j.get("adapters").get(0);
        assertEquals("respiratory", resp.get("name").asText());
        assertEquals("respiratory medicine", resp.get("specialty").asText());
        assertEquals("LOADED", resp.get("state").asText());
        assertEquals("mededge-tiny-decoder-1", resp.get("baseModel").asText());
        assertEquals(4, resp.get("rank").asInt());
        assertEquals(7, resp.get("targetModules").size());
        assertTrue(resp.get("sha256").asText().matches("[0-9a-f]{64}"), resp.toString());
        assertTrue(resp.get("source").asText().contains("build_tiny_models.py"));
    }

    @Test
    void generatesWithAndWithoutAdaptersAndRefusesUnknownOnesInTheErrorShape() {
        Http.Response base = generate("{\"user\":\"Cough and fever.\"}");
        assertEquals(200, base.status(), base.body());
        Http.Response card = generate("{\"user\":\"Cough and fever.\",\"adapter\":\"cardiology\"}");
        assertEquals(200, card.status(), card.body());
        assertEquals("cardiology", card.json().get("adapter").asText());
        assertTrue(!base.json().get("text").asText().equals(card.json().get("text").asText()), "the adapter changes the output");
        Http.Response unknown = generate("{\"user\":\"Cough.\",\"adapter\":\"dermatology\"}");
        assertEquals(422, unknown.status(), unknown.body());
        assertEquals("LLM_UNKNOWN_ADAPTER", unknown.json().get("error").get("code").asText());
        assertTrue(unknown.json().get("error").get("message").asText().contains("respiratory"), unknown.body());
    }

    @Test
    void aFullQueueAnswers503WithRetryAfterAndAnExpiredWaitAnswers504() throws Exception {
        hold = new CountDownLatch(1);
        CompletableFuture<Http.Response> a = CompletableFuture.supplyAsync(() -> generate("{\"user\":\"A\",\"hold\":true}"));
        waitFor(() -> queue().running() == 1);
        CompletableFuture<Http.Response> b = CompletableFuture.supplyAsync(() -> generate("{\"user\":\"B\",\"adapter\":\"respiratory\"}"));
        waitFor(() -> queue().waiting() == 1);
        Http.Response c = generate("{\"user\":\"C\"}");
        assertEquals(503, c.status(), c.body());
        assertEquals("LLM_BUSY", c.json().get("error").get("code").asText());
        assertEquals(Integer.toString(org.mededge.appliance.http.ErrorMapping.BUSY_RETRY_SECONDS), c.header("Retry-After"));
        hold.countDown();
        assertEquals(200, a.get(30, TimeUnit.SECONDS).status());
        assertEquals(200, b.get(30, TimeUnit.SECONDS).status());

        hold = new CountDownLatch(1);
        CompletableFuture<Http.Response> longRun = CompletableFuture.supplyAsync(() -> generate("{\"user\":\"A\",\"hold\":true}"));
        waitFor(() -> queue().running() == 1);
        Http.Response late = generate("{\"user\":\"D\",\"deadlineMs\":300}");
        assertEquals(504, late.status(), late.body());
        assertEquals("LLM_DEADLINE_EXCEEDED", late.json().get("error").get("code").asText());
        hold.countDown();
        assertEquals(200, longRun.get(30, TimeUnit.SECONDS).status());

        String metrics = http.get("/metrics").body();
        assertTrue(metrics.contains(LanguageMetrics.GENERATIONS_TOTAL + "{model=\"tiny-decoder-test\",adapter=\"base\",outcome=\"llm_busy\",} 1.0"), metrics);
        assertTrue(metrics.contains("outcome=\"llm_deadline_exceeded\""), metrics);
        assertTrue(metrics.contains(LanguageMetrics.QUEUE_WAIT_SECONDS + "_count{adapter=\"respiratory\",}"), metrics);
        assertTrue(metrics.contains(LanguageMetrics.TIME_TO_FIRST_TOKEN_SECONDS + "_count{model=\"tiny-decoder-test\",adapter=\"respiratory\",}"), metrics);
        assertTrue(metrics.contains(LanguageMetrics.QUEUE_DEPTH + " 0.0"), metrics);
    }
}
