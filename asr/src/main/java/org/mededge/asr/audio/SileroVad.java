package org.mededge.asr.audio;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;

import org.mededge.asr.AsrConfig;
import org.mededge.asr.AsrError;
import org.mededge.asr.AsrException;

/**
 * Silero VAD (v5/v6 ONNX) through ONNX Runtime: the only class touching its session. It scores
 * every 512-sample (32 ms) frame of 16 kHz audio, feeding each frame with the 64 samples before it
 * and the recurrent state, as the reference wrapper does. The session is shared; the state is per
 * call, so calls may run concurrently.
 */
public final class SileroVad implements AutoCloseable {
    public static final int FRAME = 512;
    private static final int CONTEXT = 64;
    private static final int STATE = 2 * 128;

    private final OrtEnvironment env;
    private final OrtSession session;
    private final java.util.concurrent.locks.ReentrantReadWriteLock lock = new java.util.concurrent.locks.ReentrantReadWriteLock();
    private volatile boolean closed;

    private final String[] outputNames;

    private SileroVad(OrtEnvironment env, OrtSession session) {
        this.env = env;
        this.session = session;
        this.outputNames = outputs(session);
    }

    /** The probability output's name, then the next state's (the output with three dimensions). */
    private static String[] outputs(OrtSession session) {
        try {
            String prob = null;
            String state = null;
            for (var e : session.getOutputInfo().entrySet()) {
                long[] shape = ((ai.onnxruntime.TensorInfo) e.getValue().getInfo()).getShape();
                if (shape.length == 3) {
                    state = e.getKey();
                } else {
                    prob = e.getKey();
                }
            }
            if (prob == null || state == null) {
                throw new AsrException(AsrError.ASR_MODEL_INVALID, "VAD model outputs are not Silero's (probability, state)");
            }
            return new String[] {prob, state};
        } catch (OrtException | ClassCastException e) {
            throw new AsrException(AsrError.ASR_MODEL_INVALID, "VAD model outputs cannot be read");
        }
    }

    private static FloatBuffer direct(int floats) {
        return ByteBuffer.allocateDirect(4 * floats).order(ByteOrder.nativeOrder()).asFloatBuffer();
    }

