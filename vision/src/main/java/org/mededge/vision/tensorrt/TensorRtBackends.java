package org.mededge.vision.tensorrt;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;

import org.mededge.vision.BackendUnavailableException;
import org.mededge.vision.InferenceBackend;
import org.mededge.vision.ModelSpec;

/**
 * TensorRT through the javacpp presets. The gateway class is compiled only with {@code -Ptensorrt}
 * (the presets are not in the default build), so it is looked up by name: without it, or without a
 * CUDA driver and TensorRT libraries, the backend is unavailable and says why.
 *
 * <p>A plan is specific to a GPU's compute capability and to the TensorRT version that built it:
 * {@code firmware-scripts/build-trt-engine.sh} writes {@code model.sm<major><minor>.plan} beside
 * model.onnx, with its sha256 in {@code model.sm<major><minor>.plan.sha256}.
 */
public final class TensorRtBackends {
    public static final String NAME = "tensorrt";
    static final String GATEWAY = "org.mededge.vision.tensorrt.gateway.TrtGateway";

    private TensorRtBackends() {
    }

    /** The plan file name for a compute capability, e.g. model.sm87.plan for Jetson Orin. */
    public static String planName(int major, int minor) {
        return "model.sm" + major + minor + ".plan";
    }

    public static InferenceBackend open(ModelSpec spec) {
        Class<?> gateway;
        try {
            gateway = Class.forName(GATEWAY);
        } catch (ClassNotFoundException e) {
            throw new BackendUnavailableException("TensorRT unavailable: this build has no TensorRT support "
                    + "(build with mvn -Ptensorrt on the device, which has CUDA and TensorRT installed)");
        } catch (LinkageError e) {
            throw new BackendUnavailableException("TensorRT unavailable: " + describe(e), e);
        }
        try {
            Method open = gateway.getMethod("open", ModelSpec.class);
            return (InferenceBackend) open.invoke(null, spec);
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause();
            if (cause instanceof BackendUnavailableException b) {
                throw b;
            }
            throw new BackendUnavailableException("TensorRT unavailable: " + describe(cause), cause);
        } catch (ReflectiveOperationException | LinkageError e) {
            throw new BackendUnavailableException("TensorRT unavailable: " + describe(e), e);
        }
    }

    static String describe(Throwable t) {
        String m = t.getMessage();
        return t.getClass().getSimpleName() + (m == null ? "" : ": " + m.lines().findFirst().orElse(""));
    }
}
