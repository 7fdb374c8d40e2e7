package org.mededge.asr;

import java.nio.file.Path;
import java.util.List;

import org.mededge.asr.audio.AudioDecoder;
import org.mededge.asr.audio.Resampler;
import org.mededge.asr.audio.SileroVad;
import org.mededge.asr.audio.VoiceActivity;
import org.mededge.asr.audio.WindowFeed;
import org.mededge.asr.stream.StreamConfig;
import org.mededge.asr.stream.StreamingDictation;
import org.mededge.asr.text.DictationText;
import org.mededge.asr.text.SegmentGuards;
import org.mededge.asr.whisper.WhisperRecognizer;

/**
 * The speech engine the appliance holds, and the asr module's one entry point: it owns the voice
 * activity detector and the recognizer, and runs the dictation pipeline stage by stage: decode the
 * upload, resample to 16 kHz mono, find speech (Silero VAD), cut it into windows at pauses,
 * recognize each window, guard and post-process the segments. Silence never reaches the
 * recognizer, so it cannot invent words for it. Thread-safe; {@link #close()} frees both engines.
 */
public final class Dictation implements AutoCloseable {
    private final AsrConfig config;
    private final SileroVad vad;
    private final SpeechRecognizer recognizer;
    private final DictationText text;
    private final SegmentGuards guards;

    /**
     * Milliseconds per stage. vadMs (the VAD's own scoring) and asrMs (whisper's own computing) overlap
     * when the dictation spans several windows; speechMs is their wall time together, queue wait
     * included; queueMs is the wait for a free decoder state.
     */
    public record Timings(long decodeMs, long vadMs, long queueMs, long asrMs, long speechMs, long postMs) {
    }

    /** A transcript, its stage timings, and how much audio it covered. */
    public record Result(Transcript transcript, Timings timings, double audioSeconds, int windows) {
    }

    /** A pipeline over engines the caller loaded; {@link #close()} closes them. */
    public Dictation(AsrConfig config, SileroVad vad, SpeechRecognizer recognizer, DictationText text) {
        this.config = config;
        this.vad = vad;
        this.recognizer = recognizer;
        this.text = text;
        this.guards = new SegmentGuards(config, text);
    }

    /**
     * Loads the engine from its two verified models: the Silero VAD file and the Whisper model, with
     * the vocabularies of {@code config.lexiconDir()} (or the built-in ones).
     *
     * @throws AsrException ASR_MODEL_INVALID (or another load failure) with a message naming the model
     */
    public static Dictation load(AsrConfig config, Path vadModel, WhisperRecognizer.WhisperModelSpec whisper) {
        DictationText text = DictationText.load(config.lexiconDir());
        SileroVad vad = SileroVad.load(vadModel);
        try {
            return new Dictation(config, vad, WhisperRecognizer.load(whisper, config), text);
        } catch (RuntimeException | LinkageError e) {
            vad.close();
            throw e;
        }
    }

    /**
     * Checks a request before its audio is read: the language against the model's, the specialty
     * against the vocabularies, the media type against the decoders.
     *
     * @param mediaType the upload's Content-Type without parameters, lower-case
     * @throws AsrException ASR_OPTION_INVALID (400) or ASR_AUDIO_UNSUPPORTED (415)
     */
    public void check(AsrOptions options, String mediaType) {
        prompt(options);
        AudioDecoder.requireMediaType(mediaType);
    }

    private String prompt(AsrOptions options) {
        if (!recognizer.languages().contains(options.language())) {
            throw new AsrException(AsrError.ASR_OPTION_INVALID, "model " + recognizer.provenance().name()
                    + " does not support language '" + options.language() + "'; it supports "
                    + String.join(", ", recognizer.languages()));
        }
        return text.prompt(options.specialty());
    }

    /** The recognizer's model, for provenance, metrics and the audit trail. */
    public Transcript.ModelProvenance model() {
        return recognizer.provenance();
    }

    /** Decoder states in the recognizer's pool, and how many serve requests now. */
    public int states() {
        return recognizer.states();
    }

    public int statesInUse() {
        return recognizer.statesInUse();
    }

