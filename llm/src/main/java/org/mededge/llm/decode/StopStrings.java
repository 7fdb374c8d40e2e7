package org.mededge.llm.decode;

import java.util.List;

/**
 * Stop strings over generated text: finds the first stop string (even across token boundaries)
 * and tells how much text is safe to stream, holding back a tail that could still become one.
 */
public final class StopStrings {
    private final List<String> stops;

    public StopStrings(List<String> stops) {
        this.stops = stops.stream().filter(s -> !s.isEmpty()).toList();
    }

    /** Index of the earliest stop string in {@code text} at or after {@code from}, or -1. */
    public int find(CharSequence text, int from) {
        String s = text.toString();
        int best = -1;
        for (String stop : stops) {
            int at = s.indexOf(stop, Math.max(0, from - stop.length() + 1));
            if (at >= 0 && (best < 0 || at < best)) {
                best = at;
            }
        }
        return best;
    }

    /** Length of the prefix of {@code text} that cannot be the start of a stop string. */
    public int safeLength(CharSequence text) {
        int n = text.length();
        int hold = 0;
        for (String stop : stops) {
            for (int k = Math.min(stop.length() - 1, n); k > hold; k--) {
                if (stop.regionMatches(0, text.toString(), n - k, k)) {
                    hold = k;
                    break;
                }
            }
        }
        return n - hold;
    }
}
