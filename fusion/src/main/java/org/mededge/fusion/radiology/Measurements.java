package org.mededge.fusion.radiology;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.mededge.fusion.extract.Decimals;

/** Sizes in radiology text (after spoken numbers became digits), converted exactly to millimetres. */
final class Measurements {
    private Measurements() {
    }

    /** A measurement at [start, end) of normalized text. */
    record Found(Measurement measurement, int start, int end) {
    }

    private static final String NUM = "(\\d+(?:\\.\\d+)?)";
    private static final String UNIT = "(mm|cm|MM|CM|Mm|Cm|毫米|厘米|公分)";
    private static final String APPROX = "(?:(?:大小|直径|长径|最大径|范围)?约|大小|(?i:approximately|approx\\.?|about|measuring|measures|up to)\\s*|~\\s*)?";
    private static final String TIMES = "\\s*(?:[x×X*乘]|(?i:by))\\s*";
    private static final Pattern DIMS = Pattern.compile(APPROX + NUM + "\\s*" + UNIT + "?" + TIMES + NUM + "\\s*" + UNIT + "?"
            + "(?:" + TIMES + NUM + "\\s*" + UNIT + "?)?");
    private static final Pattern RANGE = Pattern.compile(APPROX + NUM + "\\s*" + UNIT + "?\\s*(?:-|~|～|(?i:to)|到|至)\\s*" + NUM
            + "\\s*" + UNIT);
    private static final Pattern SINGLE = Pattern.compile(APPROX + NUM + "\\s*" + UNIT + "(?![A-Za-z])");

    static List<Found> find(String s) {
        List<Found> out = new ArrayList<>();
        boolean[] taken = new boolean[s.length() + 1];
        Matcher d = DIMS.matcher(s);
        while (d.find()) {
            String lastUnit = d.group(6) != null ? d.group(6) : d.group(4) != null ? d.group(4) : d.group(2);
            if (lastUnit == null) {
                continue; // "2 x 3" without a unit is not a size
            }
            List<BigDecimal> dims = new ArrayList<>();
            dims.add(mm(d.group(1), d.group(2) != null ? d.group(2) : lastUnit));
            dims.add(mm(d.group(3), d.group(4) != null ? d.group(4) : lastUnit));
            if (d.group(5) != null) {
                dims.add(mm(d.group(5), lastUnit));
            }
            add(out, taken, new Measurement(null, null, null, dims, d.group().strip()), d.start(), d.end());
        }
        Matcher r = RANGE.matcher(s);
        while (r.find()) {
            if (free(taken, r.start(), r.end())) {
                String unit = r.group(4);
                BigDecimal lo = mm(r.group(1), r.group(2) != null ? r.group(2) : unit);
                BigDecimal hi = mm(r.group(3), unit);
                add(out, taken, new Measurement(null, lo, hi, null, r.group().strip()), r.start(), r.end());
            }
        }
        Matcher m = SINGLE.matcher(s);
        while (m.find()) {
            if (free(taken, m.start(), m.end())) {
                add(out, taken, new Measurement(mm(m.group(1), m.group(2)), null, null, null, m.group().strip()),
                        m.start(), m.end());
            }
        }
        out.sort(java.util.Comparator.comparingInt(Found::start));
        return out;
    }

    private static boolean free(boolean[] taken, int a, int b) {
        for (int i = a; i < b; i++) {
            if (taken[i]) {
                return false;
            }
        }
        return true;
    }

    private static void add(List<Found> out, boolean[] taken, Measurement m, int a, int b) {
        for (int i = a; i < b; i++) {
            taken[i] = true;
        }
        out.add(new Found(m, a, b));
    }

    /** Exact millimetres: cm, 厘米 and 公分 are ten. */
    static BigDecimal mm(String number, String unit) {
        BigDecimal v = new BigDecimal(number);
        String u = unit.toLowerCase(Locale.ROOT);
        return u.equals("mm") || u.equals("毫米") ? Decimals.clean(v) : Decimals.times(v, "10");
    }
}
