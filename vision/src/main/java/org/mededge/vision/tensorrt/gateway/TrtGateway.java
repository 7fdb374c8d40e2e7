package org.mededge.vision.tensorrt.gateway;

import static org.bytedeco.cuda.global.cudart.cudaDevAttrComputeCapabilityMajor;
import static org.bytedeco.cuda.global.cudart.cudaDevAttrComputeCapabilityMinor;
import static org.bytedeco.cuda.global.cudart.cudaDeviceGetAttribute;
import static org.bytedeco.cuda.global.cudart.cudaFree;
import static org.bytedeco.cuda.global.cudart.cudaGetDeviceCount;
import static org.bytedeco.cuda.global.cudart.cudaGetErrorString;
import static org.bytedeco.cuda.global.cudart.cudaMalloc;
import static org.bytedeco.cuda.global.cudart.cudaMemcpy;
import static org.bytedeco.cuda.global.cudart.cudaMemcpyDeviceToHost;
import static org.bytedeco.cuda.global.cudart.cudaMemcpyHostToDevice;
import static org.bytedeco.cuda.global.cudart.cudaSetDevice;
import static org.bytedeco.cuda.global.cudart.cudaStreamCreate;
import static org.bytedeco.cuda.global.cudart.cudaStreamDestroy;
import static org.bytedeco.cuda.global.cudart.cudaStreamSynchronize;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Stream;

import org.bytedeco.cuda.cudart.CUstream_st;
import org.bytedeco.cuda.global.cudart;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.tensorrt.global.nvinfer;
import org.bytedeco.tensorrt.nvinfer.Dims64;
import org.bytedeco.tensorrt.nvinfer.ICudaEngine;
import org.bytedeco.tensorrt.nvinfer.IExecutionContext;
import org.bytedeco.tensorrt.nvinfer.ILogger;
import org.bytedeco.tensorrt.nvinfer.IRuntime;

import org.mededge.vision.BackendUnavailableException;
import org.mededge.vision.InferenceBackend;
import org.mededge.vision.ModelSpec;
import org.mededge.vision.Tensor;
import org.mededge.vision.VisionError;
import org.mededge.vision.VisionException;
import org.mededge.vision.tensorrt.TensorRtBackends;

/**
 * The only class that touches CUDA and TensorRT handles: it checks the GPU's compute capability,
 * verifies and deserializes the plan built for it, and runs one item at a time through one
 * execution context (calls are serialized). Compiled only with {@code -Ptensorrt}.
 */
public final class TrtGateway implements InferenceBackend {
    private static final Logger LOG = Logger.getLogger(TrtGateway.class.getName());

    private final String device;
    private final String inputName;
    private final String outputName;
    private final int inputSize;
    private final int outputSize;
    private final long[] itemShape;
    private final IRuntime runtime;
    private final ICudaEngine engine;
    private final IExecutionContext context;
    private final CUstream_st stream;
    private final Pointer deviceInput;
    private final Pointer deviceOutput;
    private final FloatPointer hostInput;
    private final FloatPointer hostOutput;
    private final TrtLogger logger;
    private boolean closed;

    /** Forwards TensorRT's messages (model structure only, never patient data) to the JDK log. */
    static final class TrtLogger extends ILogger {
        @Override
        public void log(Severity severity, String msg) {
            Level level = switch (severity) {
                case kINTERNAL_ERROR, kERROR -> Level.WARNING;
                case kWARNING -> Level.INFO;
                default -> Level.FINE;
            };
            LOG.log(level, () -> "TensorRT: " + msg);
        }
    }

    private TrtGateway(String device, ModelSpec.Input input, String outputName, int outputSize, IRuntime runtime,
                       ICudaEngine engine, IExecutionContext context, CUstream_st stream, TrtLogger logger) {
        this.device = device;
        this.inputName = input.name();
        this.outputName = outputName;
        this.inputSize = input.channels() * input.height() * input.width();
        this.outputSize = outputSize;
        this.itemShape = input.shape(1);
        this.runtime = runtime;
        this.engine = engine;
        this.context = context;
        this.stream = stream;
        this.logger = logger;
        this.hostInput = new FloatPointer(inputSize);
        this.hostOutput = new FloatPointer(outputSize);
        this.deviceInput = new Pointer();
        this.deviceOutput = new Pointer();
        check(cudaMalloc(deviceInput, 4L * inputSize), "cudaMalloc");
        check(cudaMalloc(deviceOutput, 4L * outputSize), "cudaMalloc");
    }

