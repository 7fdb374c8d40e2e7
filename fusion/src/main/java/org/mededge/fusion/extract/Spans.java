package org.mededge.fusion.extract;

import java.util.ArrayList;
import java.util.List;

/** Sentence and clause boundaries in normalized text (a decimal point is not a full stop). */
public final class Spans {
    private Spans() {
    }

    /** A half-open range [start, end) of the normalized text. */
    public record Span(int start, int end) {
        public boolean contains(int i) {
            return i >= start && i < end;
        }
    }

    /** Sentences: split at 。；;!?！？ and newlines, and at a '.' that is not inside a number. */
    public static List<Span> sentences(String s, int from, int to) {
        List<Span> out = new ArrayList<>();
        int start = from;
        for (int i = from; i < to; i++) {
            if (isSentenceEnd(s, i)) {
                add(out, s, start, i + 1);
                start = i + 1;
            }
        }
        add(out, s, start, to);
        return out;
    }

    /** Clauses: sentences further split at commas (, ，). */
    public static List<Span> clauses(String s, int from, int to) {
        List<Span> out = new ArrayList<>();
        int start = from;
        for (int i = from; i < to; i++) {
            if (isSentenceEnd(s, i) || s.charAt(i) == ',' || s.charAt(i) == '，') {
                add(out, s, start, i + 1);
                start = i + 1;
            }
        }
        add(out, s, start, to);
        return out;
    }

    static boolean isSentenceEnd(String s, int i) {
        char c = s.charAt(i);
        if ("。;；!?！？\n".indexOf(c) >= 0) {
            return true;
        }
        if (c == '.') {
            boolean digitBefore = i > 0 && Character.isDigit(s.charAt(i - 1));
            boolean digitAfter = i + 1 < s.length() && Character.isDigit(s.charAt(i + 1));
            boolean letterAfter = i + 1 < s.length() && Character.isLetter(s.charAt(i + 1));
            return !(digitBefore && digitAfter) && !letterAfter;
        }
        return false;
    }

    private static void add(List<Span> out, String s, int start, int end) {
        int a = start;
        int b = end;
        while (a < b && Character.isWhitespace(s.charAt(a))) {
            a++;
        }
        while (b > a && Character.isWhitespace(s.charAt(b - 1))) {
            b--;
        }
        if (b > a) {
            out.add(new Span(a, b));
        }
    }
}
