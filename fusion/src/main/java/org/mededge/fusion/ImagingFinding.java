package org.mededge.fusion;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

import org.mededge.vision.Finding;
import org.mededge.vision.ImagingFindings;

/**
 * A positive finding of an imaging model, as a report carries it beside the note's values.
 *
 * @param label       the model's label ("Cardiomegaly", "Pneumothorax")
 * @param radlexId    RadLex RID where the model's catalog gives one, else null
 * @param probability the model's probability, 0 to 1
 * @param model       the model's name and version
 * @param clinical    true only for a model declared clinical in its model.yaml
 * @param study       the study it came from ({@link StudyRef#id()}), or null
 * @param critical    its model declares the label critical (model.yaml): a red flag
 * @param laterality  "left" or "right", the patient's side, when the model's label names one; else null
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(value = {"marking"}, allowGetters = true) // written for readers, derived again when read back
public record ImagingFinding(String label, String radlexId, double probability, String model, String modelVersion,
                             String modelTier, boolean clinical, String study, boolean critical, String laterality) {
    /** A finding of a label that names no side. */
    public ImagingFinding(String label, String radlexId, double probability, String model, String modelVersion,
                          String modelTier, boolean clinical, String study, boolean critical) {
        this(label, radlexId, probability, model, modelVersion, modelTier, clinical, study, critical, null);
    }

    /** A finding whose label its model does not declare critical. */
    public ImagingFinding(String label, String radlexId, double probability, String model, String modelVersion,
                          String modelTier, boolean clinical, String study) {
        this(label, radlexId, probability, model, modelVersion, modelTier, clinical, study, false, null);
    }

    /** The words every view shows beside a finding from a model not declared clinical (JSON, HTML, FHIR, the page). */
    public static final String NOT_CLINICAL_EN = "demonstration model, not a clinical finding";
    public static final String NOT_CLINICAL_ZH = "演示模型，非临床发现";

    /** Null for a clinical model's finding; else {@link #NOT_CLINICAL_EN}. */
    @JsonProperty("marking")
    public String marking() {
        return clinical ? null : NOT_CLINICAL_EN;
    }

    /** The positive findings of one study. */
    public static List<ImagingFinding> of(ImagingFindings f, String study) {
        List<ImagingFinding> out = new ArrayList<>();
        ImagingFindings.ModelProvenance p = f.model();
        for (Finding x : f.positives()) {
            out.add(new ImagingFinding(x.label(), x.radlexId(), Math.round(x.probability() * 1000) / 1000.0, p.name(), p.version(),
                    p.tier(), p.clinical(), study, x.critical(), x.laterality()));
        }
        return out;
    }
}
