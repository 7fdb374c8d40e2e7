package org.mededge.vision;

/**
 * One inference runtime holding one loaded model (ONNX Runtime, PyTorch TorchScript or TensorRT).
 * The weights load once; {@link #run} may be called from several threads. {@link #close()} is safe
 * to call twice.
 */
public interface InferenceBackend extends AutoCloseable {

    /** onnxruntime, torch or tensorrt */
    String name();

    /** where it runs: cpu, cuda:0, ... */
    String device();

    /** The model's first output for each item of the batch (NCHW float32 input). */
    float[][] run(Tensor batch);

    @Override
    void close();
}
