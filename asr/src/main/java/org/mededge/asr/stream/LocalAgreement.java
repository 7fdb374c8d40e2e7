package org.mededge.asr.stream;

import java.util.ArrayList;
import java.util.List;

/**
 * LocalAgreement-2 (as UFAL's whisper_streaming commits words): of two consecutive hypotheses of the
 * same growing audio, the longest common prefix of words becomes stable, and stable words are never
 * taken back. A word is a run of characters without spaces, or one Han character (Mandarin is written
 * without spaces, so a whole sentence would otherwise be one word). Words are compared exactly, case and
 * punctuation included: "sixteen" and "sixteen." disagree, so a word whose punctuation is still moving
 * stays tentative; punctuation that two hypotheses add to the last stable word is appended to it. One instance per open segment; not thread-safe.
 */
final class LocalAgreement {
    /** What is stable and what is tentative after a hypothesis: the text is stable + tentative. */
    record Split(String stable, String tentative) {
    }

    /** A word with the whitespace before it. */
    private record Word(String lead, String text) {
    }

    private final StringBuilder stable = new StringBuilder();
    private int committed;
    private String lastStable = "";
    private List<Word> previous = List.of();

    /** Takes the next hypothesis of the open segment's text and says what is stable now. */
    Split update(String hypothesis) {
        List<Word> current = words(hypothesis);
        // the last stable word may grow by punctuation that two hypotheses agree on ("one" -> "one." once the next
        // utterance makes the join end a sentence): the stable text is only extended, never changed
        if (committed > 0 && current.size() >= committed && previous.size() >= committed) {
            String now = current.get(committed - 1).text();
            if (now.equals(previous.get(committed - 1).text()) && now.startsWith(lastStable)
                    && now.length() > lastStable.length() && now.substring(lastStable.length()).matches("\\p{P}+")) {
                stable.append(now, lastStable.length(), now.length());
                lastStable = now;
            }
        }
        // words past the committed ones, compared position by position with the previous hypothesis;
        // when a hypothesis disagrees with the committed words themselves they stay as they are
        int k = committed;
        while (k < current.size() && k < previous.size() && current.get(k).text().equals(previous.get(k).text())) {
            k++;
        }
        for (int i = committed; i < k; i++) {
            append(stable, current.get(i));
            lastStable = current.get(i).text();
        }
        committed = Math.max(committed, k);
        previous = current;
        StringBuilder tail = new StringBuilder();
        for (int i = committed; i < current.size(); i++) {
            Word w = current.get(i);
            tail.append(stable.isEmpty() && tail.isEmpty() ? "" : w.lead()).append(w.text());
        }
        return new Split(stable.toString(), tail.toString());
    }

    private static void append(StringBuilder b, Word w) {
        b.append(b.isEmpty() ? "" : w.lead()).append(w.text());
    }

    static List<Word> words(String s) {
        List<Word> out = new ArrayList<>();
        int i = 0;
        while (i < s.length()) {
            int leadStart = i;
            while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
                i++;
            }
            if (i >= s.length()) {
                break;
            }
            int start = i;
            int cp = s.codePointAt(i);
            if (Character.UnicodeScript.of(cp) == Character.UnicodeScript.HAN) {
                i += Character.charCount(cp);
            } else {
                while (i < s.length()) {
                    int c = s.codePointAt(i);
                    if (Character.isWhitespace(c) || Character.UnicodeScript.of(c) == Character.UnicodeScript.HAN) {
                        break;
                    }
                    i += Character.charCount(c);
                }
            }
            out.add(new Word(s.substring(leadStart, start), s.substring(start, i)));
        }
        return out;
    }
}
