package org.mededge.fusion;

/** Stable fusion error codes; {@link #status()} is the HTTP status the appliance answers with. */
public enum FusionError {
    /** the text is empty or only whitespace */
    FUSION_EMPTY_TEXT(422),
    /** the text is longer than mededge.fusion.max-text-bytes */
    FUSION_TEXT_TOO_LONG(413),
    /** the language is neither Chinese nor English */
    FUSION_UNSUPPORTED_LANGUAGE(422),
    /** the specialty is not one of respiratory, cardiology, radiology, general */
    FUSION_UNKNOWN_SPECIALTY(422),
    /** another input problem (control characters, an empty study, ...) */
    FUSION_INVALID_INPUT(422),
    /** an emitted FHIR bundle failed validation: a defect of this appliance, not of the input */
    FUSION_FHIR_INVALID(500);

    private final int status;

    FusionError(int status) {
        this.status = status;
    }

    public int status() {
        return status;
    }
}