    /**
     * @param mediaType the upload's Content-Type without parameters, lower-case
     */
    public Result transcribe(byte[] upload, String mediaType, AsrOptions options) {
        String prompt = prompt(options);
        long t0 = System.nanoTime();
        AudioClip clip = Resampler.to16k(AudioDecoder.decode(upload, mediaType, config.maxDuration().toMillis()));
        long t1 = System.nanoTime();
        long maxWindowMs = Math.min(config.vad().maxWindowMs(), recognizer.maxWindowMs());
        SpeechRecognizer.Recognition rec;
        List<SpeechRegion> windows;
        VoiceActivity speech;
        long vadMs;
        // the VAD scores the audio on its own thread while the recognizer takes each window as soon as it is settled
        try (WindowFeed feed = WindowFeed.start(vad, clip.samples(), config.vad(), (int) (maxWindowMs * SpeechRegion.RATE / 1000),
                (int) (recognizer.windowBreakPauseMs() * SpeechRegion.RATE / 1000))) {
            rec = recognizer.recognize(clip.samples(), feed, options, prompt);
            windows = feed.handed();
            speech = feed.activity();
            vadMs = feed.vadMs();
        }
        long t3 = System.nanoTime();
        List<Segment> segments = guards.apply(windows, rec.windows(), speech);
        Transcript transcript = transcript(segments, clip.durationMs(), options);
        long t4 = System.nanoTime();
        Timings timings = new Timings(ms(t1 - t0), vadMs, rec.queueWaitMs(), rec.recognizeMs(), ms(t3 - t1), ms(t4 - t3));
        return new Result(transcript, timings, clip.samples().length / (double) SpeechRegion.RATE, windows.size());
    }

    /**
     * The transcript of guarded segments, as {@link #transcribe} and {@link StreamingDictation#stop} give it:
     * their texts joined ({@link #join}) and post-processed (voice commands, corrections), the language
     * (guessed from the text when "auto" was asked), the model's provenance.
     */
    public Transcript transcript(List<Segment> segments, long durationMs, AsrOptions options) {
        String joined = text.apply(join(segments, recognizer.windowBreakPauseMs()));
        String language = options.language().equals("auto") ? Languages.guess(joined) : options.language();
        return new Transcript(joined, language, durationMs, segments, recognizer.provenance());
    }

    /**
     * A live dictation on this engine, with the default stream settings: see {@link StreamingDictation}.
     *
     * @throws AsrException ASR_OPTION_INVALID for a language or specialty the engine cannot honour
     */
    public StreamingDictation stream(AsrOptions options, StreamingDictation.Listener listener) {
        return stream(options, StreamConfig.defaults(), listener);
    }

    /**
     * A live dictation on this engine: the same VAD, recognizer (and its pool of decoder states), guards
     * and post-processing as {@link #transcribe}; see {@link StreamingDictation}. Close it (or stop it)
     * before closing this engine.
     *
     * @throws AsrException ASR_OPTION_INVALID for a language or specialty the engine cannot honour
     */
    public StreamingDictation stream(AsrOptions options, StreamConfig streamConfig, StreamingDictation.Listener listener) {
        return StreamingDictation.start(this, vad, recognizer, guards, config, options, prompt(options), streamConfig, listener);
    }

    /**
     * The segments' texts, space-separated; where a model writes no punctuation and a pause of at least
     * {@code breakMs} (when > 0) lies between two segments, the first ends with a full stop ("." or, after
     * Chinese, "。"), so that numbers on either side of the pause are never read as one.
     */
    static String join(List<Segment> segments, long breakMs) {
        StringBuilder out = new StringBuilder();
        long prevEnd = 0;
        for (Segment seg : segments) {
            String t = seg.text().strip();
            if (t.isEmpty()) {
                continue;
            }
            if (!out.isEmpty()) {
                char last = out.charAt(out.length() - 1);
                if (breakMs > 0 && seg.startMs() - prevEnd >= breakMs && ".!?。！？".indexOf(last) < 0) {
                    out.append(Character.UnicodeScript.of(last) == Character.UnicodeScript.HAN ? "。" : ".");
                }
                out.append(' ');
            }
            out.append(t);
            prevEnd = seg.endMs();
        }
        return out.toString();
    }

    /** Closes the recognizer (it waits for borrowed states) and the VAD. */
    @Override
    public void close() {
        try {
            recognizer.close();
        } finally {
            vad.close();
        }
    }

    private static long ms(long nanos) {
        return Math.round(nanos / 1e6);
    }

    /** The transcript's language when "auto" was asked: whisper-jni 1.7.1 does not report the detected one. */
    static final class Languages {
        private Languages() {
        }

        /** "zh" when Han characters outnumber Latin letters, "en" when Latin letters do, "und" for no text. */
        static String guess(String text) {
            int han = 0;
            int latin = 0;
            for (int i = 0; i < text.length(); ) {
                int cp = text.codePointAt(i);
                Character.UnicodeScript s = Character.UnicodeScript.of(cp);
                if (s == Character.UnicodeScript.HAN) {
                    han++;
                } else if (s == Character.UnicodeScript.LATIN) {
                    latin++;
                }
                i += Character.charCount(cp);
            }
            if (han == 0 && latin == 0) {
                return "und";
            }
            return han * 3 >= latin ? "zh" : "en";
        }
    }
}
