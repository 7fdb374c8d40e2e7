package org.mededge.appliance.dictation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.mededge.appliance.Appliance;
import org.mededge.appliance.TestAppliance;
import org.mededge.appliance.TestModels;

/**
 * Live dictation over the real WebSocket of an appliance serving the demo Whisper and LLM, with
 * authentication on: the upgrade is refused without a clinician's token, a browser ticket works
 * once, partial text arrives while the audio is still being sent, the report after stop is the one
 * batch dictation gives for the same audio, a stream beyond the limit is closed with 1013, and a
 * connection that drops before stop keeps its finals as a stored report.
 */
class LiveDictationTest {
    private static final ObjectMapper M = new ObjectMapper();
    private static final String CLINICIAN = "clinician-token-live-0123456789";
    private static final String RADIOLOGY = "radiology-token-live-0123456789";
    private static final String OPS = "ops-token-live-0123456789abcdef";

    /** A WebSocket client that keeps every event and the close code. */
    static final class Client implements WebSocket.Listener {
        final List<JsonNode> events = new CopyOnWriteArrayList<>();
        final List<Long> eventNanos = new CopyOnWriteArrayList<>();
        final CompletableFuture<Integer> closed = new CompletableFuture<>();
        private final StringBuilder text = new StringBuilder();
        WebSocket ws;

        @Override
        public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
            text.append(data);
            if (last) {
                try {
                    events.add(M.readTree(text.toString()));
                    eventNanos.add(System.nanoTime());
                } catch (Exception e) {
                    closed.completeExceptionally(e);
                }
                text.setLength(0);
            }
            w.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket w, int status, String reason) {
            closed.complete(status);
            return null;
        }

        @Override
        public void onError(WebSocket w, Throwable error) {
            closed.completeExceptionally(error);
        }

        List<JsonNode> of(String type) {
            return events.stream().filter(e -> e.path("type").asText().equals(type)).toList();
        }

