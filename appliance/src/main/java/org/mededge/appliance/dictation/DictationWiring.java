package org.mededge.appliance.dictation;

import java.util.function.Supplier;
import java.util.logging.Logger;

import org.mededge.appliance.ApplianceConfig;
import org.mededge.appliance.engines.EngineSlot;
import org.mededge.appliance.models.InstalledModel;
import org.mededge.appliance.models.ModelRegistry;
import org.mededge.asr.AsrConfig;
import org.mededge.asr.Dictation;
import org.mededge.asr.audio.FfmpegDecoder;
import org.mededge.asr.whisper.WhisperRecognizer;

/**
 * How the appliance loads its one speech engine, {@link Dictation}, from two verified models: the
 * "asr" engine's Whisper model and the "vad" engine's Silero model (the vad slot itself only checks
 * that its model is installed and verified, so readiness still names it).
 */
public final class DictationWiring {
    private static final Logger LOG = Logger.getLogger(DictationWiring.class.getName());

    private DictationWiring() {
    }

    /**
     * @param vad      the configured vad engine (its model name and version)
     * @param registry the installed models, known once the start-up scan has run
     */
    public static EngineSlot.Loader<Dictation> loader(AsrConfig config, ApplianceConfig.EngineBinding vad,
                                                     Supplier<ModelRegistry> registry) {
        return m -> {
            if (!vad.enabled()) {
                throw new IllegalStateException("dictation needs the vad engine, which is disabled in configuration");
            }
            ModelRegistry.Resolution r = registry.get().resolve(vad.model(), vad.version());
            InstalledModel v = r.model().orElseThrow(() -> new IllegalStateException("its VAD " + r.detail()));
            String ffmpeg = FfmpegDecoder.load();
            if (ffmpeg != null) {
                LOG.warning(() -> "compressed dictation audio (WebM, Ogg, MP4, MP3) is unavailable: " + ffmpeg + "; WAV still works");
            }
            return Dictation.load(config, v.file(v.files().get(0).path()), whisperSpec(m));
        };
    }

    private static WhisperRecognizer.WhisperModelSpec whisperSpec(InstalledModel m) {
        try {
            return WhisperRecognizer.WhisperModelSpec.from(m.name(), m.version(), m.mainSha256(),
                    m.file(m.files().get(0).path()), m.spec());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(m.name() + " model.yaml: " + e.getMessage(), e);
        }
    }
}
