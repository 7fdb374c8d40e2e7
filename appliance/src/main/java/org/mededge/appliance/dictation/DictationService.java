package org.mededge.appliance.dictation;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import org.mededge.appliance.ApplianceConfig;
import org.mededge.appliance.engines.Admission;
import org.mededge.appliance.engines.EngineSlot;
import org.mededge.appliance.engines.Engines;
import org.mededge.appliance.http.ApiException;
import org.mededge.appliance.http.ApiService;
import org.mededge.appliance.http.Bodies;
import org.mededge.appliance.http.Json;
import org.mededge.appliance.http.Routes;
import org.mededge.appliance.metrics.Metrics;
import org.mededge.appliance.reports.ReportPublisher;
import org.mededge.asr.AsrConfig;
import org.mededge.asr.AsrError;
import org.mededge.asr.AsrException;
import org.mededge.asr.AsrOptions;
import org.mededge.asr.Dictation;
import org.mededge.asr.Segment;
import org.mededge.asr.Transcript;
import org.mededge.fusion.FusionException;
import org.mededge.fusion.ReportAssembler;
import org.mededge.fusion.StructuredReport;
import org.mededge.llm.TextGenerator;

/**
 * {@code POST /v1/dictations?language=auto|zh|en&specialty=...} with the audio as the body: the
 * transcript, fusion's structured report of it, and per-stage timings. At most
 * {@code states + max-queued} dictations are admitted at once; beyond that, and while the speech
 * model is not ready, the answer is 503 with Retry-After. A report that fusion cannot build does not
 * lose the transcript: it comes back with {@code report: null} and {@code reportError}.
 */
public final class DictationService implements ApiService {
    public static final String PATH = "/v1/dictations";

    private final Engines engines;
    private final Metrics metrics;
    private final AsrConfig config;
    private final long maxUploadBytes;
    private final ReportAssembler fusion;
    private final Admission admitted;
    private final DictationMetrics dictationMetrics;
    private final ReportPublisher publisher;

    /**
     * The service as the appliance wires it: the {@code mededge.asr} section, the appliance's fusion
     * assembler, the llm engine for assessments, and the report store.
     */
    public static DictationService create(ApplianceConfig config, Engines engines, Metrics metrics, ReportAssembler fusion,
                                          ReportPublisher publisher) {
        return new DictationService(engines, metrics, AsrSettings.from(config.section("asr")), config.maxUploadBytes(),
                fusion, publisher);
    }

    /**
     * @param fusion   structures transcripts into reports; null answers {@code report: null}
     * @param publisher validates and stores every answered dictation before the response is sent
     */
    public DictationService(Engines engines, Metrics metrics, AsrConfig config, long maxUploadBytes, ReportAssembler fusion,
                            ReportPublisher publisher) {
        this.publisher = publisher;
        this.engines = engines;
        this.metrics = metrics;
        this.config = config;
        this.maxUploadBytes = maxUploadBytes;
        this.fusion = fusion;
        this.admitted = new Admission(config.states() + config.maxQueued(), 0);
        this.dictationMetrics = new DictationMetrics(metrics.registry(),
                () -> engines.slot("asr", Dictation.class).engine().orElse(null));
    }

    @Override
    public void register(Routes routes) {
        routes.post(PATH, this::dictate);
    }

    private void dictate(ServerRequest req, ServerResponse res) {
        long t0 = System.nanoTime();
        String outcome = "INTERNAL_ERROR";
        boolean released = false;
        Admission.Ticket ticket;
        try {
            ticket = admitted.enter(Duration.ZERO); // the decoders' own queue does the waiting
        } catch (Admission.Refused r) {
            dictationMetrics.outcome(AsrError.ASR_BUSY.name());
            throw ApiException.unavailable(AsrError.ASR_BUSY.name(), "All " + config.states() + " speech decoders are busy and "
                    + config.maxQueued() + " dictations are already waiting; retry shortly.", 5);
        }
        try {
            Dictation dictation = engines.slot("asr", Dictation.class).require();
            String model = dictation.model().name();
            AsrOptions options = AsrOptions.defaults(config).with(param(req, "language"), param(req, "specialty"));
            String type = Bodies.mediaType(req);
            dictation.check(options, type);
            String patient = ReportPublisher.patient(param(req, "patient"));
            byte[] body = body(req);
            Routes.audit(req).action("dictation.transcribe").input(body).models(model + "@" + dictation.model().version());
            Dictation.Result r = dictation.transcribe(body, type, options);
            Dictation.Timings t = r.timings();
            metrics.observeStage("asr_decode", model, "ok", t.decodeMs() / 1e3);
            metrics.observeStage("asr_vad", model, "ok", t.vadMs() / 1e3);
            metrics.observeStage("asr_whisper", model, "ok", t.asrMs() / 1e3);
            metrics.observeStage("asr_post", model, "ok", t.postMs() / 1e3);
            dictationMetrics.recognized(model, r.audioSeconds(), t.asrMs() / 1e3, t.queueMs() / 1e3);

            Map<String, Object> timings = new LinkedHashMap<>();
            timings.put("decodeMs", t.decodeMs());
            timings.put("vadMs", t.vadMs());
            timings.put("queueMs", t.queueMs());
            timings.put("asrMs", t.asrMs());
            timings.put("speechMs", t.speechMs());
            timings.put("postMs", t.postMs());
            Map<String, Object> answer = publish(ReportPublisher.Caller.of(req), r.transcript(), options, patient, timings, t0,
                    body, type);
            outcome = "ok";
            // the decoder slot is free before the client hears back, so its next dictation is admitted
            ticket.close();
            released = true;
            dictationMetrics.outcome(outcome);
            Json.ok(res, answer);
        } catch (AsrException e) {
            outcome = e.error().name();
            throw e;
        } catch (ApiException e) {
            outcome = e.code();
            throw e;
        } finally {
            if (!released) {
                ticket.close();
                dictationMetrics.outcome(outcome);
            }
        }
    }

