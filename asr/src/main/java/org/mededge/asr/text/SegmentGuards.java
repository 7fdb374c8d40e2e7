package org.mededge.asr.text;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.mededge.asr.AsrConfig;
import org.mededge.asr.Segment;
import org.mededge.asr.SpeechRecognizer.RawSegment;
import org.mededge.asr.SpeechRegion;
import org.mededge.asr.audio.VoiceActivity;

/**
 * Guards against Whisper's known failures, applied to every recognized segment: moves it to the
 * original audio's time line, scores how much of it is speech, drops it when it lies outside speech
 * or is a non-speech annotation or a repeat of the previous segment, collapses looping n-grams, and
 * marks it low-confidence past the configured thresholds or when it holds more words than its audio can.
 *
 * <p>No-speech probability: whisper-jni 1.7.1 does not expose whisper.cpp's own no-speech or token
 * probabilities, so it is 1 minus the mean Silero speech probability over the segment's span, and
 * the average log-probability is unknown (NaN).
 */
public final class SegmentGuards {
    private final AsrConfig config;
    private final DictationText text;

    public SegmentGuards(AsrConfig config, DictationText text) {
        this.config = config;
        this.text = text;
    }

    public List<Segment> apply(List<SpeechRegion> windows, List<List<RawSegment>> recognized, VoiceActivity vad) {
        List<Segment> out = new ArrayList<>();
        String previous = null;
        for (int w = 0; w < windows.size(); w++) {
            SpeechRegion win = windows.get(w);
            for (RawSegment raw : recognized.get(w)) {
                long start = Math.min(win.startMs() + raw.startMs(), win.endMs());
                long end = Math.max(start, Math.min(win.startMs() + raw.endMs(), win.endMs()));
                String t = stripAnnotations(raw.text());
                if (t.isBlank()) {
                    continue;
                }
                double noSpeech = 1 - vad.meanProbability((int) (start * SpeechRegion.RATE / 1000),
                        (int) (end * SpeechRegion.RATE / 1000));
                if (noSpeech > config.dropNoSpeech()) {
                    continue;
                }
                t = text.apply(Repeats.collapse(t, config.maxRepeats()));
                String key = t.toLowerCase(Locale.ROOT).replaceAll("[\\p{P}\\s]", "");
                if (key.isEmpty() || key.equals(previous)) {
                    continue;
                }
                previous = key;
                double avgLogProb = Double.NaN;
                boolean low = noSpeech > config.lowConfidenceNoSpeech()
                        || (!Double.isNaN(avgLogProb) && avgLogProb < config.lowConfidenceLogProb())
                        || fasterThanSpeech(t, end - start);
                out.add(new Segment(start, end, t, avgLogProb, noSpeech, low));
            }
        }
        return out;
    }

    /**
     * More text than the audio can hold: over 6 English words or 9 Mandarin characters a second (a brisk
     * dictation is about 3 and 5), counted over at least 1 s. A decoder that loops or runs on past the
     * speech writes that ("… today temp thirty nine point one point nine today temp …" for 10 s of audio);
     * its values must be checked against the recording, so the segment is marked low-confidence.
     */
    static boolean fasterThanSpeech(String text, long durationMs) {
        int han = 0;
        int words = 0;
        boolean inWord = false;
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            i += Character.charCount(cp);
            if (Character.UnicodeScript.of(cp) == Character.UnicodeScript.HAN) {
                han++;
                inWord = false;
            } else if (Character.isLetterOrDigit(cp)) {
                if (!inWord) {
                    words++;
                }
                inWord = true;
            } else if (Character.isWhitespace(cp)) {
                inWord = false;
            }
        }
        return words / 6.0 + han / 9.0 > Math.max(1000, durationMs) / 1000.0;
    }

    /** Whisper's non-speech annotations: "[BLANK_AUDIO]", "[Music]", and a segment that is only "(coughs)" or "*laughs*". */
    static String stripAnnotations(String s) {
        String t = s.replaceAll("\\[[^\\]]*\\]", " ").strip();
        if (t.matches("^(\\([^)]*\\)|\\*[^*]*\\*|♪+|[\\s\\p{P}])*$")) {
            return "";
        }
        return t;
    }
}
