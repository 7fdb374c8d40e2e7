package org.mededge.fusion.extract;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Prepares text for extraction: folds full-width characters (：，％１２) to ASCII, writes spoken
 * numbers as digits ("thirty eight point six" → 38.6, "one twenty" → 120, 三十八度六 → 38度6,
 * 一百一十 → 110), and drops thousands separators (12,500 → 12500), keeping a map to the original.
 */
public final class TextNormalizer {
    private TextNormalizer() {
    }

    private static final Map<String, Integer> EN_UNITS = Map.ofEntries(
            Map.entry("zero", 0), Map.entry("oh", 0), Map.entry("one", 1), Map.entry("two", 2),
            Map.entry("three", 3), Map.entry("four", 4), Map.entry("five", 5), Map.entry("six", 6),
            Map.entry("seven", 7), Map.entry("eight", 8), Map.entry("nine", 9));
    private static final Map<String, Integer> EN_TEENS = Map.ofEntries(
            Map.entry("ten", 10), Map.entry("eleven", 11), Map.entry("twelve", 12), Map.entry("thirteen", 13),
            Map.entry("fourteen", 14), Map.entry("fifteen", 15), Map.entry("sixteen", 16),
            Map.entry("seventeen", 17), Map.entry("eighteen", 18), Map.entry("nineteen", 19));
    private static final Map<String, Integer> EN_TENS = Map.of(
            "twenty", 20, "thirty", 30, "forty", 40, "fourty", 40, "fifty", 50, "sixty", 60,
            "seventy", 70, "eighty", 80, "ninety", 90);

    private static final Pattern EN_WORD = Pattern.compile("[A-Za-z]+");
    private static final Pattern THOUSANDS = Pattern.compile("(?<![\\d.])(\\d{1,3})((?:,\\d{3})+)(?![\\d,])");
    private static final String ZH_NUMERALS = "零〇一二两兩三四五六七八九十百千万幺";
    private static final Pattern ZH_PERCENT = Pattern.compile("百分之([" + "零〇一二两兩三四五六七八九十百千万幺" + "]+(?:点[" + "零〇一二两兩三四五六七八九十百千万幺" + "]+)?)");
    private static final Pattern ZH_RUN = Pattern.compile("[" + ZH_NUMERALS + "]+(?:点[" + ZH_NUMERALS + "]+)?");
    /** Words containing numerals that are not numbers. */
    private static final List<String> ZH_NOT_NUMBERS = List.of(
            "一般", "一过性", "一侧", "一直", "一些", "一下", "一致", "一起", "一样", "一度", "一阵", "一氧化",
            "十分", "十二指肠", "二尖瓣", "三尖瓣", "三凹", "四肢", "五官", "二氧化", "三酰", "一次性", "万一",
            "一旦", "一天天", "七情", "三餐", "两肺", "两侧", "两下", "两上", "两中", "两者", "两手", "两眼", "二聚体", "百分之");
    private static final List<String> ZH_NOT_AFTER = List.of("统", "唯", "单", "同", "第");

