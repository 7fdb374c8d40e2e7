package org.mededge.fusion;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;

import org.mededge.vision.ImagingFindings;

/**
 * An imaging study attached to a report: what the DICOM header said of it (when it was DICOM) and
 * the model that read it. Its positive findings are the report's {@link ImagingFinding}s that name it.
 *
 * @param id               the study's name in the report ("study-1", in attachment order)
 * @param studyInstanceUid DICOM Study Instance UID, or null for PNG and JPEG
 * @param measurements     what the model measured in it (the cardiothoracic ratio)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record StudyRef(String id, String modality, String bodyPart, String studyInstanceUid, int width, int height,
                       String model, String modelVersion, String modelTier, boolean clinical, List<Measurement> measurements) {

    /**
     * A number the imaging model measured: UCUM unit; {@code system} and {@code code} where a
     * standard code is known, else null (the name then stands alone).
     */
    public record Measurement(String name, double value, String unit, String system, String code) {
    }

    public StudyRef {
        measurements = measurements == null ? List.of() : List.copyOf(measurements);
    }

    /** A study in which nothing was measured. */
    public StudyRef(String id, String modality, String bodyPart, String studyInstanceUid, int width, int height,
                    String model, String modelVersion, String modelTier, boolean clinical) {
        this(id, modality, bodyPart, studyInstanceUid, width, height, model, modelVersion, modelTier, clinical, List.of());
    }

    public static StudyRef of(String id, ImagingFindings f) {
        ImagingFindings.Study s = f.study();
        ImagingFindings.ModelProvenance p = f.model();
        List<Measurement> m = f.measurements().stream()
                .map(x -> new Measurement(x.name(), Math.round(x.value() * 1000) / 1000.0, x.unit(), x.system(), x.code())).toList();
        return new StudyRef(id, s.modality(), s.bodyPart(), s.studyInstanceUid(), s.width(), s.height(), p.name(), p.version(),
                p.tier(), p.clinical(), m);
    }
}
