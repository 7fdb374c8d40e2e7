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
    /**
     * a live dictation's client sent audio faster than it is recognized, beyond the stream's backlog
     * bound: 429, because the remedy is the client's (send at real-time pace, resend the refused chunk
     * after a pause) and the stream stays open; a microphone sending in real time meets it only when the
     * server cannot keep up, and then slowing down is the remedy too
     */
    ASR_STREAM_OVERRUN(429),
    ASR_FAILED(500);

    private final int status;

    AsrError(int status) {
        this.status = status;
    }

    public int status() {
        return status;
    }
}
