package org.mededge.vision.ort;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.engine.StandardCapabilities;
import ai.onnxruntime.OrtSession;

import org.mededge.vision.BackendUnavailableException;
import org.mededge.vision.DjlBackend;
import org.mededge.vision.InferenceBackend;

/**
 * ONNX Runtime through DJL: the CPU reference backend, and the CUDA execution provider where the
 * ONNX Runtime build on the class path has it.
 */
public final class OrtBackends {
    public static final String NAME = "onnxruntime";
    private static final String NO_ALTERNATIVE = "ai.djl.onnx.disable_alternative";

    private OrtBackends() {
    }

    /**
     * @param device  cpu, gpu, or auto (the GPU when ONNX Runtime here can use CUDA)
     * @param threads intra-op threads; 0 lets ONNX Runtime choose
     */
    public static InferenceBackend open(Path onnx, String device, int threads) {
        if (onnx == null || !Files.isRegularFile(onnx)) {
            throw new BackendUnavailableException("ONNX Runtime: the model has no .onnx file");
        }
        Engine engine = engine();
        boolean cuda = engine.hasCapability(StandardCapabilities.CUDA);
        if (device.equals("gpu") && !cuda) {
            throw new BackendUnavailableException("ONNX Runtime: no CUDA execution provider in this build (device: gpu was configured)");
        }
        Device d = cuda && !device.equals("cpu") ? Device.gpu() : Device.cpu();
        try {
            OrtSession.SessionOptions options = new OrtSession.SessionOptions();
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            if (threads > 0) {
                options.setIntraOpNumThreads(threads);
                options.setInterOpNumThreads(1);
            }
            return DjlBackend.load(NAME, "OnnxRuntime", onnx, d, Map.of("sessionOptions", options));
        } catch (Exception e) {
            throw new BackendUnavailableException("ONNX Runtime could not load " + onnx.getFileName() + ": " + message(e), e);
        }
    }

    /**
     * DJL's ONNX Runtime engine; it must create the process's OrtEnvironment, so ask for it early.
     * DJL would otherwise load PyTorch beside it as an "alternative engine" for NDArray operations
     * (libtorch: hundreds of MB and its own thread pool): nothing here needs that, so it is switched off.
     */
    public static Engine engine() {
        if (System.getProperty(NO_ALTERNATIVE) == null) {
            System.setProperty(NO_ALTERNATIVE, "true");
        }
        try {
            return Engine.getEngine("OnnxRuntime");
        } catch (RuntimeException | LinkageError e) {
            String m = message(e);
            throw new BackendUnavailableException("ONNX Runtime unavailable: " + m + (m.contains("already exists")
                    ? " (something created ONNX Runtime's environment before DJL's engine; DJL's must be created first)" : ""), e);
        }
    }

    static String message(Throwable e) {
        Throwable r = e;
        while (r.getCause() != null && r.getCause() != r) {
            r = r.getCause();
        }
        String m = r.getMessage();
        return r.getClass().getSimpleName() + (m == null ? "" : ": " + m.lines().findFirst().orElse(""));
    }
}
