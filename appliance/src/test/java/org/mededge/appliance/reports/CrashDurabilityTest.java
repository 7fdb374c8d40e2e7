package org.mededge.appliance.reports;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kill -9} of the appliance during a stream of writes loses no acknowledged report, and the
 * audit chain still verifies after restart. The appliance runs as its own JVM (the real Main), is
 * killed with SIGKILL while four writers are mid-request, and is started again on the same home.
 */
class CrashDurabilityTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private static Process start(Path home, int port) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "-cp", System.getProperty("java.class.path"), "org.mededge.appliance.Main")
                .redirectErrorStream(true).redirectOutput(home.resolve("appliance-" + System.nanoTime() + ".log").toFile());
        Map<String, String> env = pb.environment();
        env.put("MEDEDGE_HOME", home.toString());
        env.put("MEDEDGE_PORT", Integer.toString(port));
        env.put("MEDEDGE_AUTH_ENABLED", "false");
        for (String engine : List.of("VAD", "ASR", "VISION", "LLM")) {
            env.put("MEDEDGE_ENGINES_" + engine + "_ENABLED", "false");
        }
        return pb.start();
    }

    private static void awaitLive(HttpClient http, int port) throws Exception {
        long deadline = System.currentTimeMillis() + 120_000;
        while (System.currentTimeMillis() < deadline) {
            try {
                if (http.send(get(port, "/health/ready"), HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(100);
        }
        throw new AssertionError("appliance did not become ready");
    }

    private static HttpRequest get(int port, String path) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(30)).build();
    }

    @Test
    void acknowledgedReportsSurviveKillMinus9(@TempDir Path home) throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        Process first = start(home, port);
        List<String> acknowledged = new CopyOnWriteArrayList<>();
        int attempted;
        try {
            awaitLive(http, port);
            AtomicBoolean stop = new AtomicBoolean();
            ExecutorService writers = Executors.newFixedThreadPool(4);
            int[] sent = new int[1];
            for (int w = 0; w < 4; w++) {
                int writer = w;
                writers.submit(() -> {
                    for (int i = 0; !stop.get(); i++) {
                        String body = "{\"text\":\"Writer " + writer + " note " + i + ": temperature 37." + (i % 10)
                                + " C, heart rate " + (60 + i % 40) + "/min.\",\"patient\":\"P-" + writer + "\"}";
                        synchronized (sent) {
                            sent[0]++;
                        }
                        try {
                            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/notes"))
                                    .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
                                    .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8)).build(),
                                    HttpResponse.BodyHandlers.ofString());
                            if (r.statusCode() == 200) {
                                acknowledged.add(MAPPER.readTree(r.body()).get("reportId").asText());
                            }
                        } catch (IOException | InterruptedException killed) {
                            return null;
                        }
                    }
                    return null;
                });
            }
            long deadline = System.currentTimeMillis() + 60_000;
            while (acknowledged.size() < 40 && System.currentTimeMillis() < deadline) {
                Thread.sleep(20);
            }
            first.destroyForcibly(); // SIGKILL, with writes in flight
            assertTrue(first.waitFor(30, TimeUnit.SECONDS));
            stop.set(true);
            writers.shutdown();
            assertTrue(writers.awaitTermination(60, TimeUnit.SECONDS));
            synchronized (sent) {
                attempted = sent[0];
            }
        } finally {
            first.destroyForcibly();
        }
        assertTrue(acknowledged.size() >= 40, "only " + acknowledged.size() + " writes were acknowledged before the kill");
        assertEquals(137, first.exitValue(), "killed by SIGKILL");

        Process second = start(home, port);
        try {
            awaitLive(http, port);
            List<String> lost = new ArrayList<>();
            for (String id : acknowledged) {
                if (http.send(get(port, "/v1/reports/" + id), HttpResponse.BodyHandlers.discarding()).statusCode() != 200) {
                    lost.add(id);
                }
            }
            System.out.printf("crash test: %d writes attempted, %d acknowledged before kill -9, %d found after restart, %d lost%n",
                    attempted, acknowledged.size(), acknowledged.size() - lost.size(), lost.size());
            assertEquals(List.of(), lost, "acknowledged reports lost by kill -9");
            JsonNode verify = MAPPER.readTree(http.send(get(port, "/v1/audit/verify"), HttpResponse.BodyHandlers.ofString()).body());
            assertTrue(verify.get("intact").asBoolean(), verify.toString());
            assertTrue(verify.get("entries").asLong() >= acknowledged.size(), verify.toString());
        } finally {
            second.destroy();
            second.waitFor(30, TimeUnit.SECONDS);
        }
    }
}
