package org.mededge.asr.whisper;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

import io.github.givimad.whisperjni.WhisperContext;
import io.github.givimad.whisperjni.WhisperContextParams;
import io.github.givimad.whisperjni.WhisperFullParams;
import io.github.givimad.whisperjni.WhisperJNI;
import io.github.givimad.whisperjni.WhisperSamplingStrategy;
import io.github.givimad.whisperjni.WhisperState;

import org.mededge.asr.SpeechRecognizer.RawSegment;

/**
 * The one class that touches whisper-jni: the library, the model context and decoder states.
 * A {@link State} is an AutoCloseable wrapper whose close() frees the native state once.
 */
final class WhisperNative implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(WhisperNative.class.getName());
    private static boolean libraryLoaded;

    private final WhisperJNI jni;
    private final WhisperContext context;
    private final boolean multilingual;
    private boolean closed;

    /** Per-call decoding parameters, copied into whisper-jni's struct for each call. */
    record Params(String language, String prompt, int beamSize, boolean temperatureFallback, float logProbThreshold,
                  float noSpeechThreshold, int threads, int audioCtx, boolean timestamps) {
        Params withAudioCtx(int ctx) {
            return new Params(language, prompt, beamSize, temperatureFallback, logProbThreshold, noSpeechThreshold, threads, ctx,
                    timestamps);
        }
    }

    /** A decoder state: scratch memory for one recognition at a time. */
    final class State implements AutoCloseable {
        private WhisperState handle;

        private State(WhisperState handle) {
            this.handle = handle;
        }

        /** Recognizes samples (16 kHz mono); segment times relative to the first sample. */
        List<RawSegment> run(float[] samples, int from, int to, Params p) {
            WhisperState h = handle;
            if (h == null) {
                throw new IllegalStateException("whisper state already closed");
            }
            float[] window = from == 0 && to == samples.length ? samples : java.util.Arrays.copyOfRange(samples, from, to);
            WhisperFullParams fp = new WhisperFullParams(p.beamSize() > 1 ? WhisperSamplingStrategy.BEAN_SEARCH
                    : WhisperSamplingStrategy.GREEDY);
            fp.nThreads = p.threads();
            fp.language = p.language();
            fp.detectLanguage = false;
            fp.translate = false;
            fp.initialPrompt = p.prompt() == null || p.prompt().isBlank() ? null : p.prompt();
            fp.noContext = true;          // nothing carries over from another request using this state
            // without timestamps (for models trained without them) the window is one segment
            fp.singleSegment = !p.timestamps();
            fp.noTimestamps = !p.timestamps();
            fp.printProgress = false;
            fp.printRealtime = false;
            fp.printSpecial = false;
            fp.printTimestamps = false;
            fp.suppressBlank = true;
            fp.suppressNonSpeechTokens = true;
            fp.temperature = 0f;
            fp.temperatureInc = p.temperatureFallback() ? 0.2f : 0f;
            fp.entropyThold = 2.4f;
            fp.logprobThold = p.logProbThreshold();
            fp.noSpeechThold = p.noSpeechThreshold();
            fp.beamSearchBeamSize = p.beamSize();
            fp.greedyBestOf = p.temperatureFallback() ? 5 : 1;
            if (p.audioCtx() > 0) {
                fp.audioCtx = p.audioCtx();
            }
            int rc = jni.fullWithState(context, h, fp, window, window.length);
            if (rc != 0) {
                throw new IllegalStateException("whisper_full failed with code " + rc);
            }
            int n = jni.fullNSegmentsFromState(h);
            List<RawSegment> out = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                long t0 = jni.fullGetSegmentTimestamp0FromState(h, i) * 10;
                long t1 = jni.fullGetSegmentTimestamp1FromState(h, i) * 10;
                String text = jni.fullGetSegmentTextFromState(h, i);
                out.add(new RawSegment(Math.max(0, t0), Math.max(t0, t1), text == null ? "" : text));
            }
            return out;
        }

        @Override
        public synchronized void close() {
            WhisperState h = handle;
            handle = null;
            if (h != null) {
                jni.free(h);
            }
        }
    }

    private WhisperNative(WhisperJNI jni, WhisperContext context) {
        this.jni = jni;
        this.context = context;
        this.multilingual = jni.isMultilingual(context);
    }

    /** Loads the native library once and the model's context; throws with the reason on failure. */
    static WhisperNative open(Path model) {
        WhisperJNI jni;
        synchronized (WhisperNative.class) {
            if (!libraryLoaded) {
                try {
                    WhisperJNI.loadLibrary();
                    WhisperJNI.setLibraryLogger(line -> LOG.log(Level.FINE, line));
                } catch (IOException | LinkageError e) {
                    throw new IllegalStateException("whisper.cpp natives could not be loaded (" + e.getClass().getSimpleName()
                            + "); this platform needs Debian amd64 or arm64 glibc");
                }
                libraryLoaded = true;
            }
            jni = new WhisperJNI();
        }
        WhisperContextParams cp = new WhisperContextParams();
        cp.useGPU = false;
        WhisperContext ctx;
        try {
            ctx = jni.initNoState(model, cp);
        } catch (IOException e) {
            throw new IllegalStateException("model file cannot be read: " + e.getClass().getSimpleName());
        }
        if (ctx == null) {
            throw new IllegalStateException("whisper.cpp refused the model file (init returned null): the file is corrupt or"
                    + " not a whisper.cpp ggml model");
        }
        return new WhisperNative(jni, ctx);
    }

    boolean multilingual() {
        return multilingual;
    }

    State newState() {
        WhisperState s = jni.initState(context);
        if (s == null) {
            throw new IllegalStateException("whisper.cpp could not allocate a decoder state (out of memory?)");
        }
        return new State(s);
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            jni.free(context);
        }
    }
}
