package org.mededge.appliance.dictation;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;

import io.helidon.common.buffers.BufferData;
import io.helidon.http.HeaderNames;
import io.helidon.http.Headers;
import io.helidon.http.HttpPrologue;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.helidon.webserver.websocket.WsRouting;
import io.helidon.websocket.WsCloseCodes;
import io.helidon.websocket.WsListener;
import io.helidon.websocket.WsSession;
import io.helidon.websocket.WsUpgradeException;

import org.mededge.appliance.audit.AuditTrail;
import org.mededge.appliance.auth.Principal;
import org.mededge.appliance.auth.Role;
import org.mededge.appliance.auth.TokenStore;
import org.mededge.appliance.engines.Engines;
import org.mededge.appliance.http.ApiException;
import org.mededge.appliance.http.ApiService;
import org.mededge.appliance.http.Json;
import org.mededge.appliance.http.Routes;
import org.mededge.appliance.reports.ReportPublisher;
import org.mededge.asr.AsrConfig;
import org.mededge.asr.AsrError;
import org.mededge.asr.AsrException;
import org.mededge.asr.AsrOptions;
import org.mededge.asr.Dictation;
import org.mededge.asr.Segment;
import org.mededge.asr.Transcript;
import org.mededge.asr.stream.StreamConfig;
import org.mededge.asr.stream.StreamingDictation;

/**
 * Live dictation over a WebSocket, {@code /v1/dictations/stream}: the words come back while the
 * doctor speaks, and the report at the end is the one batch dictation ({@link DictationService})
 * gives for the same audio, made by the same report path.
 *
 * <p>Authentication at the upgrade: {@code Authorization: Bearer <token>} (clinician role), or, from a
 * browser, {@code ?ticket=} from {@code POST /v1/dictations/stream/tickets} (single use, short-lived).
 * A refused upgrade gets no WebSocket. At most {@code mededge.asr.stream.max-streams} streams at once:
 * one more is opened and closed at once with code 1013 (try again later) after an {@code error} event
 * with {@code retryAfterSeconds}.
 *
 * <p>Protocol: the client sends a JSON {@code start} message
 * ({@code {"type":"start","language":"auto|zh|en","specialty":"...","patient":"...","sampleRate":16000}};
 * audio is 16-bit little-endian mono PCM at that rate), then binary audio frames, then
 * {@code {"type":"stop"}}. The server sends {@code partial} ({@code stable}, {@code tentative}),
 * {@code final} (a segment), {@code report} (after stop: reportId, version, transcript, report,
 * timings) and {@code error} ({@code code}, {@code message}) events.
 *
 * <p>Faults: a chunk sent faster than it is recognized is refused with an ASR_STREAM_OVERRUN error event
 * (the stream goes on; the client resends); no audio for {@code idle-seconds} ends the stream as a stop
 * would, report stored. A connection that drops before stop loses nothing: closed with a close frame,
 * its finals so far are stored as a report at once; broken without one (the web server does not tell
 * the listener), it falls silent and the idle timeout stores its report from all the audio received.
 * Either way the report is preliminary and audited like any dictation.
 */
public final class LiveDictationService implements ApiService {
    public static final String PATH = "/v1/dictations/stream";
    public static final String TICKETS = PATH + "/tickets";
    private static final Logger LOG = Logger.getLogger(LiveDictationService.class.getName());

