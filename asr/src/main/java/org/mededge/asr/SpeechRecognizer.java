package org.mededge.asr;

import java.util.Iterator;
import java.util.List;

/** The speech engine: recognizes one window of 16 kHz mono audio. Implementations are thread-safe. */
public interface SpeechRecognizer extends AutoCloseable {

    /** One segment as the engine heard it, times relative to the window's first sample. */
    record RawSegment(long startMs, long endMs, String text) {
    }

    /**
     * What the engine heard in each window, in order; how long it waited for a free decoder state;
     * and how long the engine itself computed (not counting waits for the next window).
     */
    record Recognition(List<List<RawSegment>> windows, long queueWaitMs, long recognizeMs) {
    }

    /**
     * Recognizes each window of {@code audio} (16 kHz mono) with one decoder state, waiting at most
     * the configured queue time for one to be free. The windows may still be arriving: the iterator
     * may block until the next one is known; when it has none at all, no state is taken.
     *
     * @param prompt initial prompt (the specialty's vocabulary) that biases the decoder; may be empty
     *
     * @throws AsrException ASR_BUSY when no state is free in time, ASR_OPTION_INVALID for an option
     *                      the model cannot honour, ASR_FAILED when the engine fails
     */
    Recognition recognize(float[] audio, Iterator<SpeechRegion> windows, AsrOptions options, String prompt);

    /** Longest window this model takes, in milliseconds (30 s, or less from the model's audioCtx). */
    long maxWindowMs();

    /** A pause at least this long ends a window, in milliseconds (0: windows are packed up to maxWindowMs). */
    default long windowBreakPauseMs() {
        return 0;
    }

    /** Decoder states in the engine's pool: requests recognized at once. */
    default int states() {
        return 1;
    }

    /** Decoder states serving requests now. */
    default int statesInUse() {
        return 0;
    }

    /** The model behind it, for provenance. */
    Transcript.ModelProvenance provenance();

    /** The model's languages: "auto" plus ISO 639-1 codes. */
    List<String> languages();

    @Override
    void close();
}
