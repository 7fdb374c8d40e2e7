package org.mededge.fusion.extract;

/**
 * A note's text prepared for extraction (full-width forms folded, spoken numbers written as digits),
 * with a map back to the original, so that every extracted item can quote the note's own words.
 */
public final class NormalizedText {
    private final String original;
    private final String text;
    private final int[] toOriginal;

    NormalizedText(String original, String text, int[] toOriginal) {
        this.original = original;
        this.text = text;
        this.toOriginal = toOriginal;
    }

    /** Builds one from an original text by {@link TextNormalizer}. */
    public static NormalizedText of(String original) {
        return TextNormalizer.normalize(original);
    }

    public String original() {
        return original;
    }

    public String text() {
        return text;
    }

    /** The original index of normalized index {@code i} (0..length). */
    public int originalIndex(int i) {
        return toOriginal[i];
    }

    /** The original words behind normalized span [start, end), trimmed. */
    public String originalSpan(int start, int end) {
        int s = toOriginal[start];
        int e = toOriginal[end];
        if (e < s) {
            e = s;
        }
        return original.substring(s, e).strip();
    }
}
