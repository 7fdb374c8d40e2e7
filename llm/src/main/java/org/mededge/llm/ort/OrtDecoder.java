package org.mededge.llm.ort;

import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxTensorLike;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtLoraAdapter;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;

import org.mededge.llm.LlmConfig;
import org.mededge.llm.LlmError;
import org.mededge.llm.LlmException;
import org.mededge.llm.decode.Decoder;

/**
 * The one gateway to ONNX Runtime for the language model: the session (weights, loaded once and
 * shared by all requests), the LoRA adapters (loaded once, read-only), and per request a
 * {@link Sequence} with its own run options (its active adapter) and attention cache. The cache of
 * one step's outputs ({@code present.*}) is fed back as the next step's inputs without copying.
 */
public final class OrtDecoder implements Decoder, AutoCloseable {
    private final OrtEnvironment env;
    private final OrtSession session;
    private final DecoderLayout layout;
    private final int contextLength;
    private final int prefillChunk;
    private final OnnxTensor emptyPast;
    private final Map<String, OrtLoraAdapter> adapters = new ConcurrentHashMap<>();
    private final Set<String> presentNames = new LinkedHashSet<>();
    private volatile boolean closed;

    private OrtDecoder(OrtEnvironment env, OrtSession session, DecoderLayout layout, int contextLength, int prefillChunk)
            throws OrtException {
        this.env = env;
        this.session = session;
        this.layout = layout;
        this.contextLength = contextLength;
        this.prefillChunk = prefillChunk;
        this.emptyPast = OnnxTensor.createTensor(env, FloatBuffer.allocate(0), new long[] {1, layout.kvHeads(), 0, layout.headDim()});
        for (int i = 0; i < layout.layers(); i++) {
            presentNames.add("present." + i + ".key");
            presentNames.add("present." + i + ".value");
        }
    }