    private final Engines engines;
    private final AsrConfig asr;
    private final StreamConfig streamConfig;
    private final DictationService batch;
    private final TokenStore tokens;
    private final boolean authEnabled;
    private final StreamTickets tickets;
    private final int maxStreams;
    private final Duration idle;
    private final AtomicInteger active = new AtomicInteger();
    private final StreamMetrics metrics;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "mededge-stream-idle");
        t.setDaemon(true);
        return t;
    });

    /**
     * @param batch the batch dictation service, whose report path a stream's report takes
     */
    public LiveDictationService(Engines engines, AsrConfig asr, StreamSettings settings, DictationService batch,
                                TokenStore tokens, boolean authEnabled, StreamMetrics metrics) {
        this.engines = engines;
        this.asr = asr;
        this.streamConfig = settings.stream();
        this.batch = batch;
        this.tokens = tokens;
        this.authEnabled = authEnabled;
        this.tickets = new StreamTickets(settings.ticketLifetime());
        this.maxStreams = settings.maxStreams();
        this.idle = settings.idle();
        this.metrics = metrics;
        metrics.activeSource(active::get);
    }

    @Override
    public void register(Routes routes) {
        routes.post(TICKETS, this::ticket);
    }

    @Override
    public void registerSockets(WsRouting.Builder ws) {
        ws.endpoint(PATH, Stream::new);
    }

    private void ticket(ServerRequest req, ServerResponse res) {
        Principal who = Routes.principal(req);
        Routes.audit(req).action("dictation.stream.ticket");
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("ticket", tickets.issue(who));
        body.put("expiresInSeconds", tickets.lifetime().toSeconds());
        body.put("url", PATH + "?ticket=");
        Json.ok(res, body);
    }

    /** The clinician an upgrade request authenticates, or why not. */
    private Principal authenticate(HttpPrologue prologue, Headers headers) {
        if (!authEnabled) {
            return Principal.ANONYMOUS;
        }
        Optional<Principal> p;
        String header = headers.first(HeaderNames.AUTHORIZATION).orElse("");
        if (header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            p = tokens.find(header.substring(7).trim());
        } else if (prologue.query().contains("ticket")) {
            p = tickets.redeem(prologue.query().get("ticket"));
        } else {
            throw new WsUpgradeException("UNAUTHENTICATED: send Authorization: Bearer <token>, or ?ticket= from POST " + TICKETS);
        }
        Principal who = p.orElseThrow(() -> new WsUpgradeException("UNAUTHENTICATED: the token or ticket is not valid"));
        if (who.role() != Role.CLINICIAN) {
            throw new WsUpgradeException("FORBIDDEN: role " + who.roleId() + " may not dictate");
        }
        return who;
    }

    /** One connection: its stream, its audio (kept for the report as a WAV), its state. */
    private final class Stream implements WsListener, StreamingDictation.Listener {
        private Principal principal;
        private String client;
        private WsSession session;
        private StreamingDictation stream;
        private AsrOptions options;
        private String patient;
        private int sampleRate;
        private boolean counted;
        private boolean ended;
        private final ByteArrayOutputStream audio = new ByteArrayOutputStream();
        private volatile long lastAudioNanos = System.nanoTime();
        private long openedNanos;
        private boolean firstPartialSeen;

        @Override
        public Optional<Headers> onHttpUpgrade(HttpPrologue prologue, Headers headers) throws WsUpgradeException {
            principal = authenticate(prologue, headers);
            return Optional.empty();
        }

        @Override
        public void onOpen(WsSession s) {
            session = s;
            client = s.socketContext().remotePeer().address() instanceof java.net.InetSocketAddress i && i.getAddress() != null
                    ? i.getAddress().getHostAddress() : String.valueOf(s.socketContext().remotePeer().address());
            openedNanos = System.nanoTime();
            if (active.incrementAndGet() > maxStreams) {
                active.decrementAndGet();
                metrics.refused();
                Map<String, Object> e = event("error");
                e.put("code", AsrError.ASR_BUSY.name());
                e.put("message", "All " + maxStreams + " live dictation streams are in use; retry shortly or use POST "
                        + DictationService.PATH + ".");
                e.put("retryAfterSeconds", 5);
                send(e);
                ended = true;
                s.close(WsCloseCodes.TRY_AGAIN_LATER, "streams full, retry in 5 s");
                return;
            }
            counted = true;
        }

        @Override
        public void onMessage(WsSession s, String text, boolean last) {
            if (ended) {
                return;
            }
            try {
                JsonNode m = Json.MAPPER.readTree(text);
                String type = m.path("type").asText("");
                if (type.equals("start")) {
                    start(m);
                } else if (type.equals("stop")) {
                    finish(true);
                } else {
                    fail(ApiException.badRequest("STREAM_PROTOCOL", "a text message is {\"type\":\"start\",...} or {\"type\":\"stop\"}"));
                }
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                fail(ApiException.badRequest("STREAM_PROTOCOL", "a text message must be JSON"));
            } catch (RuntimeException e) {
                fail(e);
            }
        }

        @Override
        public void onMessage(WsSession s, BufferData buffer, boolean last) {
            if (ended) {
                return;
            }
            if (stream == null) {
                fail(ApiException.badRequest("STREAM_PROTOCOL", "send the start message before audio"));
                return;
            }
            byte[] b = new byte[buffer.available()];
            buffer.read(b);
            lastAudioNanos = System.nanoTime();
            try {
                stream.acceptPcm16(b, 0, b.length, sampleRate);
                audio.write(b, 0, b.length);
            } catch (AsrException e) {
                if (e.error() == AsrError.ASR_STREAM_OVERRUN) {
                    error(e.error().name(), e.getMessage()); // the stream goes on; this chunk was not kept
                } else {
                    fail(e);
                }
            } catch (IllegalStateException e) {
                // the stream ended (idle, stop) while this frame was on its way: nothing more is taken
            }
        }

        @Override
        public void onClose(WsSession s, int status, String reason) {
            releaseSlot(); // the client has gone: its slot is free before its report is stored
            if (!ended) {
                finish(false); // dropped before stop: the finals so far become a report
            }
            release();
        }

        @Override
        public void onError(WsSession s, Throwable t) {
            LOG.log(Level.FINE, "live dictation connection error", t);
            releaseSlot();
            if (!ended) {
                finish(false); // the connection broke (no close frame): the finals so far become a report
            }
            release();
        }

        private void start(JsonNode m) {
            if (stream != null) {
                throw ApiException.badRequest("STREAM_PROTOCOL", "the stream has started already");
            }
            Dictation dictation = engines.slot("asr", Dictation.class).require();
            options = AsrOptions.defaults(asr).with(text(m, "language"), text(m, "specialty"));
            dictation.check(options, "audio/wav");
            patient = ReportPublisher.patient(text(m, "patient"));
            sampleRate = m.path("sampleRate").asInt(16000);
            if (sampleRate < 8000 || sampleRate > 48000) {
                throw new AsrException(AsrError.ASR_OPTION_INVALID, "sampleRate must be 8000..48000 Hz, was " + sampleRate);
            }
            stream = dictation.stream(options, streamConfig, this);
            lastAudioNanos = System.nanoTime();
            timer.schedule(this::checkIdle, idle.toMillis(), TimeUnit.MILLISECONDS);
            Map<String, Object> e = event("started");
            e.put("model", dictation.model().name());
            e.put("sampleRate", sampleRate);
            send(e);
        }

        private void checkIdle() {
            synchronized (this) {
                if (ended) {
                    return;
                }
                long quiet = System.nanoTime() - lastAudioNanos;
                if (quiet < idle.toNanos()) {
                    timer.schedule(this::checkIdle, idle.toMillis() - quiet / 1_000_000 + 1, TimeUnit.MILLISECONDS);
                    return;
                }
            }
            // also how a connection that dropped without a close frame ends: the web server does not tell the
            // listener of a broken connection, so its stream falls silent and ends here, report stored
            error("STREAM_IDLE", "no audio for " + idle.toSeconds() + " s: the stream ends as if stopped");
            releaseSlot();
            finish(true);
            release();
        }

        /** Ends the stream: the report from all the audio (stop), or from the finals so far (the connection dropped). */
        private synchronized void finish(boolean stopped) {
            if (ended) {
                return;
            }
            ended = true;
            if (stream == null) {
                if (stopped) {
                    session.close(WsCloseCodes.NORMAL_CLOSE, "stopped before any audio");
                }
                return;
            }
            long t0 = System.nanoTime();
            Transcript heard;
            Map<String, Object> timings = new LinkedHashMap<>();
            try {
                heard = stopped ? stream.stop() : dropped();
            } catch (AsrException e) {
                heard = dropped(); // the recognizer failed: keep what is final
                error(e.error().name(), e.getMessage());
            }
            Transcript transcript = heard;
            StreamingDictation.Stats st = stream.stats();
            metrics.finished(st.realTimeFactor());
            timings.put("audioMs", st.audioMs());
            timings.put("decodeMs", st.decodeMs());
            timings.put("queueMs", st.queueMs());
            timings.put("partials", st.partials());
            timings.put("finals", st.finals());
            timings.put("realTimeFactor", Math.round(st.realTimeFactor() * 1000) / 1000.0);
            timings.put("streamMs", Math.round((t0 - openedNanos) / 1e6));
            AuditTrail trail = new AuditTrail().action(stopped ? "dictation.stream" : "dictation.stream.dropped");
            byte[] wav = wav(audio.toByteArray(), sampleRate);
            trail.input(wav);
            Map<String, Object> answer;
            try {
                answer = batch.publish(new ReportPublisher.Caller(principal, trail, client), transcript, options, patient,
                        timings, t0, wav, "audio/wav");
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "live dictation: the report could not be stored", e);
                if (stopped) {
                    fail(e);
                }
                stream.close();
                return;
            }
            stream.close();
            if (stopped) {
                Map<String, Object> e = event("report");
                e.putAll(answer);
                send(e);
                try {
                    session.close(WsCloseCodes.NORMAL_CLOSE, "report stored");
                } catch (RuntimeException x) {
                    LOG.log(Level.FINE, "live dictation: the client left before its report", x);
                }
            } else {
                LOG.info(() -> "live dictation closed before stop: its " + transcript.segments().size()
                        + " final segment(s) stored as report " + answer.get("reportId"));
            }
        }

        private Transcript dropped() {
            List<Segment> finals = stream.finals();
            stream.close();
            Dictation dictation = engines.slot("asr", Dictation.class).require();
            return dictation.transcript(finals, Math.round(audio.size() / 2 * 1000.0 / sampleRate), options);
        }

        private synchronized void releaseSlot() {
            if (counted) {
                counted = false;
                active.decrementAndGet();
            }
        }

        private void release() {
            releaseSlot();
            if (stream != null) {
                stream.close();
            }
        }

        @Override
        public void partial(StreamingDictation.Partial p) {
            if (!firstPartialSeen) {
                firstPartialSeen = true;
                metrics.firstPartial((System.nanoTime() - openedNanos) / 1e9);
            }
            Map<String, Object> e = event("partial");
            e.put("segmentStartMs", p.segmentStartMs());
            e.put("audioMs", p.audioMs());
            e.put("stable", p.stable());
            e.put("tentative", p.tentative());
            send(e);
        }

        @Override
        public void finalSegment(StreamingDictation.Final f) {
            metrics.finalized(f.latencyMs() / 1e3);
            Map<String, Object> e = event("final");
            Segment s = f.segment();
            e.put("startMs", s.startMs());
            e.put("endMs", s.endMs());
            e.put("text", s.text());
            e.put("lowConfidence", s.lowConfidence());
            send(e);
        }

        @Override
        public void failed(AsrException error) {
            error(error.error().name(), error.getMessage());
        }

        private void fail(RuntimeException e) {
            String code;
            String message;
            if (e instanceof AsrException a) {
                code = a.error().name();
                message = a.getMessage();
            } else if (e instanceof ApiException a) {
                code = a.code();
                message = a.getMessage();
            } else {
                LOG.log(Level.WARNING, "live dictation failed", e);
                code = "INTERNAL_ERROR";
                message = "the live dictation failed; the finals so far are kept";
            }
            error(code, message);
            if (stream == null) {
                ended = true;
                session.close(WsCloseCodes.VIOLATED_POLICY, code);
            }
        }

        private void error(String code, String message) {
            Map<String, Object> e = event("error");
            e.put("code", code);
            e.put("message", message);
            send(e);
        }

        private Map<String, Object> event(String type) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("type", type);
            return e;
        }

        /** Events come from the connection's thread and the stream's worker: one at a time. */
        private void send(Map<String, Object> e) {
            try {
                String json = Json.MAPPER.writeValueAsString(e);
                synchronized (session) {
                    session.send(json, true);
                }
            } catch (Exception x) {
                LOG.log(Level.FINE, "live dictation: an event could not be sent (the client left)", x);
            }
        }
    }

    private static String text(JsonNode m, String field) {
        JsonNode v = m.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    /** 16-bit mono PCM as a WAV file: what the report keeps and what a batch dictation of the same audio reads. */
    static byte[] wav(byte[] pcm, int rate) {
        int n = pcm.length & ~1;
        ByteBuffer b = ByteBuffer.allocate(44 + n).order(ByteOrder.LITTLE_ENDIAN);
        b.put("RIFF".getBytes()).putInt(36 + n).put("WAVE".getBytes());
        b.put("fmt ".getBytes()).putInt(16).putShort((short) 1).putShort((short) 1).putInt(rate).putInt(rate * 2)
                .putShort((short) 2).putShort((short) 16);
        b.put("data".getBytes()).putInt(n).put(pcm, 0, n);
        return b.array();
    }
}
