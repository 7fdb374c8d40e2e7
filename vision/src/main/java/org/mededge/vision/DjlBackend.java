package org.mededge.vision;

import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;

/**
 * The one class that talks to DJL for both of its engines used here (ONNX Runtime and PyTorch):
 * one loaded {@link Model} whose block is called directly (thread-safe for both engines' symbol blocks),
 * and float arrays in and out so that no DJL type leaves this class.
 */
public final class DjlBackend implements InferenceBackend {
    private final String name;
    private final String device;
    private final Model model;
    private final AtomicBoolean closed = new AtomicBoolean();

    private DjlBackend(String name, String device, Model model) {
        this.name = name;
        this.device = device;
        this.model = model;
    }

    /**
     * Loads a model file into a DJL engine.
     *
     * @param backendName the name reported in provenance (onnxruntime, torch)
     * @param djlEngine   DJL's engine name (OnnxRuntime, PyTorch)
     * @param options     engine-specific load options
     */
    public static DjlBackend load(String backendName, String djlEngine, Path file, Device device, Map<String, ?> options)
            throws Exception {
        Model model = Model.newInstance("vision", device, djlEngine);
        try {
            model.load(file, null, options);
        } catch (Exception | Error e) {
            model.close();
            throw e;
        }
        String where = device.isGpu() ? "cuda:" + device.getDeviceId() : "cpu";
        return new DjlBackend(backendName, where, model);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String device() {
        return device;
    }

    @Override
    public float[][] run(Tensor batch) {
        if (closed.get()) {
            throw new VisionException(VisionError.VISION_BACKEND_UNAVAILABLE, name + " backend is closed");
        }
        try (NDManager m = model.getNDManager().newSubManager()) {
            NDArray x = m.create(FloatBuffer.wrap(batch.data()), new Shape(batch.shape()));
            // the model's block directly: a Predictor adds a translator pipeline, a context and metrics per call
            // (measured ~0.1 ms on the chest model, over a tenth of its inference); the block is thread-safe
            NDList out = model.getBlock().forward(new ParameterStore(m, false), new NDList(x), false);
            float[] flat = out.get(0).toFloatArray();
            out.close();
            int n = batch.batch();
            if (flat.length % n != 0) {
                throw new VisionException(VisionError.VISION_MODEL_INVALID, "the model returned " + flat.length
                        + " values for a batch of " + n);
            }
            int per = flat.length / n;
            float[][] rows = new float[n][per];
            for (int i = 0; i < n; i++) {
                System.arraycopy(flat, i * per, rows[i], 0, per);
            }
            return rows;
        } catch (RuntimeException e) {
            if (e instanceof VisionException v) {
                throw v;
            }
            throw new VisionException(VisionError.VISION_FAILED, name + " inference failed: " + rootMessage(e), e);
        }
    }

    private static String rootMessage(Throwable t) {
        Throwable r = t;
        while (r.getCause() != null && r.getCause() != r) {
            r = r.getCause();
        }
        return r.getClass().getSimpleName();
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            model.close();
        }
    }
}
