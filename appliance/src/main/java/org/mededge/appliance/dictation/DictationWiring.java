package org.mededge.appliance.dictation;

import java.util.Map;
import java.util.logging.Logger;

import org.mededge.appliance.engines.EngineSlot;
import org.mededge.appliance.models.InstalledModel;
import org.mededge.asr.AsrConfig;
import org.mededge.asr.audio.FfmpegDecoder;
import org.mededge.asr.audio.SileroVad;
import org.mededge.asr.whisper.WhisperRecognizer;

/** How the appliance loads the "vad" and "asr" engines from their verified models. */
public final class DictationWiring {
    private static final Logger LOG = Logger.getLogger(DictationWiring.class.getName());

    private DictationWiring() {
    }

    /** Adds the vad (Silero, ONNX Runtime) and asr (whisper.cpp) loaders. */
    public static void engineLoaders(Map<String, EngineSlot.Loader<? extends AutoCloseable>> loaders, AsrConfig config) {
        loaders.put("vad", m -> SileroVad.load(m.file(m.files().get(0).path())));
        loaders.put("asr", m -> loadWhisper(m, config));
    }

    private static WhisperRecognizer loadWhisper(InstalledModel m, AsrConfig config) {
        String ffmpeg = FfmpegDecoder.load();
        if (ffmpeg != null) {
            LOG.warning(() -> "compressed dictation audio (WebM, Ogg, MP4, MP3) is unavailable: " + ffmpeg + "; WAV still works");
        }
        WhisperRecognizer.WhisperModelSpec spec;
        try {
            spec = WhisperRecognizer.WhisperModelSpec.from(m.name(), m.version(), m.mainSha256(),
                    m.file(m.files().get(0).path()), m.spec());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(m.name() + " model.yaml: " + e.getMessage(), e);
        }
        return WhisperRecognizer.load(spec, config);
    }
}
