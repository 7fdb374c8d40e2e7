package org.mededge.asr;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;

/**
 * The ASR module's configuration, validated here. The appliance builds it once from the
 * {@code mededge.asr} section of application.yaml.
 *
 * @param maxDuration          longest audio accepted (longer: 413)
 * @param states               whisper decoder states in the pool: requests recognized at once
 * @param maxQueued            requests allowed to wait for a state; beyond it 503
 * @param maxQueueWait         longest a request waits for a state before 503
 * @param threadsPerState      CPU threads each whisper state uses
 * @param language             default language: auto, zh or en
 * @param specialty            default vocabulary (initial prompt) when a request names none
 * @param beamSize             1 = greedy; more = beam search
 * @param temperatureFallback  whisper.cpp re-decodes at higher temperature when a window decodes badly
 * @param logProbThreshold     whisper.cpp's fallback threshold on average log-probability
 * @param noSpeechThreshold    whisper.cpp's own no-speech threshold
 * @param lowConfidenceNoSpeech a segment whose no-speech probability exceeds this is marked lowConfidence
 * @param lowConfidenceLogProb  a segment whose average log-probability (when known) is below this is marked lowConfidence
 * @param dropNoSpeech         a segment whose no-speech probability exceeds this is dropped (outside speech)
 * @param maxRepeats           an n-gram repeated more often than this in a row is collapsed to one
 * @param lexiconDir           optional directory overriding the built-in vocabularies and corrections
 * @param vad                  voice-activity settings
 */
public record AsrConfig(
        Duration maxDuration,
        int states,
        int maxQueued,
        Duration maxQueueWait,
        int threadsPerState,
        String language,
        String specialty,
        int beamSize,
        boolean temperatureFallback,
        double logProbThreshold,
        double noSpeechThreshold,
        double lowConfidenceNoSpeech,
        double lowConfidenceLogProb,
        double dropNoSpeech,
        int maxRepeats,
        Path lexiconDir,
        Vad vad) {

    public static final Set<String> LANGUAGES = Set.of("auto", "zh", "en");

    /**
     * Silero VAD settings (the reference get_speech_timestamps parameters).
     *
     * @param threshold     speech probability that starts speech; it ends below threshold - 0.15
     * @param minSpeechMs   shorter bursts are ignored
     * @param minSilenceMs  shorter pauses do not end speech
     * @param speechPadMs   padding added around each speech region
     * @param maxWindowMs   longest recognition window (30 s for Whisper; a model.yaml may lower it)
     */
    public record Vad(double threshold, int minSpeechMs, int minSilenceMs, int speechPadMs, int maxWindowMs) {
        public Vad {
            if (!(threshold > 0.15 && threshold < 1)) {
                throw new IllegalArgumentException("mededge.asr.vad.threshold must be in (0.15, 1), was " + threshold);
            }
            if (minSpeechMs < 0 || minSilenceMs < 0 || speechPadMs < 0) {
                throw new IllegalArgumentException("mededge.asr.vad durations must not be negative");
            }
            if (maxWindowMs < 1000 || maxWindowMs > 30_000) {
                throw new IllegalArgumentException("mededge.asr.vad.max-window-ms must be 1000..30000, was " + maxWindowMs);
            }
        }

        public static Vad defaults() {
            return new Vad(0.5, 250, 100, 30, 30_000);
        }
    }

    public AsrConfig {
        if (maxDuration == null || maxDuration.isNegative() || maxDuration.isZero() || maxDuration.toMinutes() > 180) {
            throw new IllegalArgumentException("mededge.asr.max-duration-seconds must be 1..10800, was " + maxDuration);
        }
        if (states < 1 || states > 64) {
            throw new IllegalArgumentException("mededge.asr.states must be 1..64, was " + states);
        }
        if (maxQueued < 0) {
            throw new IllegalArgumentException("mededge.asr.max-queued must be >= 0, was " + maxQueued);
        }
        if (maxQueueWait == null || maxQueueWait.isNegative()) {
            throw new IllegalArgumentException("mededge.asr.max-queue-wait-seconds must be >= 0");
        }
        if (threadsPerState < 1 || threadsPerState > 256) {
            throw new IllegalArgumentException("mededge.asr.threads-per-state must be 1..256, was " + threadsPerState);
        }
        language = language == null ? "auto" : language.trim().toLowerCase(Locale.ROOT);
        if (!LANGUAGES.contains(language)) {
            throw new IllegalArgumentException("mededge.asr.language must be one of auto, zh, en; was " + language);
        }
        specialty = specialty == null || specialty.isBlank() ? "general" : specialty.trim().toLowerCase(Locale.ROOT);
        if (beamSize < 1 || beamSize > 16) {
            throw new IllegalArgumentException("mededge.asr.beam-size must be 1..16, was " + beamSize);
        }
        for (double p : new double[] {noSpeechThreshold, lowConfidenceNoSpeech, dropNoSpeech}) {
            if (!(p >= 0 && p <= 1)) {
                throw new IllegalArgumentException("mededge.asr no-speech thresholds must be in [0, 1]");
            }
        }
        if (lowConfidenceNoSpeech > dropNoSpeech) {
            throw new IllegalArgumentException("mededge.asr.low-confidence-no-speech must not exceed drop-no-speech");
        }
        if (!(logProbThreshold <= 0) || !(lowConfidenceLogProb <= 0)) {
            throw new IllegalArgumentException("mededge.asr log-probability thresholds must be <= 0");
        }
        if (maxRepeats < 1) {
            throw new IllegalArgumentException("mededge.asr.max-repeats must be >= 1");
        }
        if (vad == null) {
            throw new IllegalArgumentException("mededge.asr.vad is required");
        }
    }

    /** The defaults application.yaml ships with. */
    public static AsrConfig defaults() {
        return new AsrConfig(Duration.ofMinutes(10), 2, 4, Duration.ofSeconds(30),
                Math.max(1, Runtime.getRuntime().availableProcessors() / 2), "auto", "general", 1, true,
                -1.0, 0.6, 0.5, -1.0, 0.8, 2, null, Vad.defaults());
    }

    /** A copy with another pool size and queue (tests, benchmarks). */
    public AsrConfig withPool(int states, int maxQueued, Duration maxQueueWait) {
        return new AsrConfig(maxDuration, states, maxQueued, maxQueueWait, threadsPerState, language, specialty, beamSize,
                temperatureFallback, logProbThreshold, noSpeechThreshold, lowConfidenceNoSpeech, lowConfidenceLogProb,
                dropNoSpeech, maxRepeats, lexiconDir, vad);
    }

    /** A copy with another maximum duration. */
    public AsrConfig withMaxDuration(Duration max) {
        return new AsrConfig(max, states, maxQueued, maxQueueWait, threadsPerState, language, specialty, beamSize,
                temperatureFallback, logProbThreshold, noSpeechThreshold, lowConfidenceNoSpeech, lowConfidenceLogProb,
                dropNoSpeech, maxRepeats, lexiconDir, vad);
    }
}