    /** Opens the model; refuses, with the reason, a graph that is not in the expected layout. */
    public static OrtDecoder open(Path modelFile, LlmConfig config, int contextLength) {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        OrtSession session = null;
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(config.intraOpThreads());
            options.setInterOpNumThreads(1);
            options.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            // LoRA inputs are initializers that may be overridden: ONNX Runtime warns about each, as intended here
            options.setSessionLogLevel(ai.onnxruntime.OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR);
            session = env.createSession(modelFile.toString(), options);
            Map<String, long[]> inputs = new HashMap<>();
            Map<String, Boolean> isFloat = new HashMap<>();
            for (Map.Entry<String, NodeInfo> e : session.getInputInfo().entrySet()) {
                if (e.getValue().getInfo() instanceof TensorInfo t) {
                    inputs.put(e.getKey(), t.getShape());
                    isFloat.put(e.getKey(), t.type == OnnxJavaType.FLOAT);
                }
            }
            Map<String, NodeInfo> out = session.getOutputInfo();
            long[] logits = out.get("logits") != null && out.get("logits").getInfo() instanceof TensorInfo t ? t.getShape() : null;
            DecoderLayout layout = DecoderLayout.discover(inputs, isFloat, logits, out.keySet());
            return new OrtDecoder(env, session, layout, contextLength, config.prefillChunk());
        } catch (OrtException | IllegalArgumentException e) {
            if (session != null) {
                try {
                    session.close();
                } catch (OrtException ignored) {
                    // already failing
                }
            }
            throw new LlmException(LlmError.LLM_MODEL_INVALID, "model " + modelFile.getFileName() + " cannot serve as a"
                    + " decoder: " + e.getMessage(), e);
        }
    }

    public DecoderLayout layout() {
        return layout;
    }

    /** The ONNX Runtime version, for provenance. */
    public String runtimeVersion() {
        return env.getVersion();
    }

    @Override
    public int vocabSize() {
        return layout.vocab();
    }

    @Override
    public int contextLength() {
        return contextLength;
    }

    /**
     * Checks an adapter file's structure, loads it into ONNX Runtime and makes one trial run with it,
     * so that an adapter made for another base model is refused at start-up, not at a request.
     *
     * @return null when loaded, else why it was refused
     */
    public String loadAdapter(String name, Path file) {
        AdapterFile header;
        try {
            header = AdapterFile.read(file);
        } catch (IOException e) {
            return "adapter file " + file.getFileName() + " cannot be read: " + e.getMessage();
        }
        String misfit = DecoderLayout.misfit(header);
        if (misfit != null) {
            return misfit;
        }
        OrtLoraAdapter adapter;
        try {
            adapter = OrtLoraAdapter.create(file.toString());
        } catch (OrtException e) {
            return "ONNX Runtime refused the adapter file: " + e.getMessage();
        }
        adapters.put(name, adapter);
        try (Sequence trial = open(name)) {
            trial.append(new int[] {0});
            return null;
        } catch (LlmException e) {
            adapters.remove(name);
            adapter.close();
            String why = e.getCause() != null && e.getCause().getMessage() != null ? e.getCause().getMessage() : e.getMessage();
            return "the model does not take this adapter's parameters (an adapter for another base model, or a model"
                    + " exported without LoRA inputs): " + why;
        }
    }

    @Override
    public Sequence open(String adapter) {
        if (closed) {
            throw new LlmException(LlmError.LLM_FAILED, "the language model is shut down");
        }
        OrtLoraAdapter a = null;
        if (adapter != null) {
            a = adapters.get(adapter);
            if (a == null) {
                throw new LlmException(LlmError.LLM_UNKNOWN_ADAPTER, "adapter '" + adapter + "' is not loaded");
            }
        }
        try {
            OrtSession.RunOptions options = new OrtSession.RunOptions();
            if (a != null) {
                options.addActiveLoraAdapter(a);
            }
            return new OrtSequence(options);
        } catch (OrtException e) {
            throw new LlmException(LlmError.LLM_FAILED, "cannot prepare a run: " + e.getMessage(), e);
        }
    }

    /** A sequence's attention cache and run options. */
    private final class OrtSequence implements Sequence {
        private final OrtSession.RunOptions options;
        private OrtSession.Result last;
        private int length;
        private boolean aborted;
        private boolean done;

        OrtSequence(OrtSession.RunOptions options) {
            this.options = options;
        }

        @Override
        public float[] append(int[] tokens) {
            if (tokens.length == 0) {
                throw new IllegalArgumentException("no tokens to append");
            }
            float[] logits = null;
            for (int from = 0; from < tokens.length; from += prefillChunk) {
                int to = Math.min(tokens.length, from + prefillChunk);
                logits = run(java.util.Arrays.copyOfRange(tokens, from, to), to == tokens.length);
            }
            return logits;
        }

        private float[] run(int[] ids, boolean wantLogits) {
            synchronized (this) {
                if (aborted || done) {
                    throw new Aborted();
                }
            }
            int n = ids.length;
            int total = length + n;
            if (total > contextLength) {
                throw new LlmException(LlmError.LLM_INVALID_REQUEST, "the sequence would be " + total
                        + " tokens; the model takes at most " + contextLength);
            }
            long[] idData = new long[n];
            long[] pos = new long[n];
            for (int i = 0; i < n; i++) {
                idData[i] = ids[i];
                pos[i] = length + i;
            }
            long[] mask = new long[total];
            java.util.Arrays.fill(mask, 1L);
            Map<String, OnnxTensorLike> in = new HashMap<>();
            OnnxTensor idT = null;
            OnnxTensor maskT = null;
            OnnxTensor posT = null;
            OrtSession.Result result = null;
            try {
                idT = OnnxTensor.createTensor(env, LongBuffer.wrap(idData), new long[] {1, n});
                maskT = OnnxTensor.createTensor(env, LongBuffer.wrap(mask), new long[] {1, total});
                in.put("input_ids", idT);
                in.put("attention_mask", maskT);
                if (layout.positionIds()) {
                    posT = OnnxTensor.createTensor(env, LongBuffer.wrap(pos), new long[] {1, n});
                    in.put("position_ids", posT);
                }
                for (int i = 0; i < layout.layers(); i++) {
                    for (String kind : new String[] {"key", "value"}) {
                        OnnxTensorLike past = last == null ? emptyPast
                                : (OnnxTensor) last.get("present." + i + "." + kind).orElseThrow();
                        in.put("past_key_values." + i + "." + kind, past);
                    }
                }
                Set<String> wanted = new HashSet<>(presentNames);
                if (wantLogits) {
                    wanted.add("logits");
                }
                result = session.run(in, wanted, options);
                float[] out = null;
                if (wantLogits) {
                    OnnxValue v = result.get("logits").orElseThrow();
                    FloatBuffer fb = ((OnnxTensor) v).getFloatBuffer();
                    out = new float[layout.vocab()];
                    fb.position((n - 1) * layout.vocab());
                    fb.get(out);
                }
                OrtSession.Result previous = last;
                last = result;
                result = null;
                length = total;
                if (previous != null) {
                    previous.close();
                }
                return out;
            } catch (OrtException e) {
                synchronized (this) {
                    if (aborted) {
                        throw new Aborted();
                    }
                }
                throw new LlmException(LlmError.LLM_FAILED, "ONNX Runtime run failed: " + e.getMessage(), e);
            } finally {
                close(idT);
                close(maskT);
                close(posT);
                if (result != null) {
                    result.close();
                }
            }
        }

        private static void close(OnnxTensor t) {
            if (t != null) {
                t.close();
            }
        }

        @Override
        public int length() {
            return length;
        }

        @Override
        public synchronized void abort() {
            if (aborted || done) {
                return;
            }
            aborted = true;
            try {
                options.setTerminate(true);
            } catch (OrtException ignored) {
                // the flag is also checked before the next run
            }
        }

        @Override
        public void close() {
            synchronized (this) {
                if (done) {
                    return;
                }
                done = true;
            }
            if (last != null) {
                last.close();
                last = null;
            }
            options.close();
        }
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        adapters.values().forEach(OrtLoraAdapter::close);
        adapters.clear();
        emptyPast.close();
        try {
            session.close();
        } catch (OrtException ignored) {
            // closing anyway
        }
    }
}
