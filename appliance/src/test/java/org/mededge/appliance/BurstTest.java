package org.mededge.appliance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Backpressure under a burst of four times capacity on loopback: dictations beyond the decoders
 * and their bounded queue are refused with 503 + Retry-After, every accepted one is answered and
 * stored, and no other 5xx appears.
 */
class BurstTest {
    private static final int STATES = 2;
    private static final int QUEUED = 2;

    @Test
    void aBurstOfFourTimesCapacityLosesNothingAccepted(@TempDir Path tmp) throws Exception {
        Path home = TestModels.homeWith(tmp.resolve("home"), "silero-vad", "whisper-for-tests");
        byte[] audio = Files.readAllBytes(TestModels.shared().resolve("samples/jfk-en.wav"));
        try (Appliance a = TestAppliance.start(home, Map.of("mededge.engines.asr.model", "whisper-for-tests",
                "mededge.engines.vision.enabled", "false", "mededge.engines.llm.enabled", "false",
                "mededge.asr.states", Integer.toString(STATES), "mededge.asr.max-queued", Integer.toString(QUEUED)))) {
            int capacity = STATES + QUEUED;
            int burst = 4 * capacity;
            HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
            for (int i = 0; i < burst; i++) {
                calls.add(client.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + a.port()
                                + "/v1/dictations?language=en&patient=BURST-" + i))
                        .timeout(Duration.ofMinutes(3)).header("Content-Type", "audio/wav")
                        .POST(HttpRequest.BodyPublishers.ofByteArray(audio)).build(), HttpResponse.BodyHandlers.ofString()));
            }
            CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new)).get(5, TimeUnit.MINUTES);
            Map<Integer, Integer> byStatus = new TreeMap<>();
            List<String> stored = new ArrayList<>();
            ObjectMapper mapper = new ObjectMapper();
            for (CompletableFuture<HttpResponse<String>> c : calls) {
                HttpResponse<String> r = c.get();
                byStatus.merge(r.statusCode(), 1, Integer::sum);
                if (r.statusCode() == 200) {
                    stored.add(mapper.readTree(r.body()).get("reportId").asText());
                } else {
                    assertEquals(503, r.statusCode(), r.body());
                    assertTrue(r.headers().firstValue("Retry-After").isPresent(), "503 carries Retry-After");
                    assertTrue(r.body().contains("ASR_BUSY"), r.body());
                }
            }
            int lost = 0;
            for (String id : stored) {
                if (a.reports().get(id).isEmpty()) {
                    lost++;
                }
            }
            System.out.printf("burst test: %d requests, capacity %d, %d accepted, %d rejected with 503, 0 with 429, %d lost%n",
                    burst, capacity, stored.size(), byStatus.getOrDefault(503, 0), lost);
            assertEquals(burst, byStatus.values().stream().mapToInt(Integer::intValue).sum());
            assertTrue(stored.size() >= capacity, "at least the capacity is served: " + byStatus);
            assertTrue(byStatus.getOrDefault(503, 0) > 0, "a 4x burst overflows the bounded queue: " + byStatus);
            assertEquals(0, lost, "accepted dictations missing from the store");
            assertTrue(a.audit().verify().intact());
        }
    }
}
