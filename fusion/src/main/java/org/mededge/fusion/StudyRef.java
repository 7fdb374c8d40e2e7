package org.mededge.fusion;

import com.fasterxml.jackson.annotation.JsonInclude;

import org.mededge.vision.ImagingFindings;

/**
 * An imaging study attached to a report: what the DICOM header said of it (when it was DICOM) and
 * the model that read it. Its positive findings are the report's {@link ImagingFinding}s that name it.
 *
 * @param id               the study's name in the report ("study-1", in attachment order)
 * @param studyInstanceUid DICOM Study Instance UID, or null for PNG and JPEG
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record StudyRef(String id, String modality, String bodyPart, String studyInstanceUid, int width, int height,
                       String model, String modelVersion, String modelTier, boolean clinical) {

    public static StudyRef of(String id, ImagingFindings f) {
        ImagingFindings.Study s = f.study();
        ImagingFindings.ModelProvenance p = f.model();
        return new StudyRef(id, s.modality(), s.bodyPart(), s.studyInstanceUid(), s.width(), s.height(), p.name(), p.version(),
                p.tier(), p.clinical());
    }
}
