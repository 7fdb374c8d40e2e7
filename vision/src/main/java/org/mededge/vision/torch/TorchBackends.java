package org.mededge.vision.torch;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.engine.StandardCapabilities;

import org.mededge.vision.BackendUnavailableException;
import org.mededge.vision.DjlBackend;
import org.mededge.vision.InferenceBackend;

/**
 * PyTorch TorchScript through DJL. DJL unpacks libtorch into DJL_CACHE_DIR on first use; offline,
 * the native jar on the class path must match the engine exactly or DJL would try to download.
 */
public final class TorchBackends {
    public static final String NAME = "torch";

    private TorchBackends() {
    }

    public static InferenceBackend open(Path torchscript, String device) {
        if (torchscript == null || !Files.isRegularFile(torchscript)) {
            throw new BackendUnavailableException("PyTorch: the model has no TorchScript (.pt) file");
        }
        Engine engine;
        try {
            engine = Engine.getEngine("PyTorch");
        } catch (RuntimeException | LinkageError e) {
            throw new BackendUnavailableException("PyTorch unavailable: " + message(e), e);
        }
        boolean cuda = engine.hasCapability(StandardCapabilities.CUDA);
        if (device.equals("gpu") && !cuda) {
            throw new BackendUnavailableException("PyTorch: this libtorch has no CUDA (device: gpu was configured)");
        }
        Device d = cuda && !device.equals("cpu") ? Device.gpu() : Device.cpu();
        try {
            return DjlBackend.load(NAME, "PyTorch", torchscript, d, Map.of("mapLocation", "true"));
        } catch (Exception e) {
            throw new BackendUnavailableException("PyTorch could not load " + torchscript.getFileName() + ": " + message(e), e);
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