    /** Builds the normalized text and its map to the original. */
    public static NormalizedText normalize(String original) {
        // pass 1: fold full-width ASCII (1:1, so the map stays the identity)
        char[] folded = original.toCharArray();
        for (int i = 0; i < folded.length; i++) {
            char c = folded[i];
            if (c >= '\uFF01' && c <= '\uFF5E') {
                folded[i] = (char) (c - 0xFEE0);
            } else if (c == '\u3000' || c == '\u00A0') {
                folded[i] = ' ';
            } else if (c == '\u2014' || c == '\u2013' || c == '\u2012' || c == '\u2212') {
                folded[i] = '-';
            }
        }
        Builder b = new Builder(original);
        String s = new String(folded);
        // pass 2: spoken numbers and thousands separators, left to right
        int i = 0;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (ZH_NUMERALS.indexOf(c) >= 0) {
                Matcher pct = ZH_PERCENT.matcher(s).region(i, s.length());
                if (pct.lookingAt()) {
                    String digits = chineseNumber(pct.group(1));
                    if (digits != null) {
                        b.replace(digits + "%", i, pct.end());
                        i = pct.end();
                        continue;
                    }
                }
                Matcher m = ZH_RUN.matcher(s).region(i, s.length());
                // "见一4mm结节": a numeral next to digits is a word ("a"), not part of the number
                boolean besideDigits = m.lookingAt() && (m.end() < s.length() && isAsciiDigit(s.charAt(m.end()))
                        || i > 0 && isAsciiDigit(s.charAt(i - 1)));
                if (m.lookingAt() && !besideDigits && !notANumber(s, i)) {
                    String digits = chineseNumber(m.group());
                    if (digits != null) {
                        b.replace(digits, i, m.end());
                        i = m.end();
                        continue;
                    }
                }
                b.copy(c, i);
                i++;
            } else if (isAsciiLetter(c) && (i == 0 || !isAsciiLetter(s.charAt(i - 1)))) {
                int end = englishRun(s, i, b);
                if (end > i) {
                    i = end;
                    continue;
                }
                Matcher w = EN_WORD.matcher(s).region(i, s.length());
                int wordEnd = w.lookingAt() ? w.end() : i + 1;
                for (int k = i; k < wordEnd; k++) {
                    b.copy(s.charAt(k), k);
                }
                i = wordEnd;
            } else if (Character.isDigit(c) && c < 128 && (i == 0 || !Character.isDigit(s.charAt(i - 1)))) {
                Matcher t = THOUSANDS.matcher(s).region(i, s.length());
                if (t.lookingAt() && t.start() == i) {
                    b.replace(t.group(1) + t.group(2).replace(",", ""), i, t.end());
                    i = t.end();
                    continue;
                }
                b.copy(c, i);
                i++;
            } else {
                b.copy(c, i);
                i++;
            }
        }
        return b.build();
    }

    private static boolean isAsciiDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static boolean isAsciiLetter(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    }

    private static boolean notANumber(String s, int i) {
        for (String w : ZH_NOT_NUMBERS) {
            if (s.startsWith(w, i)) {
                return true;
            }
        }
        if (i > 0) {
            String prev = s.substring(i - 1, i);
            return ZH_NOT_AFTER.contains(prev);
        }
        return false;
    }

    // ---------------------------------------------------------------- Chinese

    /** Digits for a run of Chinese numerals (with an optional 点 fraction), or null. */
    static String chineseNumber(String run) {
        String intPart = run;
        String frac = null;
        int p = run.indexOf('点');
        if (p >= 0) {
            intPart = run.substring(0, p);
            frac = run.substring(p + 1);
        }
        String integer = chineseInteger(intPart);
        if (integer == null) {
            return null;
        }
        if (frac == null) {
            return integer;
        }
        StringBuilder f = new StringBuilder();
        for (char c : frac.toCharArray()) {
            int d = zhDigit(c);
            if (d < 0) {
                return null;
            }
            f.append(d);
        }
        return integer + "." + f;
    }

    private static int zhDigit(char c) {
        return switch (c) {
            case '零', '〇' -> 0;
            case '一', '幺' -> 1;
            case '二', '两', '兩' -> 2;
            case '三' -> 3;
            case '四' -> 4;
            case '五' -> 5;
            case '六' -> 6;
            case '七' -> 7;
            case '八' -> 8;
            case '九' -> 9;
            default -> -1;
        };
    }

    private static String chineseInteger(String s) {
        if (s.isEmpty()) {
            return null;
        }
        boolean positional = s.chars().anyMatch(ch -> ch == '十' || ch == '百' || ch == '千' || ch == '万');
        if (!positional) {
            StringBuilder d = new StringBuilder();
            for (char c : s.toCharArray()) {
                int v = zhDigit(c);
                if (v < 0) {
                    return null;
                }
                d.append(v);
            }
            return d.toString();
        }
        long total = 0;
        long section = 0;
        long number = 0;
        int lastUnit = 1;
        boolean zeroSeen = false;
        boolean digitPending = false;
        for (char c : s.toCharArray()) {
            int d = zhDigit(c);
            if (d >= 0) {
                if (d == 0) {
                    zeroSeen = true;
                }
                number = d;
                digitPending = d != 0;
                continue;
            }
            int unit = switch (c) {
                case '十' -> 10;
                case '百' -> 100;
                case '千' -> 1000;
                case '万' -> 10000;
                default -> -1;
            };
            if (unit < 0) {
                return null;
            }
            if (unit == 10000) {
                total += (section + number) * 10000;
                section = 0;
            } else {
                section += (number == 0 && unit == 10 ? 1 : number) * unit;
            }
            number = 0;
            digitPending = false;
            lastUnit = unit;
            zeroSeen = false;
        }
        // 一百一 = 110, 三千五 = 3500: a trailing digit right after a unit counts one place lower
        if (digitPending && !zeroSeen && lastUnit >= 100) {
            number *= lastUnit / 10;
        }
        return Long.toString(total + section + number);
    }

    // ---------------------------------------------------------------- English

    private enum Kind { UNIT, TEEN, TENS, HUNDRED, THOUSAND, POINT, AND, A }

    private record Tok(Kind kind, int value, int start, int end) {
    }

    /**
     * Reads a run of English number words starting at {@code i}; when it is a number, writes its
     * digits to {@code b} and returns the run's end, else returns {@code i}.
     */
    private static int englishRun(String s, int i, Builder b) {
        java.util.ArrayList<Tok> toks = new java.util.ArrayList<>();
        int pos = i;
        while (true) {
            Matcher w = EN_WORD.matcher(s).region(pos, s.length());
            if (!w.lookingAt()) {
                break;
            }
            String word = w.group().toLowerCase(Locale.ROOT);
            Tok t = token(word, pos, w.end());
            if (t == null) {
                break;
            }
            toks.add(t);
            // separators inside a number: spaces and hyphens ("ninety-five")
            int next = w.end();
            int k = next;
            while (k < s.length() && (s.charAt(k) == ' ' || s.charAt(k) == '-')) {
                k++;
            }
            if (k == next || k >= s.length() || !isAsciiLetter(s.charAt(k))) {
                break;
            }
            pos = k;
        }
        // trim tokens that cannot end a number, and "oh"/"a"/"and"/"point" that cannot start one
        while (!toks.isEmpty()) {
            Tok last = toks.get(toks.size() - 1);
            if (last.kind == Kind.AND || last.kind == Kind.POINT || last.kind == Kind.A) {
                toks.remove(toks.size() - 1);
            } else {
                break;
            }
        }
        if (toks.isEmpty()) {
            return i;
        }
        Tok first = toks.get(0);
        if (first.kind == Kind.AND || first.kind == Kind.POINT
                || (first.kind == Kind.UNIT && "oh".equalsIgnoreCase(s.substring(first.start, first.end)))) {
            return i;
        }
        if (first.kind == Kind.A && (toks.size() < 2 || (toks.get(1).kind != Kind.HUNDRED && toks.get(1).kind != Kind.THOUSAND))) {
            return i;
        }
        String digits = englishNumber(toks);
        if (digits == null) {
            return i;
        }
        int end = toks.get(toks.size() - 1).end;
        b.replace(digits, i, end);
        return end;
    }

    private static Tok token(String w, int start, int end) {
        if (EN_UNITS.containsKey(w)) {
            return new Tok(Kind.UNIT, EN_UNITS.get(w), start, end);
        }
        if (EN_TEENS.containsKey(w)) {
            return new Tok(Kind.TEEN, EN_TEENS.get(w), start, end);
        }
        if (EN_TENS.containsKey(w)) {
            return new Tok(Kind.TENS, EN_TENS.get(w), start, end);
        }
        return switch (w) {
            case "hundred" -> new Tok(Kind.HUNDRED, 100, start, end);
            case "thousand" -> new Tok(Kind.THOUSAND, 1000, start, end);
            case "point" -> new Tok(Kind.POINT, 0, start, end);
            case "and" -> new Tok(Kind.AND, 0, start, end);
            case "a" -> new Tok(Kind.A, 1, start, end);
            default -> null;
        };
    }

    private static String englishNumber(List<Tok> toks) {
        int point = -1;
        for (int k = 0; k < toks.size(); k++) {
            if (toks.get(k).kind == Kind.POINT) {
                point = k;
                break;
            }
        }
        List<Tok> intToks = point < 0 ? toks : toks.subList(0, point);
        String integer = groups(intToks);
        if (integer == null) {
            return null;
        }
        if (point < 0) {
            return integer;
        }
        List<Tok> fracToks = toks.subList(point + 1, toks.size());
        for (Tok t : fracToks) {
            if (t.kind != Kind.UNIT && t.kind != Kind.TEEN && t.kind != Kind.TENS) {
                return null;
            }
        }
        String frac = groups(fracToks);
        return frac == null || frac.isEmpty() ? integer : integer + "." + frac;
    }

    /**
     * Digits for number words: standard cardinals ("one hundred and ten", "ninety five") and
     * the digit groups of dictated readings ("one twenty" = 120, "one oh two" = 102).
     */
    private static String groups(List<Tok> toks) {
        StringBuilder out = new StringBuilder();
        long v = -1;
        Kind last = null;
        for (Tok t : toks) {
            switch (t.kind) {
                case UNIT, TEEN, TENS -> {
                    boolean adds = v >= 0 && (
                            (t.kind == Kind.UNIT && t.value > 0 && last == Kind.TENS && v % 10 == 0)
                            || last == Kind.HUNDRED || last == Kind.THOUSAND || last == Kind.AND);
                    if (v < 0) {
                        v = t.value;
                    } else if (adds) {
                        v += t.value;
                    } else {
                        out.append(v);
                        v = t.value;
                    }
                }
                case HUNDRED -> {
                    if (v < 0) {
                        v = 100;
                    } else if (last == Kind.A) {
                        v = 100;
                    } else {
                        long high = v / 1000 * 1000;
                        v = high + (v % 1000) * 100;
                    }
                }
                case THOUSAND -> v = (v < 0 || last == Kind.A ? 1 : v) * 1000;
                case AND -> {
                    if (last != Kind.HUNDRED && last != Kind.THOUSAND) {
                        return null;
                    }
                }
                case A -> {
                    if (v >= 0) {
                        return null;
                    }
                }
                default -> {
                    return null;
                }
            }
            last = t.kind == Kind.AND ? Kind.AND : t.kind;
        }
        if (v >= 0) {
            out.append(v);
        }
        return out.toString();
    }

    // ---------------------------------------------------------------- map builder

    private static final class Builder {
        private final String original;
        private final StringBuilder text = new StringBuilder();
        private int[] map = new int[64];

        Builder(String original) {
            this.original = original;
        }

        private void put(int at, int originalIndex) {
            if (at >= map.length) {
                map = java.util.Arrays.copyOf(map, Math.max(map.length * 2, at + 1));
            }
            map[at] = originalIndex;
        }

        void copy(char c, int originalIndex) {
            put(text.length(), originalIndex);
            text.append(c);
        }

        void replace(String with, int originalStart, int originalEnd) {
            for (int k = 0; k < with.length(); k++) {
                put(text.length(), k == 0 ? originalStart : Math.min(originalStart + k, originalEnd - 1));
                text.append(with.charAt(k));
            }
        }

        NormalizedText build() {
            put(text.length(), original.length());
            int[] m = java.util.Arrays.copyOf(map, text.length() + 1);
            // a span ending inside a replacement must reach the end of the replaced words: make
            // the map of "end" positions monotone by pointing each at the next char's origin
            return new NormalizedText(original, text.toString(), m);
        }
    }
}
