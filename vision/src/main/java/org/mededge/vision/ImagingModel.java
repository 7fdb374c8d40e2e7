package org.mededge.vision;

import java.util.List;

/**
 * The imaging engine: one model loaded once on the backend chosen at start-up. Studies are
 * analysed concurrently up to the configured limit.
 */
public interface ImagingModel extends AutoCloseable {

    /** One analysed study: what the model saw, and what it found. */
    record Analysis(ImageStudy study, ImagingFindings findings) {
    }

    ModelSpec spec();

    /** onnxruntime, torch or tensorrt */
    String backend();

    String device();

    /** Why preferred backends were passed over ("TensorRT unavailable: ..."), in preference order. */
    List<String> notes();

    /** Decodes, preprocesses, infers: the whole pipeline for one upload. */
    Analysis analyze(byte[] bytes, String mediaType);

    /** The occlusion-sensitivity map of one label (as the model names it) on an analysed study. */
    Heatmap heatmap(ImageStudy study, String label);

    /** One line for readiness and /v1/models: backend, device, and the notes. */
    String describe();

    @Override
    void close();
}
