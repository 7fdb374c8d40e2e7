package org.mededge.vision;

import java.util.List;

/** What the imaging model found in one study, with provenance and timings. */
public record ImagingFindings(Study study, List<Finding> findings, ModelProvenance model, Timings timings) {
    public ImagingFindings {
        findings = List.copyOf(findings);
    }

    /** The decoded image: size, and DICOM modality / body part when the input said. */
    public record Study(int width, int height, String modality, String bodyPart) {
    }

    /** Which model, backend (onnxruntime, tensorrt, torch) and device served the study. */
    public record ModelProvenance(String name, String version, String sha256, String backend, String device) {
    }

    public record Timings(long decodeMs, long preprocessMs, long inferMs) {
    }

    public List<Finding> positives() {
        return findings.stream().filter(Finding::positive).toList();
    }
}
