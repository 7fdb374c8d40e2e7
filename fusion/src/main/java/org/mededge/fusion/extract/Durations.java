package org.mededge.fusion.extract;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Durations as notes state them (3天, 两周, 1年余, for three days, 2-week history) as ISO 8601. */
public final class Durations {
    private Durations() {
    }

    /** A duration found at [start, end) of normalized text. */
    public record Found(String iso, int start, int end) {
    }

    private static final Pattern ZH = Pattern.compile(
            "(\\d+(?:\\.\\d+)?|半)\\s*(?:余|多)?\\s*(?:个)?\\s*(?:半)?\\s*(小时|分钟|天|日|周|星期|月|年)(半(?![小分天日周星月年]))?(?:余|多|左右|许)?");
    private static final Pattern EN = Pattern.compile(
            "(?i)(?<![A-Za-z0-9.])(\\d+(?:\\.\\d+)?|a|an|one)\\s*(?:-\\s*|\\s)?(hours?|hrs?|minutes?|mins?|days?|weeks?|wks?|months?|mos?|years?|yrs?)(?![A-Za-z])(?!\\s*-?\\s*old)");

    /**
     * Shorthand durations of clinical notes: "x3d", "x 2 wks", and the fraction forms "3/7" (days), "2/52"
     * (weeks), "3/12" (months). Kept apart from {@link #find}: "90/52" is a blood pressure where a
     * measure names it, so only symptoms use these, and only where no value took the words.
     */
    public static List<Found> shorthand(String s) {
        List<Found> out = new ArrayList<>();
        Matcher x = SHORT_X.matcher(s);
        while (x.find()) {
            String iso = iso(x.group(1), enUnit(x.group(2).toLowerCase(Locale.ROOT)), false);
            if (iso != null) {
                out.add(new Found(iso, x.start(), x.end()));
            }
        }
        Matcher f = FRACTION.matcher(s);
        while (f.find()) {
            char unit = switch (f.group(2)) {
                case "7" -> 'D';
                case "52" -> 'W';
                default -> 'M';
            };
            String iso = iso(f.group(1), unit, false);
            if (iso != null) {
                out.add(new Found(iso, f.start(), f.end()));
            }
        }
        return out;
    }

    private static final Pattern SHORT_X = Pattern.compile(
            "(?i)(?<![A-Za-z0-9])[x×]\\s*(\\d{1,3})\\s*(d|days?|w|wks?|weeks?|mo|mos|months?|h|hrs?|hours?|y|yrs?)(?![A-Za-z])");
    private static final Pattern FRACTION = Pattern.compile("(?<![\\d/.])(\\d{1,2})\\s*/\\s*(7|52|12)(?![\\d/]|\\.\\d)(?!\\s*(?:mm|kPa|次))");

    /** All durations in the text, in order. */
    public static List<Found> find(String s) {
        List<Found> out = new ArrayList<>();
        Matcher z = ZH.matcher(s);
        while (z.find()) {
            String n = z.group(1);
            String unit = z.group(2);
            boolean halfExtra = z.group().contains("个半") || z.group().matches(".*\\d半.*") || z.group(3) != null;
            String iso = iso(n.equals("半") ? "0.5" : n, zhUnit(unit), halfExtra);
            if (iso != null && !followedByAge(s, z.end())) {
                out.add(new Found(iso, z.start(), z.end()));
            }
        }
        Matcher e = EN.matcher(s);
        while (e.find()) {
            String n = e.group(1).toLowerCase(Locale.ROOT);
            String num = n.equals("a") || n.equals("an") || n.equals("one") ? "1" : n;
            String iso = iso(num, enUnit(e.group(2).toLowerCase(Locale.ROOT)), false);
            if (iso != null) {
                out.add(new Found(iso, e.start(), e.end()));
            }
        }
        out.sort(java.util.Comparator.comparingInt(Found::start));
        return out;
    }

    private static boolean followedByAge(String s, int end) {
        return end < s.length() && s.charAt(end) == '岁';
    }

    private static char zhUnit(String u) {
        return switch (u) {
            case "小时" -> 'H';
            case "分钟" -> 'm';
            case "天", "日" -> 'D';
            case "周", "星期" -> 'W';
            case "月" -> 'M';
            default -> 'Y';
        };
    }

    private static char enUnit(String u) {
        if (u.equals("m") || u.startsWith("mo")) {
            return 'M';
        }
        if (u.startsWith("h")) {
            return 'H';
        }
        if (u.startsWith("min")) {
            return 'm';
        }
        if (u.startsWith("d")) {
            return 'D';
        }
        if (u.startsWith("w")) {
            return 'W';
        }
        if (u.startsWith("mo")) {
            return 'M';
        }
        return 'Y';
    }

    /** ISO 8601 duration; a half ("1个半月") adds 0.5. */
    static String iso(String number, char unit, boolean plusHalf) {
        java.math.BigDecimal n = new java.math.BigDecimal(number);
        if (plusHalf) {
            n = n.add(new java.math.BigDecimal("0.5"));
        }
        if (n.signum() <= 0) {
            return null;
        }
        // half a month is about two weeks, half a day twelve hours, half a year six months
        if (n.compareTo(java.math.BigDecimal.ONE) < 0 && n.compareTo(new java.math.BigDecimal("0.5")) == 0) {
            switch (unit) {
                case 'Y' -> { return "P6M"; }
                case 'M' -> { return "P2W"; }
                case 'D' -> { return "PT12H"; }
                case 'W' -> { return "P3D"; }
                case 'H' -> { return "PT30M"; }
                default -> { }
            }
        }
        String v = Decimals.clean(n).toPlainString();
        return switch (unit) {
            case 'H' -> "PT" + v + "H";
            case 'm' -> "PT" + v + "M";
            default -> "P" + v + unit;
        };
    }
}
