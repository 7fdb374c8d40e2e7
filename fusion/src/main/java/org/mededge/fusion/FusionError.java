package org.mededge.fusion;

/** Stable fusion error codes; {@link #status()} is the HTTP status the appliance answers with. */
public enum FusionError {
    FUSION_EMPTY_TEXT(422),
    FUSION_TEXT_TOO_LONG(413),
    FUSION_INVALID_INPUT(422),
    FUSION_FHIR_INVALID(500);

    private final int status;

    FusionError(int status) {
        this.status = status;
    }

    public int status() {
        return status;
    }
}
