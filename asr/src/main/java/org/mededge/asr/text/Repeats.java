package org.mededge.asr.text;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Collapses Whisper's loops: an n-gram (1 to 8 tokens; a Chinese character is a token, otherwise a
 * whitespace-separated word compared without case and punctuation) repeated more than
 * {@code maxRepeats} times in a row is kept once.
 */
public final class Repeats {
    private static final int MAX_N = 8;

    private Repeats() {
    }

    /** A token with the whitespace that followed it, and its comparison key. */
    private record Token(String text, String key) {
    }

    public static String collapse(String text, int maxRepeats) {
        List<Token> t = tokens(text);
        StringBuilder out = new StringBuilder(text.length());
        int i = 0;
        while (i < t.size()) {
            int step = 0;
            for (int n = 1; n <= MAX_N && i + n * (maxRepeats + 1) <= t.size(); n++) {
                int r = 1;
                while (i + (r + 1) * n <= t.size() && same(t, i, i + r * n, n)) {
                    r++;
                }
                if (r > maxRepeats) {
                    for (int k = 0; k < n; k++) {
                        out.append(t.get(i + k).text());
                    }
                    step = r * n;
                    break;
                }
            }
            if (step == 0) {
                out.append(t.get(i).text());
                step = 1;
            }
            i += step;
        }
        return out.toString().strip();
    }

    private static boolean same(List<Token> t, int a, int b, int n) {
        for (int k = 0; k < n; k++) {
            if (!t.get(a + k).key().equals(t.get(b + k).key())) {
                return false;
            }
        }
        return true;
    }

    private static List<Token> tokens(String s) {
        List<Token> out = new ArrayList<>();
        int i = 0;
        while (i < s.length()) {
            int start = i;
            int cp = s.codePointAt(i);
            if (Character.UnicodeScript.of(cp) == Character.UnicodeScript.HAN) {
                i += Character.charCount(cp);
            } else {
                while (i < s.length() && !Character.isWhitespace(s.charAt(i))
                        && Character.UnicodeScript.of(s.codePointAt(i)) != Character.UnicodeScript.HAN) {
                    i++;
                }
            }
            int wordEnd = i;
            while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
                i++;
            }
            if (wordEnd == start) {   // leading whitespace
                continue;
            }
            String word = s.substring(start, wordEnd);
            String key = word.replaceAll("[\\p{P}\\p{S}]", "").toLowerCase(Locale.ROOT);
            out.add(new Token(s.substring(start, i), key.isEmpty() ? word : key));
        }
        return out;
    }
}