    /**
     * The report path of every dictation, batch or live: fusion structures the transcript (a report
     * fusion cannot build keeps the transcript, with {@code report: null} and {@code reportError}), the
     * publisher builds, validates and stores it with its audit entry. Adds fusionMs and totalMs to
     * {@code timings}; returns the answer (reportId, version, transcript, report, timings).
     */
    Map<String, Object> publish(ReportPublisher.Caller caller, Transcript transcript, AsrOptions options, String patient,
                                Map<String, Object> timings, long t0, byte[] raw, String type) {
        long f0 = System.nanoTime();
        Map<String, Object> response = new LinkedHashMap<>();
        response.put("transcript", transcript(transcript));
        StructuredReport report = null;
        if (fusion != null && !transcript.text().isBlank()) {
            EngineSlot<TextGenerator> llm = engines.slot("llm", TextGenerator.class);
            Optional<TextGenerator> generator = llm.state() == EngineSlot.State.READY ? llm.engine() : Optional.empty();
            try {
                report = fusion.structure(transcript, options.specialty(), generator);
                publisher.observeFusion(report, generator.isPresent(), (System.nanoTime() - f0) / 1e9);
            } catch (FusionException e) {
                publisher.observeRefused((System.nanoTime() - f0) / 1e9);
                response.put("reportError", Json.error(e.error().name(), e.getMessage()).get("error"));
            }
        }
        response.put("report", report);
        timings.put("fusionMs", Math.round((System.nanoTime() - f0) / 1e6));
        timings.put("totalMs", Math.round((System.nanoTime() - t0) / 1e6));
        response.put("timings", timings);
        if (report != null) {
            caller.trail().models(ReportPublisher.models(report.provenance()));
        }
        Object source = response.get("transcript");
        ReportPublisher.Published stored = publisher.publish(caller, report == null
                ? new ReportPublisher.Publication("dictation", patient, options.specialty(), null, null, source, timings,
                source, raw, type)
                : new ReportPublisher.Publication("dictation", patient, options.specialty(), report, publisher.build(report),
                report.provenance(), timings, source, raw, type));
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("reportId", stored.id());
        answer.put("version", stored.version());
        answer.putAll(response);
        return answer;
    }

    private static String param(ServerRequest req, String name) {
        return req.query().contains(name) ? req.query().get(name) : null;
    }

    /** The audio: 413 beyond the upload limit, 422 ASR_AUDIO_EMPTY when there is none. */
    private byte[] body(ServerRequest req) {
        if (!req.content().hasEntity() || req.headers().contentLength().orElse(-1) == 0) {
            throw new AsrException(AsrError.ASR_AUDIO_EMPTY, "the request has no audio; send it as the body");
        }
        try {
            return Bodies.read(req, maxUploadBytes);
        } catch (ApiException e) {
            if (e.code().equals("EMPTY_BODY")) {
                throw new AsrException(AsrError.ASR_AUDIO_EMPTY, "the request has no audio; send it as the body");
            }
            throw e;
        }
    }

    static Map<String, Object> transcript(Transcript t) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("text", t.text());
        m.put("language", t.language());
        m.put("durationMs", t.durationMs());
        List<Map<String, Object>> segments = t.segments().stream().map(DictationService::segment).toList();
        m.put("segments", segments);
        Transcript.ModelProvenance p = t.model();
        Map<String, Object> model = new LinkedHashMap<>();
        model.put("name", p.name());
        model.put("version", p.version());
        model.put("sha256", p.sha256());
        model.put("engine", p.engine());
        model.put("device", p.device());
        m.put("model", model);
        return m;
    }

    private static Map<String, Object> segment(Segment s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("startMs", s.startMs());
        m.put("endMs", s.endMs());
        m.put("text", s.text());
        m.put("avgLogProb", Double.isNaN(s.avgLogProb()) ? null : s.avgLogProb());
        m.put("noSpeechProb", Double.isNaN(s.noSpeechProb()) ? null : Math.round(s.noSpeechProb() * 1000) / 1000.0);
        m.put("lowConfidence", s.lowConfidence());
        return m;
    }
}
