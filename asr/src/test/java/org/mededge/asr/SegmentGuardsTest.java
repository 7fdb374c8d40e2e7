package org.mededge.asr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;

import org.mededge.asr.SpeechRecognizer.RawSegment;
import org.mededge.asr.audio.VoiceActivity;
import org.mededge.asr.text.DictationText;
import org.mededge.asr.text.SegmentGuards;

/**
 * The guards on what the recognizer returns, on a speech map with speech from 1 s to 4 s and from
 * 10 s to 12 s of a 20 s recording (probability 0.95 in speech, 0.02 outside).
 */
class SegmentGuardsTest {
    private final SegmentGuards guards = new SegmentGuards(AsrConfig.defaults(), DictationText.load(null));

    private static VoiceActivity speechMap() {
        float[] probs = new float[20 * 16000 / 512];
        Arrays.fill(probs, 0.02f);
        for (int f = 0; f < probs.length; f++) {
            double t = f * 512 / 16000.0;
            if ((t >= 1 && t < 4) || (t >= 10 && t < 12)) {
                probs[f] = 0.95f;
            }
        }
        return VoiceActivity.of(probs, 20 * 16000, AsrConfig.Vad.defaults());
    }

    @Test
    void timesMoveToTheOriginalTimeLine() {
        List<SpeechRegion> windows = List.of(new SpeechRegion(16000, 4 * 16000), new SpeechRegion(10 * 16000, 12 * 16000));
        List<Segment> out = guards.apply(windows, List.of(
                List.of(new RawSegment(0, 1500, " chest pain period"), new RawSegment(1500, 3000, " troponin elevated")),
                List.of(new RawSegment(200, 1900, "二维把反流句号"))), speechMap());
        assertEquals(3, out.size(), out.toString());
        assertEquals(1000, out.get(0).startMs());
        assertEquals(2500, out.get(0).endMs());
        assertEquals("Chest pain.", out.get(0).text());
        assertEquals(10_200, out.get(2).startMs());
        assertEquals("二尖瓣反流。", out.get(2).text(), "corrections and voice commands apply per segment");
        for (Segment s : out) {
            assertTrue(s.noSpeechProb() < 0.1, s.toString());
            assertFalse(s.lowConfidence(), s.toString());
            assertTrue(Double.isNaN(s.avgLogProb()), "whisper-jni 1.7.1 reports no log-probabilities");
        }
    }

    @Test
    void moreWordsThanTheAudioCanHoldIsLowConfidence() {
        // a looping decoder (seen on a 10 s held-out dictation with the demo model): 3 s of speech cannot hold 40 words
        String loop = "troponin i one point five five today temp thirty nine point one point nine today temp community"
                + " three point nine today temp community one point nine today temp community two point nine today"
                + " troponin today on arrival";
        String fine = "troponin i two point three one nanograms per milliliter";
        List<SpeechRegion> windows = List.of(new SpeechRegion(16000, 4 * 16000), new SpeechRegion(10 * 16000, 12 * 16000));
        List<Segment> loops = guards.apply(windows, List.of(List.of(new RawSegment(0, 3000, loop)),
                List.of(new RawSegment(0, 2000, "今日查血钠一百五十二今日查血钠一百四十二今日查血钠一百三十二"))), speechMap());
        assertEquals(2, loops.size(), loops.toString());
        assertTrue(loops.get(0).lowConfidence() && loops.get(1).lowConfidence(), loops.toString());
        assertEquals(loop, loops.get(0).text().toLowerCase(java.util.Locale.ROOT), "kept whole, only marked");
        List<Segment> ok = guards.apply(windows, List.of(List.of(new RawSegment(0, 3000, fine)),
                List.of(new RawSegment(0, 2000, "今日查血钠一百五十二"))), speechMap());
        assertEquals(2, ok.size(), ok.toString());
        assertFalse(ok.get(0).lowConfidence() || ok.get(1).lowConfidence(), ok.toString());
    }

    @Test
    void segmentsInSilenceAreDroppedAndHalfSpeechIsLowConfidence() {
        // one window from 0 to 14 s spanning speech, a long pause, and speech
        List<SpeechRegion> windows = List.of(new SpeechRegion(0, 14 * 16000));
        List<Segment> out = guards.apply(windows, List.of(List.of(
                new RawSegment(1000, 4000, "real words"),
                new RawSegment(5000, 9000, "Thank you for watching."),   // the classic hallucination, in the pause
                new RawSegment(8500, 11_500, "half in the pause"),       // 1.5 s of 3 s in speech
                new RawSegment(11_000, 12_000, "[BLANK_AUDIO]"))), speechMap());
        assertEquals(List.of("Real words", "Half in the pause"), out.stream().map(Segment::text).toList());
        Segment half = out.get(1);
        assertTrue(half.noSpeechProb() > 0.4 && half.noSpeechProb() < 0.6, half.toString());
        assertTrue(half.lowConfidence());
    }

    @Test
    void loopsAndRepeatedSegmentsCollapse() {
        List<SpeechRegion> windows = List.of(new SpeechRegion(16000, 4 * 16000));
        List<Segment> out = guards.apply(windows, List.of(List.of(
                new RawSegment(0, 1000, "no fever no fever no fever no fever"),
                new RawSegment(1000, 2000, "No fever."),
                new RawSegment(2000, 3000, "(coughs)"))), speechMap());
        assertEquals(1, out.size(), out.toString());
        assertEquals("No fever", out.get(0).text());
    }
}
