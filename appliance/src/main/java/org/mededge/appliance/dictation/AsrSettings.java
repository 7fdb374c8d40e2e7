package org.mededge.appliance.dictation;

import java.nio.file.Path;
import java.time.Duration;

import io.helidon.config.Config;

import org.mededge.asr.AsrConfig;

/**
 * The {@code mededge.asr} section of the configuration as the asr module's typed config record.
 * Every key has its default in application.yaml; environment variables override as everywhere
 * (MEDEDGE_ASR_STATES, ...).
 */
public final class AsrSettings {
    private AsrSettings() {
    }

    /** From a {@code mededge.asr} node; invalid values fail here, at start-up, with the key named. */
    public static AsrConfig from(Config c) {
        AsrConfig d = AsrConfig.defaults();
        int states = c.get("states").asInt().orElse(d.states());
        int threads = c.get("threads-per-state").asInt().orElse(0);
        if (threads <= 0) {
            threads = Math.max(1, Runtime.getRuntime().availableProcessors() / states);
        }
        Config v = c.get("vad");
        AsrConfig.Vad vad = new AsrConfig.Vad(
                v.get("threshold").asDouble().orElse(d.vad().threshold()),
                v.get("min-speech-ms").asInt().orElse(d.vad().minSpeechMs()),
                v.get("min-silence-ms").asInt().orElse(d.vad().minSilenceMs()),
                v.get("speech-pad-ms").asInt().orElse(d.vad().speechPadMs()),
                (int) Math.round(v.get("max-window-seconds").asDouble().orElse(d.vad().maxWindowMs() / 1000.0) * 1000));
        String lexicon = c.get("lexicon-dir").asString().orElse("");
        return new AsrConfig(
                Duration.ofSeconds(c.get("max-duration-seconds").asLong().orElse(d.maxDuration().toSeconds())),
                states,
                c.get("max-queued").asInt().orElse(d.maxQueued()),
                Duration.ofMillis(Math.round(c.get("max-queue-wait-seconds").asDouble()
                        .orElse(d.maxQueueWait().toMillis() / 1000.0) * 1000)),
                threads,
                c.get("language").asString().orElse(d.language()),
                c.get("specialty").asString().orElse(d.specialty()),
                c.get("beam-size").asInt().orElse(d.beamSize()),
                c.get("temperature-fallback").asBoolean().orElse(d.temperatureFallback()),
                c.get("whisper-logprob-threshold").asDouble().orElse(d.logProbThreshold()),
                c.get("whisper-no-speech-threshold").asDouble().orElse(d.noSpeechThreshold()),
                c.get("low-confidence-no-speech").asDouble().orElse(d.lowConfidenceNoSpeech()),
                c.get("low-confidence-logprob").asDouble().orElse(d.lowConfidenceLogProb()),
                c.get("drop-no-speech").asDouble().orElse(d.dropNoSpeech()),
                c.get("max-repeats").asInt().orElse(d.maxRepeats()),
                lexicon.isBlank() ? null : Path.of(lexicon),
                vad);
    }
}