    /** Loads the plan for this GPU; any reason it cannot is a {@link BackendUnavailableException}. */
    public static InferenceBackend open(ModelSpec spec) {
        try {
            Loader.load(cudart.class);
        } catch (LinkageError e) {
            throw unavailable("no CUDA runtime (" + e.getClass().getSimpleName() + ": " + firstLine(e.getMessage()) + ")");
        }
        int[] count = new int[1];
        int rc = cudaGetDeviceCount(count);
        if (rc != 0 || count[0] == 0) {
            throw unavailable("no CUDA device (" + (rc != 0 ? cudaGetErrorString(rc).getString() : "0 devices") + ")");
        }
        check(cudaSetDevice(0), "cudaSetDevice");
        int[] major = new int[1];
        int[] minor = new int[1];
        check(cudaDeviceGetAttribute(major, cudaDevAttrComputeCapabilityMajor, 0), "cudaDeviceGetAttribute");
        check(cudaDeviceGetAttribute(minor, cudaDevAttrComputeCapabilityMinor, 0), "cudaDeviceGetAttribute");
        String planName = TensorRtBackends.planName(major[0], minor[0]);
        Path plan = spec.dir().resolve(planName);
        if (!Files.isRegularFile(plan)) {
            throw unavailable("no plan for this GPU (sm_" + major[0] + minor[0] + "): " + planName + " is not in "
                    + spec.dir() + otherPlans(spec.dir()) + "; build it on this device with firmware-scripts/build-trt-engine.sh");
        }
        byte[] bytes = verifiedPlan(plan);
        try {
            Loader.load(nvinfer.class);
        } catch (LinkageError e) {
            throw unavailable("TensorRT libraries not found (" + e.getClass().getSimpleName() + ": " + firstLine(e.getMessage()) + ")");
        }
        TrtLogger logger = new TrtLogger();
        IRuntime runtime = nvinfer.createInferRuntime(logger);
        if (runtime == null || runtime.isNull()) {
            throw unavailable("could not create a TensorRT runtime");
        }
        ICudaEngine engine = runtime.deserializeCudaEngine(new BytePointer(bytes), bytes.length);
        if (engine == null || engine.isNull()) {
            throw unavailable(planName + " could not be deserialized (built by another TensorRT version or for another GPU?); "
                    + "rebuild it with firmware-scripts/build-trt-engine.sh");
        }
        String inputName = spec.input().name();
        String outputName = null;
        for (int i = 0; i < engine.getNbIOTensors(); i++) {
            String n = engine.getIOTensorName(i);
            if (engine.getTensorIOMode(n) == nvinfer.TensorIOMode.kOUTPUT && outputName == null) {
                outputName = n;
            }
        }
        Dims64 in = engine.getTensorShape(inputName);
        if (in == null || in.nbDims() != 4) {
            throw unavailable(planName + " has no 4-dimensional input named '" + inputName + "' as model.yaml declares");
        }
        if (outputName == null) {
            throw unavailable(planName + " has no output tensor");
        }
        Dims64 out = engine.getTensorShape(outputName);
        int outputSize = 1;
        for (int i = 1; i < out.nbDims(); i++) {
            outputSize *= (int) Math.max(1, out.d(i));
        }
        IExecutionContext context = engine.createExecutionContext();
        if (context == null || context.isNull()) {
            throw unavailable("could not create a TensorRT execution context (GPU memory?)");
        }
        CUstream_st stream = new CUstream_st();
        check(cudaStreamCreate(stream), "cudaStreamCreate");
        String device = "cuda:0 (sm_" + major[0] + minor[0] + ", TensorRT " + nvinfer.getInferLibVersion() + ")";
        return new TrtGateway(device, spec.input(), outputName, outputSize, runtime, engine, context, stream, logger);
    }

