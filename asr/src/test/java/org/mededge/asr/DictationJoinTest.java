package org.mededge.asr;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import org.junit.jupiter.api.Test;

import org.mededge.asr.text.DictationText;

/** How a dictation's segments become one text: a long pause is a sentence end for a model without punctuation. */
class DictationJoinTest {
    private static Segment seg(long start, long end, String text) {
        return new Segment(start, end, text, Double.NaN, 0.0, false);
    }

    @Test
    void aPauseOfTheModelsBreakLengthEndsTheSentence() {
        List<Segment> en = List.of(seg(258, 3934, "temperature thirty six point one"), seg(4674, 6814, "sodium one hundred thirty eight"));
        assertEquals("temperature thirty six point one. sodium one hundred thirty eight", Dictation.join(en, 700));
        assertEquals("temperature thirty six point one sodium one hundred thirty eight", Dictation.join(en, 0),
                "models without a break length: joined as heard");
        assertEquals("temperature thirty six point one sodium one hundred thirty eight", Dictation.join(en, 800),
                "a shorter pause is not a sentence end");
        List<Segment> zh = List.of(seg(300, 4800, "体温三十六度三"), seg(5600, 9000, "血钾五点七"));
        assertEquals("体温三十六度三。 血钾五点七", Dictation.join(zh, 700));
        List<Segment> punctuated = List.of(seg(0, 2000, "Cough for three days."), seg(3000, 5000, ""), seg(6000, 8000, "No fever"));
        assertEquals("Cough for three days. No fever", Dictation.join(punctuated, 700), "no second full stop; empty segments skipped");
        assertEquals("体温三十六度三。血钾五点七", DictationText.load(null).apply(Dictation.join(zh, 700)));
    }
}
