package org.mededge.asr.whisper;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.mededge.asr.AsrConfig;
import org.mededge.asr.AsrError;
import org.mededge.asr.AsrException;
import org.mededge.asr.AsrOptions;
import org.mededge.asr.SpeechRecognizer;
import org.mededge.asr.SpeechRegion;
import org.mededge.asr.Transcript;

/**
 * Whisper through whisper.cpp: one model context loaded at start-up, shared by a fixed pool of
 * decoder states; each request borrows one state for all of its windows and gives it back. A request
 * that finds no free state waits up to the configured time, then gets ASR_BUSY.
 */
public final class WhisperRecognizer implements SpeechRecognizer {
    /** 30 s: Whisper's full window, 1500 encoder positions of 20 ms. */
    static final int FULL_AUDIO_CTX = 1500;
    /** whisper.cpp refuses windows under 1 s; with audioCtxPerWindow shorter windows are padded with silence to 1.1 s. */
    static final int MIN_WINDOW_SAMPLES = SpeechRegion.RATE * 11 / 10;
    /** Samples per encoder position (20 ms at 16 kHz). */
    static final int SAMPLES_PER_POSITION = SpeechRegion.RATE / 50;

    private final WhisperNative model;
    private final WhisperModelSpec spec;
    private final AsrConfig config;
    private final BlockingQueue<WhisperNative.State> idle;
    private final List<WhisperNative.State> all = new ArrayList<>();
    private final AtomicInteger inUse = new AtomicInteger();
    private final GgmlCheck.Info info;
    private final long maxWindowMs;
    private final int maxAudioCtx;
    private volatile boolean closed;

    /**
     * What the engine needs from model.yaml and the registry.
     *
     * @param file        the ggml file
     * @param audioCtx    encoder positions to use (0 = the model's own); 500 = 10-second windows
     * @param maxWindowMs longest window, from model.yaml or derived from audioCtx
     * @param weightless  true only for whisper.cpp's header-only test files
     * @param audioCtxPerWindow true: each window is encoded with only the positions its length needs
     *                    (ceil(samples / 320), at most audioCtx), for models trained that way
     * @param initialPrompt false for models trained without one (the specialty vocabulary is then not
     *                    given to the decoder: its words would be tokens the model never saw before)
     * @param timestamps  false for models trained to write text only: each window is decoded as one
     *                    segment without timestamp tokens
     * @param windowBreakPauseMs a pause at least this long ends a window (0: speech is packed into
     *                    windows up to maxWindowMs), for models that never heard longer pauses inside one
     */
    public record WhisperModelSpec(String name, String version, String sha256, Path file, int audioCtx, long maxWindowMs,
                                   List<String> languages, boolean weightless, boolean audioCtxPerWindow,
                                   boolean initialPrompt, boolean timestamps, long windowBreakPauseMs) {
        public WhisperModelSpec {
            languages = List.copyOf(languages);
        }

        /**
         * Reads the optional model.yaml keys: {@code audioCtx} (encoder positions, 1..1500),
         * {@code maxWindowSeconds} (default: audioCtx x 20 ms, at most 30 s), {@code languages}
         * (default [auto, zh, en]), {@code weights: none} for header-only test files and
         * {@code audioCtxPerWindow} (default false: every window gets audioCtx positions),
         * {@code initialPrompt} (default true: the specialty vocabulary is the decoder's initial prompt),
         * {@code timestamps} (default true) and {@code windowBreakPauseMs} (default 0: no break at pauses).
         */
        public static WhisperModelSpec from(String name, String version, String sha256, Path file, Map<String, Object> yaml) {
            int audioCtx = intKey(yaml, "audioCtx", 0);
            if (audioCtx < 0 || audioCtx > FULL_AUDIO_CTX) {
                throw new IllegalArgumentException("model.yaml audioCtx must be 1..1500, was " + audioCtx);
            }
            long ctxMs = (audioCtx == 0 ? FULL_AUDIO_CTX : audioCtx) * 20L;
            long maxWindowMs = Math.round(doubleKey(yaml, "maxWindowSeconds", ctxMs / 1000.0) * 1000);
            if (maxWindowMs < 1000 || maxWindowMs > ctxMs) {
                throw new IllegalArgumentException("model.yaml maxWindowSeconds must be 1.." + ctxMs / 1000.0
                        + " for this audioCtx, was " + maxWindowMs / 1000.0);
            }
            List<String> languages = new ArrayList<>();
            if (yaml.get("languages") instanceof List<?> l) {
                l.forEach(x -> languages.add(String.valueOf(x)));
            } else {
                languages.addAll(List.of("auto", "zh", "en"));
            }
            boolean weightless = "none".equals(String.valueOf(yaml.get("weights")));
            Object perWindow = yaml.getOrDefault("audioCtxPerWindow", false);
            if (!(perWindow instanceof Boolean)) {
                throw new IllegalArgumentException("model.yaml audioCtxPerWindow must be true or false, was " + perWindow);
            }
            int breakMs = intKey(yaml, "windowBreakPauseMs", 0);
            if (breakMs < 0) {
                throw new IllegalArgumentException("model.yaml windowBreakPauseMs must be 0 or more, was " + breakMs);
            }
            return new WhisperModelSpec(name, version, sha256, file, audioCtx, maxWindowMs, languages, weightless,
                    (Boolean) perWindow, bool(yaml, "initialPrompt"), bool(yaml, "timestamps"), breakMs);
        }

        private static boolean bool(Map<String, Object> yaml, String key) {
            Object v = yaml.getOrDefault(key, true);
            if (!(v instanceof Boolean b)) {
                throw new IllegalArgumentException("model.yaml " + key + " must be true or false, was " + v);
            }
            return b;
        }

        private static int intKey(Map<String, Object> yaml, String key, int dflt) {
            Object v = yaml.get(key);
            if (v == null) {
                return dflt;
            }
            if (v instanceof Number n && n.doubleValue() == n.intValue()) {
                return n.intValue();
            }
            throw new IllegalArgumentException("model.yaml " + key + " must be an integer, was " + v);
        }

        private static double doubleKey(Map<String, Object> yaml, String key, double dflt) {
            Object v = yaml.get(key);
            if (v == null) {
                return dflt;
            }
            if (v instanceof Number n) {
                return n.doubleValue();
            }
            throw new IllegalArgumentException("model.yaml " + key + " must be a number, was " + v);
        }
    }

