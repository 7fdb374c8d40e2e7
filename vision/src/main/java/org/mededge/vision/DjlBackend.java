package org.mededge.vision;

import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.translate.NoopTranslator;
import ai.djl.translate.TranslateException;

/**
 * The one class that talks to DJL for both of its engines used here (ONNX Runtime and PyTorch):
 * one loaded {@link Model}, a pool of predictors (a DJL predictor is not thread-safe; the model is),
 * and float arrays in and out so that no DJL type leaves this class.
 */
public final class DjlBackend implements InferenceBackend {
    private final String name;
    private final String device;
    private final Model model;
    private final ConcurrentLinkedQueue<Predictor<NDList, NDList>> predictors = new ConcurrentLinkedQueue<>();
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
        Predictor<NDList, NDList> p = predictors.poll();
        if (p == null) {
            p = model.newPredictor(new NoopTranslator());
        }
        try (NDManager m = model.getNDManager().newSubManager()) {
            NDArray x = m.create(FloatBuffer.wrap(batch.data()), new Shape(batch.shape()));
            NDList out = p.predict(new NDList(x));
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
        } catch (TranslateException | RuntimeException e) {
            if (e instanceof VisionException v) {
                throw v;
            }
            throw new VisionException(VisionError.VISION_FAILED, name + " inference failed: " + rootMessage(e), e);
        } finally {
            if (closed.get()) {
                p.close();
            } else {
                predictors.offer(p);
            }
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
            for (Predictor<NDList, NDList> p; (p = predictors.poll()) != null; ) {
                p.close();
            }
            model.close();
        }
    }
}
