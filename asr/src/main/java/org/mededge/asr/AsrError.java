package org.mededge.asr;

/** Stable ASR error codes; {@link #status()} is the HTTP status the appliance answers with. */
public enum AsrError {
    ASR_AUDIO_EMPTY(422),
    ASR_AUDIO_UNREADABLE(422),
    ASR_AUDIO_TRUNCATED(422),
    ASR_AUDIO_UNSUPPORTED(415),
    ASR_AUDIO_TOO_LONG(413),
    /** a per-request option (language, specialty, beam size) that this model or server cannot honour */
    ASR_OPTION_INVALID(422),
    ASR_MODEL_INVALID(503),
    ASR_BUSY(503),
    ASR_FAILED(500);

    private final int status;

    AsrError(int status) {
        this.status = status;
    }

    public int status() {
        return status;
    }
}