        JsonNode await(String type, long seconds) throws InterruptedException {
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            while (System.nanoTime() < end) {
                List<JsonNode> l = of(type);
                if (!l.isEmpty()) {
                    return l.get(0);
                }
                Thread.sleep(20);
            }
            throw new AssertionError("no " + type + " event in " + seconds + " s: " + events);
        }
    }

    /** A WebSocket over a plain socket, so that the test can drop the connection without a close frame. */
    static final class RawSocket implements AutoCloseable {
        private final java.net.Socket socket;
        private final java.io.DataInputStream in;
        private final java.io.OutputStream out;

        RawSocket(int port, String token) throws Exception {
            socket = new java.net.Socket("127.0.0.1", port);
            socket.setSoTimeout(30_000);
            out = socket.getOutputStream();
            in = new java.io.DataInputStream(socket.getInputStream());
            out.write(("GET " + LiveDictationService.PATH + " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                    + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
                    + "Authorization: Bearer " + token + "\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            StringBuilder head = new StringBuilder();
            while (!head.toString().endsWith("\r\n\r\n")) {
                head.append((char) in.read());
            }
            assertTrue(head.toString().startsWith("HTTP/1.1 101"), head.toString());
        }

        void text(String s) throws Exception {
            frame(1, s.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }

        void binary(byte[] b) throws Exception {
            frame(2, b);
        }

        /** A client frame: FIN, the opcode, masked (with a zero mask, which a server must accept). */
        private void frame(int opcode, byte[] payload) throws Exception {
            java.io.ByteArrayOutputStream f = new java.io.ByteArrayOutputStream();
            f.write(0x80 | opcode);
            if (payload.length < 126) {
                f.write(0x80 | payload.length);
            } else {
                f.write(0x80 | 126);
                f.write(payload.length >> 8);
                f.write(payload.length & 0xff);
            }
            f.write(new byte[4]);
            f.write(payload);
            out.write(f.toByteArray());
            out.flush();
        }

        /** The next text event from the server. */
        JsonNode next() throws Exception {
            while (true) {
                int b0 = in.readUnsignedByte();
                int len = in.readUnsignedByte() & 0x7f;
                if (len == 126) {
                    len = in.readUnsignedShort();
                } else if (len == 127) {
                    len = (int) in.readLong();
                }
                byte[] p = new byte[len];
                in.readFully(p);
                if ((b0 & 0x0f) == 1) {
                    return M.readTree(p);
                }
            }
        }

        @Override
        public void close() throws Exception {
            socket.close();
        }
    }

    private static Client open(int port, String query, String token) throws Exception {
        Client c = new Client();
        WebSocket.Builder b = HttpClient.newHttpClient().newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        c.ws = b.buildAsync(URI.create("ws://127.0.0.1:" + port + LiveDictationService.PATH + query), c).get(10, TimeUnit.SECONDS);
        return c;
    }

    /** The PCM samples of a 16-bit mono WAV file (its data chunk). */
    static byte[] pcm(Path wav) throws Exception {
        byte[] b = Files.readAllBytes(wav);
        ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        int p = 12;
        while (p + 8 <= b.length) {
            String id = new String(b, p, 4, java.nio.charset.StandardCharsets.US_ASCII);
            int size = bb.getInt(p + 4);
            if (id.equals("data")) {
                return Arrays.copyOfRange(b, p + 8, Math.min(b.length, p + 8 + size));
            }
            p += 8 + size + (size & 1);
        }
        throw new IllegalStateException("no data chunk in " + wav);
    }

    /** Sends the audio in 100 ms frames, {@code speed} times faster than real time. */
    private static void send(Client c, byte[] pcm, int rate, double speed) throws Exception {
        int frame = rate / 10 * 2;
        for (int o = 0; o < pcm.length; o += frame) {
            int n = Math.min(frame, pcm.length - o);
            c.ws.sendBinary(ByteBuffer.wrap(pcm, o, n), true).get(5, TimeUnit.SECONDS);
            Thread.sleep((long) (100 / speed));
        }
    }

    private static HttpResponse<String> post(int port, String path, String token, String type, byte[] body) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Authorization", "Bearer " + token).header("Content-Type", type)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> get(int port, String path, String token) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Authorization", "Bearer " + token).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The patient's reports, waiting up to {@code seconds} for the first to be stored. */
    private static JsonNode reportsOf(int port, String patient, int seconds) throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        JsonNode list;
        do {
            list = M.readTree(get(port, "/v1/reports?patient=" + patient, CLINICIAN).body());
            if (list.get("reports").size() > 0) {
                break;
            }
            Thread.sleep(100);
        } while (System.nanoTime() < end);
        return list;
    }

    @Test
    void liveDictationThroughTheWebSocket(@TempDir Path tmp) throws Exception {
        Path home = TestModels.repo().resolve("appliance/target/test-home-demo");
        TestModels.Run run = TestModels.installer(home, "--mirror", TestModels.mirror().toString(),
                "--only", "silero-vad", "--only", "whisper-demo", "--only", "llm-demo");
        assumeTrue(run.exit() == 0, "the demo models are not installable:\n" + run.output());
        Path tokens = tmp.resolve("tokens.txt");
        Files.writeString(tokens, "clinician " + CLINICIAN + "\nradiology " + RADIOLOGY + "\nops " + OPS + "\n");
        Path wav = TestModels.repo().resolve("firmware-scripts/models/demo/heldout/heldout-en-1.wav");
        byte[] pcm = pcm(wav);
        // the test home (and its report store) outlives a run: this run's patients are its own
        String tag = Long.toString(System.currentTimeMillis(), 36).toUpperCase(java.util.Locale.ROOT);
        Map<String, String> settings = new java.util.LinkedHashMap<>();
        settings.put("mededge.auth.enabled", "true");
        settings.put("mededge.auth.tokens-file", tokens.toString());
        settings.put("mededge.auth.rate-per-minute", "600");
        settings.put("mededge.auth.burst", "100");
        settings.put("mededge.engines.asr.model", "whisper-demo");
        settings.put("mededge.engines.asr.required", "true");
        settings.put("mededge.engines.llm.model", "llm-demo");
        settings.put("mededge.engines.llm.required", "true");
        settings.put("mededge.engines.vision.enabled", "false");
        settings.put("mededge.asr.stream.max-streams", "1");
        settings.put("mededge.asr.stream.idle-seconds", "2");
        try (Appliance a = TestAppliance.start(home, settings)) {
            int port = a.port();
            assertEquals(200, get(port, "/health/ready", OPS).statusCode());

            // the upgrade needs a clinician: no token, a wrong one, another role are all refused
            for (String t : new String[] {null, "not-a-token-0123456789", RADIOLOGY}) {
                ExecutionException e = assertThrows(ExecutionException.class, () -> open(port, "", t), "token " + t);
                assertTrue(e.getCause() instanceof java.net.http.WebSocketHandshakeException, String.valueOf(e.getCause()));
            }
            // a browser's ticket works once
            HttpResponse<String> tr = post(port, LiveDictationService.TICKETS, CLINICIAN, "application/json", new byte[0]);
            assertEquals(200, tr.statusCode(), tr.body());
            String ticket = M.readTree(tr.body()).get("ticket").asText();
            assertEquals(403, post(port, LiveDictationService.TICKETS, RADIOLOGY, "application/json", new byte[0]).statusCode());

            Client c = open(port, "?ticket=" + ticket, null);
            assertThrows(ExecutionException.class, () -> open(port, "?ticket=" + ticket, null), "a ticket is single-use");

            // one stream is the limit here: a second is told to retry and closed with 1013
            Client extra = open(port, "", CLINICIAN);
            assertEquals(1013, extra.closed.get(10, TimeUnit.SECONDS));
            assertEquals("ASR_BUSY", extra.of("error").get(0).get("code").asText(), extra.events.toString());
            assertTrue(extra.of("error").get(0).get("retryAfterSeconds").asInt() > 0);

            c.ws.sendText("{\"type\":\"start\",\"language\":\"en\",\"specialty\":\"respiratory\",\"patient\":\"P-LIVE-1\","
                    + "\"sampleRate\":16000}", true).get(5, TimeUnit.SECONDS);
            c.await("started", 10);
            send(c, pcm, 16000, 2.0);
            long audioSent = System.nanoTime();
            c.ws.sendText("{\"type\":\"stop\"}", true).get(5, TimeUnit.SECONDS);
            JsonNode report = c.await("report", 60);
            assertEquals(1000, c.closed.get(10, TimeUnit.SECONDS));
            List<JsonNode> partials = c.of("partial");
            assertFalse(partials.isEmpty(), "partials: " + c.events);
            long firstPartial = c.eventNanos.get(c.events.indexOf(partials.get(0)));
            assertTrue(firstPartial < audioSent, "a partial arrived while the audio was still being sent");
            assertTrue(c.of("error").isEmpty(), c.events.toString());
            for (int i = 1; i < partials.size(); i++) {
                // the stable prefix of a segment only grows
                JsonNode p = partials.get(i);
                JsonNode q = partials.get(i - 1);
                if (p.get("segmentStartMs").equals(q.get("segmentStartMs"))) {
                    assertTrue(p.get("stable").asText().startsWith(q.get("stable").asText()), q + " then " + p);
                }
            }

            // the batch route on the same audio gives the same transcript and the same coded values
            HttpResponse<String> br = post(port, "/v1/dictations?language=en&specialty=respiratory&patient=P-LIVE-1", CLINICIAN,
                    "audio/wav", Files.readAllBytes(wav));
            assertEquals(200, br.statusCode(), br.body());
            JsonNode batch = M.readTree(br.body());
            assertEquals(batch.at("/transcript/text").asText(), report.at("/transcript/text").asText());
            assertEquals(batch.at("/report/vitals"), report.at("/report/vitals"));
            assertEquals(batch.at("/report/labs"), report.at("/report/labs"));
            assertEquals(batch.at("/report/assessment/diagnosis"), report.at("/report/assessment/diagnosis"));
            HttpResponse<String> stored = get(port, "/v1/reports/" + report.get("reportId").asText(), CLINICIAN);
            assertEquals(200, stored.statusCode(), stored.body());

            // a connection that drops before stop (the socket closes, no close frame): its finals become a stored report
            String fin;
            try (RawSocket d = new RawSocket(port, CLINICIAN)) {
                d.text("{\"type\":\"start\",\"language\":\"en\",\"patient\":\"P-DROP-" + tag + "\"}");
                assertEquals("started", d.next().get("type").asText());
                byte[] withSilence = Arrays.copyOf(pcm, pcm.length + 16000 * 2 * 2);
                for (int o = 0; o < withSilence.length; o += 3200) {
                    d.binary(Arrays.copyOfRange(withSilence, o, Math.min(withSilence.length, o + 3200)));
                    Thread.sleep(25);
                }
                JsonNode e;
                do {
                    e = d.next();
                } while (!e.get("type").asText().equals("final"));
                fin = e.get("text").asText();
                assertFalse(fin.isBlank(), e.toString());
            }
            JsonNode list = reportsOf(port, "P-DROP-" + tag, 15); // the idle timeout (2 s here) ends the silent stream
            assertEquals(1, list.get("reports").size(), "the dropped stream's finals are stored: " + list);
            String id = list.get("reports").get(0).get("id").asText();
            JsonNode kept = M.readTree(get(port, "/v1/reports/" + id, CLINICIAN).body());
            assertTrue(kept.toString().contains(fin), "the stored report holds the final text: " + kept);

            // closed (with a close frame) before stop: the finals so far are stored at once
            Client e = open(port, "", CLINICIAN);
            e.ws.sendText("{\"type\":\"start\",\"language\":\"en\",\"patient\":\"P-CLOSED-" + tag + "\"}", true).get(5, TimeUnit.SECONDS);
            e.await("started", 10);
            send(e, Arrays.copyOf(pcm, pcm.length + 16000 * 2 * 2), 16000, 4.0);
            String closedFinal = e.await("final", 30).get("text").asText();
            e.ws.sendClose(WebSocket.NORMAL_CLOSURE, "leaving").get(5, TimeUnit.SECONDS);
            JsonNode closedList = reportsOf(port, "P-CLOSED-" + tag, 5);
            assertEquals(1, closedList.get("reports").size(), "a stream closed before stop keeps its finals: " + closedList);
            String closedId = closedList.get("reports").get(0).get("id").asText();
            assertTrue(get(port, "/v1/reports/" + closedId, CLINICIAN).body().contains(closedFinal));

            String metrics = get(port, "/metrics", OPS).body();
            for (String m : List.of(StreamMetrics.REFUSED + " 1.0", StreamMetrics.FIRST_PARTIAL + "_count", StreamMetrics.FINALIZATION
                    + "_count", StreamMetrics.STREAM_RTF + "_count", StreamMetrics.ACTIVE)) {
                assertTrue(metrics.contains(m), m + " in /metrics");
            }
            List<String> summary = new ArrayList<>();
            summary.add("partials " + partials.size() + ", finals " + c.of("final").size() + ", first partial "
                    + Math.round((firstPartial - c.eventNanos.get(0)) / 1e6) + " ms after the start (audio at 2x real time)");
            summary.add("streamed: " + report.at("/transcript/text").asText());
            System.out.println("live dictation: " + String.join("\n", summary));
        }
    }
}