    /** Opens the model on one CPU thread; refuses a file that is not the expected Silero graph. */
    public static SileroVad load(Path onnx) {
        if (!Files.isRegularFile(onnx)) {
            throw new AsrException(AsrError.ASR_MODEL_INVALID, "VAD model file " + onnx.getFileName() + " is missing");
        }
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions so = new OrtSession.SessionOptions()) {
            so.setIntraOpNumThreads(1);
            so.setInterOpNumThreads(1);
            OrtSession session = env.createSession(onnx.toString(), so);
            if (!session.getInputNames().containsAll(java.util.Set.of("input", "state", "sr"))
                    || session.getOutputNames().size() != 2) {
                session.close();
                throw new AsrException(AsrError.ASR_MODEL_INVALID, "VAD model " + onnx.getFileName()
                        + " does not have Silero's inputs (input, state, sr) and two outputs");
            }
            try {
                return new SileroVad(env, session);
            } catch (AsrException e) {
                session.close();
                throw e;
            }
        } catch (OrtException e) {
            throw new AsrException(AsrError.ASR_MODEL_INVALID, "VAD model " + onnx.getFileName()
                    + " cannot be loaded by ONNX Runtime: " + e.getCode());
        }
    }

    /**
     * Speech probability of each 32 ms frame of 16 kHz mono audio (the last frame zero-padded), frame
     * by frame with the recurrent state carried over. (Scoring long audio as parallel batched streams
     * was tried and rejected: Silero's state remembers seconds of context, so streams warmed up on
     * one second still differed from this by up to 0.5 in probability.)
     */
    public float[] probabilities(float[] audio) {
        float[] probs = new float[frames(audio.length)];
        score(audio, probs, new java.util.concurrent.atomic.AtomicInteger(), () -> false);
        return probs;
    }

    /** Frames of 512 samples in {@code samples} samples, the last one partial. */
    public static int frames(int samples) {
        return (samples + FRAME - 1) / FRAME;
    }

    /**
     * Scores frames into {@code probs} in order, publishing the count done after each one (so a
     * consumer can plan windows while the rest is scored), until all are done or {@code cancelled}.
     */
    public void score(float[] audio, float[] probs, java.util.concurrent.atomic.AtomicInteger done,
                      java.util.function.BooleanSupplier cancelled) {
        // scoring holds the read lock; close() takes the write lock, so the session never closes under a run
        if (!lock.readLock().tryLock()) {
            throw new AsrException(AsrError.ASR_BUSY, "the VAD is shutting down");
        }
        try {
            if (closed) {
                throw new AsrException(AsrError.ASR_BUSY, "the VAD is shutting down");
            }
            scoreOpen(audio, probs, done, cancelled);
        } finally {
            lock.readLock().unlock();
        }
    }

    private void scoreOpen(float[] audio, float[] probs, java.util.concurrent.atomic.AtomicInteger done,
                           java.util.function.BooleanSupplier cancelled) {
        try (Scorer scorer = new Scorer()) {
            for (int f = 0; f < probs.length; f++) {
                probs[f] = scorer.run(audio, f * FRAME);
                done.set(f + 1);
                if (cancelled.getAsBoolean()) {
                    return;
                }
            }
        }
    }

    /**
     * An incremental scorer for a stream: frames handed in one after another, in any number of calls,
     * score exactly as {@link #probabilities} scores the same samples in one array (the recurrent state
     * and the 64 samples of context are carried from frame to frame). One scorer serves one stream
     * from one thread at a time; any number of scorers and batch calls share the session.
     */
    public Scorer scorer() {
        return new Scorer();
    }

    /** See {@link #scorer()}; close() frees its tensors and is safe twice. */
    public final class Scorer implements AutoCloseable {
        // Tensors over direct buffers share their memory: the input is rewritten in place, the output
        // and next state are written by ONNX Runtime into pinned tensors, and the two state tensors swap.
        // Nothing is allocated per frame, so a frame costs little more than the model itself.
        private final FloatBuffer input = direct(CONTEXT + FRAME);
        private final FloatBuffer output = direct(1);
        private final float[] window = new float[CONTEXT + FRAME];
        private final OnnxTensor[] tensors = new OnnxTensor[5];
        private long frames;
        private boolean closed;

        private Scorer() {
            try {
                tensors[0] = OnnxTensor.createTensor(env, 16000L);
                tensors[1] = OnnxTensor.createTensor(env, input, new long[] {1, CONTEXT + FRAME});
                tensors[2] = OnnxTensor.createTensor(env, output, new long[] {1, 1});
                tensors[3] = OnnxTensor.createTensor(env, direct(STATE), new long[] {2, 1, 128});
                tensors[4] = OnnxTensor.createTensor(env, direct(STATE), new long[] {2, 1, 128});
            } catch (OrtException e) {
                close();
                throw new AsrException(AsrError.ASR_FAILED, "the VAD failed: " + e.getCode());
            }
        }

        /**
         * Speech probability of the next frame: the 512 samples of {@code audio} from {@code from}
         * (zero-padded past its end, as the last frame of a clip is).
         *
         * @throws AsrException ASR_BUSY once the VAD is shutting down, ASR_FAILED when ONNX Runtime fails
         */
        public float next(float[] audio, int from) {
            if (!lock.readLock().tryLock()) {
                throw new AsrException(AsrError.ASR_BUSY, "the VAD is shutting down");
            }
            try {
                if (SileroVad.this.closed) {
                    throw new AsrException(AsrError.ASR_BUSY, "the VAD is shutting down");
                }
                return run(audio, from);
            } finally {
                lock.readLock().unlock();
            }
        }

        /** One frame; the caller holds the read lock. */
        private float run(float[] audio, int from) {
            if (closed) {
                throw new IllegalStateException("VAD scorer already closed");
            }
            System.arraycopy(window, FRAME, window, 0, CONTEXT);     // the previous frame's last 64 samples
            int n = Math.max(0, Math.min(FRAME, audio.length - from));
            System.arraycopy(audio, from, window, CONTEXT, n);
            java.util.Arrays.fill(window, CONTEXT + n, CONTEXT + FRAME, 0f);
            input.put(0, window);
            OnnxTensor current = tensors[3 + (int) (frames & 1)];
            OnnxTensor next = tensors[3 + (int) ((frames + 1) & 1)];
            try {
                session.run(Map.of("input", tensors[1], "state", current, "sr", tensors[0]),
                        Map.of(outputNames[0], tensors[2], outputNames[1], next)).close();
            } catch (OrtException e) {
                throw new AsrException(AsrError.ASR_FAILED, "the VAD failed: " + e.getCode());
            }
            frames++;
            return output.get(0);
        }

        @Override
        public void close() {
            if (closed) {
                return;
            }
            closed = true;
            for (OnnxTensor t : tensors) {
                if (t != null) {
                    t.close();
                }
            }
        }
    }

    /** Speech regions of 16 kHz audio under the given settings. */
    public VoiceActivity detect(float[] audio, AsrConfig.Vad cfg) {
        return VoiceActivity.of(probabilities(audio), audio.length, cfg);
    }

    /** Waits for calls in progress, then closes the session; safe to call twice. */
    @Override
    public void close() {
        lock.writeLock().lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            session.close();
        } catch (OrtException e) {
            // closing: nothing more to do
        } finally {
            lock.writeLock().unlock();
        }
    }
}
