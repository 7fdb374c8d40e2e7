package org.mededge.fusion;

/**
 * Stage names and outcomes fusion's callers time under the appliance's stage histogram
 * (labels stage, model, outcome; never patient data).
 */
public final class FusionMetrics {
    private FusionMetrics() {
    }

    /** Text → structured report (extraction, safety gate, assessment). */
    public static final String STAGE_NOTE = "fusion_note";
    /** The language model's assessment inside a note (model label: the LLM's name). */
    public static final String STAGE_ASSESSMENT = "fusion_assessment";
    /** Radiology wording normalization. */
    public static final String STAGE_RADIOLOGY = "fusion_radiology_normalize";
    /** Building the FHIR bundle. */
    public static final String STAGE_FHIR_BUILD = "fusion_fhir_build";
    /** Validating a FHIR bundle offline (only when configured on the request path, and at warm-up). */
    public static final String STAGE_FHIR_VALIDATE = "fusion_fhir_validate";

    public static final String OUTCOME_OK = "ok";
    public static final String OUTCOME_REJECTED = "rejected";
    public static final String OUTCOME_NO_MODEL = "no_model";
    public static final String OUTCOME_REFUSED = "refused";
    public static final String OUTCOME_INVALID = "invalid";
}
