package org.mededge.vision;

/** Stable imaging error codes; {@link #status()} is the HTTP status the appliance answers with. */
public enum VisionError {
    VISION_IMAGE_EMPTY(422),
    VISION_IMAGE_UNREADABLE(422),
    VISION_IMAGE_TRUNCATED(422),
    VISION_IMAGE_TOO_LARGE(413),
    VISION_UNSUPPORTED_FORMAT(415),
    VISION_UNSUPPORTED_TRANSFER_SYNTAX(415),
    /** the model's input gate scored the image as not what the model reads (a photo, a digit, a blank) */
    VISION_NOT_A_CHEST_RADIOGRAPH(422),
    /** a heatmap was asked for a label the model does not have */
    VISION_UNKNOWN_LABEL(422),
    /** every imaging slot is in use and none freed up in time */
    VISION_BUSY(503),
    VISION_MODEL_INVALID(503),
    VISION_BACKEND_UNAVAILABLE(503),
    VISION_FAILED(500);

    private final int status;

    VisionError(int status) {
        this.status = status;
    }

    public int status() {
        return status;
    }
}
