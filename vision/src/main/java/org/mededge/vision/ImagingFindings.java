package org.mededge.vision;

import java.util.List;

/**
 * What the imaging model found in one study, with provenance and timings.
 *
 * @param measurements what the model measured (the cardiothoracic ratio), within the ranges its model.yaml declares
 */
public record ImagingFindings(Study study, List<Finding> findings, List<Measured> measurements, ModelProvenance model,
                              Timings timings) {
    public ImagingFindings {
        findings = List.copyOf(findings);
        measurements = measurements == null ? List.of() : List.copyOf(measurements);
    }

    /** Findings without measurements. */
    public ImagingFindings(Study study, List<Finding> findings, ModelProvenance model, Timings timings) {
        this(study, findings, List.of(), model, timings);
    }

    /** A measured value: UCUM unit, and its code where a standard one is known (system and code, else null). */
    public record Measured(String name, double value, String unit, String system, String code) {
    }

    /** The decoded image: size, and DICOM modality / body part when the input said. */
    public record Study(int width, int height, String modality, String bodyPart, String studyInstanceUid) {
        /** A study without a DICOM Study Instance UID (PNG, JPEG). */
        public Study(int width, int height, String modality, String bodyPart) {
            this(width, height, modality, bodyPart, null);
        }
    }

    /**
     * Which model, backend (onnxruntime, tensorrt, torch) and device served the study.
     *
     * @param tier     production, demo or test (from the catalog)
     * @param clinical true only for a model declared clinical in its model.yaml; the findings of any
     *                 other model are not findings about a patient and must not be reported as such
     */
    public record ModelProvenance(String name, String version, String sha256, String backend, String device,
                                  String tier, boolean clinical) {
        /** Provenance of a model not declared clinical. */
        public ModelProvenance(String name, String version, String sha256, String backend, String device) {
            this(name, version, sha256, backend, device, "unknown", false);
        }
    }

    public record Timings(long decodeMs, long preprocessMs, long inferMs) {
    }

    public List<Finding> positives() {
        return findings.stream().filter(Finding::positive).toList();
    }

    /** True when the model is declared clinical (see {@link ModelProvenance#clinical()}). */
    public boolean clinical() {
        return model.clinical();
    }
}