    @Override
    public String name() {
        return TensorRtBackends.NAME;
    }

    @Override
    public String device() {
        return device;
    }

    @Override
    public synchronized float[][] run(Tensor batch) {
        if (closed) {
            throw new VisionException(VisionError.VISION_BACKEND_UNAVAILABLE, "tensorrt backend is closed");
        }
        int n = batch.batch();
        if (batch.itemSize() != inputSize) {
            throw new VisionException(VisionError.VISION_FAILED, "input has " + batch.itemSize() + " values per item, the plan expects " + inputSize);
        }
        Dims64 shape = new Dims64();
        shape.nbDims(4);
        for (int i = 0; i < 4; i++) {
            shape.d(i, itemShape[i]);
        }
        float[][] rows = new float[n][outputSize];
        float[] data = batch.data();
        for (int item = 0; item < n; item++) {
            hostInput.put(data, item * inputSize, inputSize);
            check(cudaMemcpy(deviceInput, hostInput, 4L * inputSize, cudaMemcpyHostToDevice), "cudaMemcpy");
            if (!context.setInputShape(inputName, shape) || !context.setTensorAddress(inputName, deviceInput)
                    || !context.setTensorAddress(outputName, deviceOutput)) {
                throw new VisionException(VisionError.VISION_FAILED, "TensorRT rejected the input binding");
            }
            if (!context.enqueueV3(stream)) {
                throw new VisionException(VisionError.VISION_FAILED, "TensorRT inference failed to start");
            }
            check(cudaStreamSynchronize(stream), "cudaStreamSynchronize");
            check(cudaMemcpy(hostOutput, deviceOutput, 4L * outputSize, cudaMemcpyDeviceToHost), "cudaMemcpy");
            hostOutput.get(rows[item], 0, outputSize);
        }
        return rows;
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        cudaFree(deviceInput);
        cudaFree(deviceOutput);
        cudaStreamDestroy(stream);
        context.close();
        engine.close();
        runtime.close();
        hostInput.close();
        hostOutput.close();
        logger.close();
    }

    /** The plan's bytes, after checking them against the sha256 that build-trt-engine.sh wrote beside it. */
    private static byte[] verifiedPlan(Path plan) {
        Path sidecar = plan.resolveSibling(plan.getFileName() + ".sha256");
        try {
            if (!Files.isRegularFile(sidecar)) {
                throw unavailable(plan.getFileName() + " has no " + sidecar.getFileName()
                        + " beside it; plans are accepted only as written by firmware-scripts/build-trt-engine.sh");
            }
            String expected = Files.readString(sidecar, StandardCharsets.US_ASCII).strip().split("\\s+")[0].toLowerCase();
            byte[] bytes = Files.readAllBytes(plan);
            String actual = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
            if (!actual.equals(expected)) {
                throw unavailable(plan.getFileName() + " does not match its sha256 (" + actual + ", expected " + expected
                        + "); rebuild it with firmware-scripts/build-trt-engine.sh");
            }
            return bytes;
        } catch (IOException e) {
            throw unavailable(plan.getFileName() + " cannot be read (" + e.getClass().getSimpleName() + ")");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String otherPlans(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            List<String> plans = s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".plan")).sorted().toList();
            return plans.isEmpty() ? "" : " (found " + String.join(", ", plans) + ", built for another GPU)";
        } catch (IOException e) {
            return "";
        }
    }

    private static void check(int rc, String what) {
        if (rc != 0) {
            throw new VisionException(VisionError.VISION_BACKEND_UNAVAILABLE, what + " failed: " + cudaGetErrorString(rc).getString());
        }
    }

    private static BackendUnavailableException unavailable(String why) {
        return new BackendUnavailableException("TensorRT unavailable: " + why);
    }

    private static String firstLine(String s) {
        return s == null ? "" : s.lines().findFirst().orElse("");
    }
}