    private WhisperRecognizer(WhisperNative model, GgmlCheck.Info info, WhisperModelSpec spec, AsrConfig config) {
        this.model = model;
        this.info = info;
        this.spec = spec;
        this.config = config;
        this.idle = new ArrayBlockingQueue<>(config.states());
        int audioCtx = spec.audioCtx() > 0 ? spec.audioCtx() : info.audioCtx();
        this.maxAudioCtx = audioCtx;
        this.maxWindowMs = Math.min(spec.maxWindowMs(), audioCtx * 20L);
    }

    /**
     * Encoder positions for a window of this many samples when the model is run per window:
     * ceil(samples / 320) for the window as whisper.cpp gets it (padded to 1.1 s when shorter),
     * at most maxAudioCtx.
     */
    public static int audioCtxFor(int samples, int maxAudioCtx) {
        int n = Math.max(samples, MIN_WINDOW_SAMPLES);
        return Math.min(maxAudioCtx, (n + SAMPLES_PER_POSITION - 1) / SAMPLES_PER_POSITION);
    }

    /**
     * Checks the file, loads the context, creates the pool of states and decodes one second of
     * silence to prove the model runs.
     *
     * @throws AsrException ASR_MODEL_INVALID with the reason, when any of it fails
     */
    public static WhisperRecognizer load(WhisperModelSpec spec, AsrConfig config) {
        GgmlCheck.Info info;
        try {
            info = GgmlCheck.check(spec.file(), !spec.weightless());
        } catch (IllegalArgumentException e) {
            throw new AsrException(AsrError.ASR_MODEL_INVALID, e.getMessage());
        }
        if (spec.audioCtx() > info.audioCtx()) {
            throw new AsrException(AsrError.ASR_MODEL_INVALID, "model.yaml audioCtx " + spec.audioCtx()
                    + " exceeds the model's " + info.audioCtx());
        }
        WhisperNative model;
        try {
            model = WhisperNative.open(spec.file());
        } catch (IllegalStateException e) {
            throw new AsrException(AsrError.ASR_MODEL_INVALID, e.getMessage());
        }
        WhisperRecognizer r = new WhisperRecognizer(model, info, spec, config);
        try {
            for (int i = 0; i < config.states(); i++) {
                WhisperNative.State s = model.newState();
                r.all.add(s);
                r.idle.add(s);
            }
            WhisperNative.State s = r.idle.take();
            try {
                s.run(new float[SpeechRegion.RATE], 0, SpeechRegion.RATE, r.params(AsrOptions.defaults(config)
                        .with(model.multilingual() ? "auto" : "en", null), ""));
            } finally {
                r.idle.add(s);
            }
            return r;
        } catch (RuntimeException | InterruptedException e) {
            r.close();
            throw new AsrException(AsrError.ASR_MODEL_INVALID, "the model loaded but could not decode: "
                    + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()));
        }
    }

    @Override
    public Recognition recognize(float[] audio, Iterator<SpeechRegion> windows, AsrOptions options, String prompt) {
        if (!languages().contains(options.language())) {
            throw new AsrException(AsrError.ASR_OPTION_INVALID, "model " + spec.name() + " does not support language '"
                    + options.language() + "'; it supports " + String.join(", ", languages()));
        }
        WhisperNative.Params params = params(options, prompt);
        if (!windows.hasNext()) {
            return new Recognition(List.of(), 0, 0);
        }
        long t0 = System.nanoTime();
        WhisperNative.State state = acquire();
        long waited = (System.nanoTime() - t0) / 1_000_000;
        long computed = 0;
        try {
            List<List<RawSegment>> out = new ArrayList<>();
            while (windows.hasNext()) {
                SpeechRegion w = windows.next();
                if (w.length() > maxWindowMs * SpeechRegion.RATE / 1000) {
                    throw new IllegalArgumentException("window longer than the model's " + maxWindowMs + " ms");
                }
                long t1 = System.nanoTime();
                if (!spec.audioCtxPerWindow()) {
                    out.add(state.run(audio, w.start(), w.end(), params));
                } else if (w.length() < MIN_WINDOW_SAMPLES) {
                    float[] padded = java.util.Arrays.copyOf(java.util.Arrays.copyOfRange(audio, w.start(), w.end()),
                            MIN_WINDOW_SAMPLES);
                    out.add(state.run(padded, 0, padded.length, params.withAudioCtx(audioCtxFor(padded.length, maxAudioCtx))));
                } else {
                    out.add(state.run(audio, w.start(), w.end(), params.withAudioCtx(audioCtxFor(w.length(), maxAudioCtx))));
                }
                computed += System.nanoTime() - t1;
            }
            return new Recognition(out, waited, computed / 1_000_000);
        } catch (IllegalStateException e) {
            throw new AsrException(AsrError.ASR_FAILED, "the speech engine failed: " + e.getMessage());
        } finally {
            release(state);
        }
    }

    private WhisperNative.Params params(AsrOptions o, String prompt) {
        String language = model.multilingual() ? o.language() : "en";
        return new WhisperNative.Params(language, spec.initialPrompt() ? prompt : null, o.beamSize(), o.temperatureFallback(),
                (float) config.logProbThreshold(), (float) config.noSpeechThreshold(), config.threadsPerState(), spec.audioCtx(),
                spec.timestamps());
    }

    private WhisperNative.State acquire() {
        if (closed) {
            throw new AsrException(AsrError.ASR_BUSY, "the speech engine is shutting down");
        }
        WhisperNative.State s;
        try {
            s = idle.poll(config.maxQueueWait().toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AsrException(AsrError.ASR_BUSY, "interrupted while waiting for the speech engine");
        }
        if (s == null) {
            throw new AsrException(AsrError.ASR_BUSY, "all " + config.states() + " speech decoder states stayed busy for "
                    + config.maxQueueWait().toSeconds() + " s; retry shortly");
        }
        inUse.incrementAndGet();
        return s;
    }

    private void release(WhisperNative.State s) {
        inUse.decrementAndGet();
        if (closed) {
            s.close();
            freeContextWhenIdle();
        } else {
            idle.add(s);
        }
    }

    /** Decoder states currently serving requests. */
    @Override
    public int statesInUse() {
        return inUse.get();
    }

    @Override
    public int states() {
        return config.states();
    }

    public boolean multilingual() {
        return model.multilingual();
    }

    @Override
    public long maxWindowMs() {
        return maxWindowMs;
    }

    @Override
    public long windowBreakPauseMs() {
        return spec.windowBreakPauseMs();
    }

    @Override
    public List<String> languages() {
        return model.multilingual() ? spec.languages() : List.of("auto", "en");
    }

    @Override
    public Transcript.ModelProvenance provenance() {
        return new Transcript.ModelProvenance(spec.name(), spec.version(), spec.sha256(), "whisper.cpp", "cpu");
    }

    /** Frees idle states now and the context once the last borrowed state is back; safe to call twice. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (WhisperNative.State s; (s = idle.poll()) != null; ) {
            s.close();
        }
        freeContextWhenIdle();
    }

    private synchronized void freeContextWhenIdle() {
        if (inUse.get() == 0) {
            all.forEach(WhisperNative.State::close);
            model.close();
        }
    }
}
