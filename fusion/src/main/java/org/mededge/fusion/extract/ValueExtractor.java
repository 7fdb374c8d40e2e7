package org.mededge.fusion.extract;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Pattern;

import org.mededge.fusion.ClinicalValue;
import org.mededge.fusion.extract.ValueTokens.Name;
import org.mededge.fusion.extract.ValueTokens.Num;
import org.mededge.fusion.extract.ValueTokens.Qual;
import org.mededge.fusion.extract.ValueTokens.Target;
import org.mededge.fusion.extract.ValueTokens.Tok;
import org.mededge.fusion.extract.ValueTokens.Unit;
import org.mededge.fusion.extract.ValueTokens.When;

/**
 * Reads vital signs and laboratory values, written or dictated, in Chinese or English, and converts
 * them to the standard unit of {@link Measure}. Association, after {@link ValueTokens}: a run of
 * names joined by separators ("A, B and C", "A/B/C", "A、B") followed by a run of values; as many
 * values as the names need pairs them in order ("T/P/R/BP 38.0/96/20/118/76", 分别为); one value goes
 * to the nearest name and the others take none ("potassium and heart rate 112"); anything else is
 * ambiguous and files nothing (a doubt quoting the words). A unit that cannot be the measure's
 * refuses the value. Several readings of one measure are set apart by their time and context words:
 * the latest stated as current is the current value, the others are kept as earlier readings.
 * Plausibility is judged later ({@code safety.Plausibility}): this reads what the note says.
 */
public final class ValueExtractor {

    /** What {@link #read} returns: current values, earlier readings, spans taken, ranges and doubts. */
    public record Read(List<ClinicalValue> values, List<ClinicalValue> earlier, List<Spans.Span> spans, List<Range> ranges,
                       List<Doubt> doubts) {
    }

    /** A range stated where one reading belongs ("HR 90-100"): not a value, so kept out of the fields. */
    public record Range(String code, String display, String text) {
    }

    /**
     * A reading the report does not file: a unit that cannot be the measure's, names and values that do
     * not pair ({@code code} null), or a second, different value of a measure with nothing that sets the
     * two apart (both filed, and flagged).
     */
    public record Doubt(Kind kind, String code, String display, String text) {
        public enum Kind { FOREIGN_UNIT, AMBIGUOUS, TWO_VALUES }
    }

    // ------------------------------------------------------------------ gaps between tokens

    private enum Gap { EMPTY, SPACE, SLASH, SEP, CONNECT, FILLER, END }

    private static final Pattern END = Pattern.compile("[.;。；!?！？\\n()（）\\[\\]]|\\d");
    private static final Pattern SLASH = Pattern.compile("\\s*(?:/|\\\\|(?i:over)|比)\\s*");
    private static final Pattern SEP = Pattern.compile("(?:[\\s,，、&+]|(?i:and|or)(?![A-Za-z])|和|及|与|以及|或)+");
    private static final Pattern CONNECT = Pattern.compile("\\s*(?:[:=]|(?i:is|was|of|at|are|were|reads?|measured)(?![A-Za-z])|为|是|分别为|分别是)?"
            + "\\s*(?:[:=])?\\s*");
    private static final Pattern OPEN_PAREN = Pattern.compile("\\s*[(（]\\s*");
    private static final Pattern CLOSE_PAREN = Pattern.compile("\\s*[)）]");
    private static final Pattern CONTINUING = Pattern.compile("(?:[\\s,，]|(?i:and|is|was|are|were|has\\s+been|it\\s+is|but)(?![A-Za-z])|但|而)+");
    private static final Pattern ONWARD = Pattern.compile("[\\s,，]*[;；(（][^\\d;；.。)）]{0,16}");
    private static final Pattern COORDINATED = Pattern.compile("(?i:were|are|respectively)(?![A-Za-z])|分别");

    private static Gap gap(String g) {
        if (g.isEmpty()) {
            return Gap.EMPTY;
        }
        if (g.isBlank()) {
            return Gap.SPACE;
        }
        if (SLASH.matcher(g).matches()) {
            return Gap.SLASH;
        }
        if (CONNECT.matcher(g).matches()) {
            return Gap.CONNECT;
        }
        if (SEP.matcher(g).matches()) {
            return Gap.SEP;
        }
        if (END.matcher(g).find() || g.contains(",") || g.contains("，") || g.contains("、") || g.length() > 24) {
            return Gap.END;
        }
        return Gap.FILLER;
    }

    /** The text between two positions with the qualifiers in it blanked out. */
    private static String between(String s, int from, int to, List<Qual> quals) {
        StringBuilder b = new StringBuilder(s.substring(from, to));
        for (Qual q : quals) {
            if (q.start() >= from && q.end() <= to) {
                for (int i = q.start(); i < q.end(); i++) {
                    b.setCharAt(i - from, ' ');
                }
            }
        }
        return b.toString();
    }

    // ------------------------------------------------------------------ association

    /** One value as written, with the qualifiers stated with it and the gap before it. */
    private record Item(Num num, List<Qual> quals, Gap before) {
    }

    /** A reading: the measure, the number(s), the qualifiers, the words it spans. */
    private record Reading(Measure measure, BigDecimal value, String comparator, int start, int end, String text, List<Qual> quals,
                           int order) {
    }

    /** The current values the text states in text order, the earlier readings, the spans the readings took, ranges and doubts. */
    public Read read(NormalizedText nt, String language, Predicate<Integer> skip) {
        String s = nt.text();
        boolean zh = "zh".equals(language);
        List<Tok> toks = ValueTokens.lex(s, skip);
        List<Reading> readings = new ArrayList<>();
        List<Doubt> doubts = new ArrayList<>();
        List<Range> ranges = new ArrayList<>();
        List<Spans.Span> spans = new ArrayList<>();
        Ctx c = new Ctx(s, nt, zh, readings, doubts, ranges, spans);
        int consumed = 0;
        int i = 0;
        while (i < toks.size()) {
            if (!(toks.get(i) instanceof Name first)) {
                i++;
                continue;
            }
            // qualifiers right before the names belong to the first value ("baseline creatinine 70", 入院时血压)
            List<Qual> lead = new ArrayList<>();
            for (int b = i - 1; b >= consumed && toks.get(b) instanceof Qual q; b--) {
                Gap g = gap(s.substring(q.end(), b + 1 < toks.size() ? toks.get(b + 1).start() : first.start()));
                if (g != Gap.EMPTY && g != Gap.SPACE) {
                    break;
                }
                lead.add(0, q);
            }
            List<Name> names = new ArrayList<>();
            boolean slashNames = false;
            {
                // "Cl/Na/K 101/138/4.1": names before the first one we know hold their places too
                int from = i > 0 ? toks.get(i - 1).end() : 0;
                java.util.regex.Matcher head = UNKNOWN_SLASH_HEAD.matcher(s.substring(from, first.start()));
                if (head.find()) {
                    unknownNames(head.group(1), from + head.start(1), names);
                    slashNames = true;
                }
            }
            names.add(first);
            int j = i + 1;
            while (j < toks.size() && toks.get(j) instanceof Name next) {
                int from = names.get(names.size() - 1).end();
                String g = s.substring(from, next.start());
                Gap k = gap(g);
                if (k != Gap.EMPTY && k != Gap.SPACE && k != Gap.SEP && k != Gap.SLASH) {
                    if (!UNKNOWN_SLASH_NAMES.matcher(g).matches()) {
                        break;
                    }
                    unknownNames(g, from, names); // "Na/Cl/K": Cl is no measure of ours but holds a place
                }
                slashNames |= g.contains("/");
                names.add(next);
                j++;
            }
            {
                // "Na/K/Cl 138/4.1/101": names after the last one we know still hold their places
                int from = names.get(names.size() - 1).end();
                int to = j < toks.size() ? toks.get(j).start() : s.length();
                java.util.regex.Matcher tail = UNKNOWN_SLASH_TAIL.matcher(s).region(from, to).useTransparentBounds(true);
                if (tail.lookingAt() && j < toks.size() && toks.get(j) instanceof Num) {
                    unknownNames(tail.group(1), from, names);
                    slashNames = true;
                }
            }
            Name last = names.get(names.size() - 1);
            if (last.measure() == null) {
                last = names.stream().filter(x -> x.measure() != null).reduce((a, b) -> b).orElseThrow();
            }
            // qualifiers between the names and the first value
            List<Qual> mid = new ArrayList<>();
            int k = j;
            while (k < toks.size() && toks.get(k) instanceof Qual q) {
                mid.add(q);
                k++;
            }
            if (k >= toks.size() || !(toks.get(k) instanceof Num firstNum)) {
                i = j;
                continue;
            }
            String toValue = between(s, names.get(names.size() - 1).end(), firstNum.start(), mid);
            Gap g = gap(toValue);
            boolean adjacent = g == Gap.EMPTY || g == Gap.SPACE || g == Gap.CONNECT;
            if (!(adjacent || g == Gap.FILLER && last.strong())) {
                i = j;
                continue;
            }
            boolean coordinated = COORDINATED.matcher(toValue).find();
            List<Qual> firstQuals = new ArrayList<>(lead);
            firstQuals.addAll(mid);
            List<Item> items = new ArrayList<>();
            int m = k + 1;
            List<Qual> quals = firstQuals;
            Num num = firstNum;
            Gap before = g;
            while (true) {
                // qualifiers after the value, in its own clause part
                int end = num.end();
                while (m < toks.size() && toks.get(m) instanceof Qual q && q.when() != When.LATER) {
                    String raw = s.substring(end, q.start());
                    Gap qg = gap(raw);
                    java.util.regex.Matcher close = CLOSE_PAREN.matcher(s).region(q.end(), s.length());
                    // "88%（未吸氧）": a parenthesis holding only the qualifier; "180 (baseline 90)" is another reading
                    boolean paren = OPEN_PAREN.matcher(raw).matches() && close.lookingAt();
                    if (qg != Gap.EMPTY && qg != Gap.SPACE && qg != Gap.FILLER && !paren) {
                        break;
                    }
                    // "150 at presentation and is now 95", "120 last week now 250": a qualifier right before the next
                    // number is that number's (a "now" always; another one after words of its own)
                    if (m + 1 < toks.size() && toks.get(m + 1) instanceof Num nextNum && !paren) {
                        Gap toNext = gap(s.substring(q.end(), nextNum.start()));
                        boolean tight = toNext == Gap.EMPTY || toNext == Gap.SPACE || toNext == Gap.CONNECT;
                        if (tight && (q.leading() || qg == Gap.FILLER)) {
                            break;
                        }
                    }
                    quals.add(q);
                    end = paren ? close.end() : q.end();
                    m++;
                }
                items.add(new Item(num, List.copyOf(quals), before));
                // the next value of the run: after a separator, perhaps with its own qualifiers first
                int n = m;
                List<Qual> nextQuals = new ArrayList<>();
                while (n < toks.size() && toks.get(n) instanceof Qual q) {
                    nextQuals.add(q);
                    n++;
                }
                if (n >= toks.size() || !(toks.get(n) instanceof Num nextNum)) {
                    break;
                }
                String ngText = between(s, end, nextNum.start(), nextQuals);
                Gap ng = gap(ngText);
                if (ng == Gap.END && !nextQuals.isEmpty() && ONWARD.matcher(ngText).matches()
                        || ng == Gap.FILLER && !nextQuals.isEmpty() && CONTINUING.matcher(ngText).matches()) {
                    ng = Gap.SEP; // "sats 86% on arrival; now 94%", "creatinine 180 (baseline 90)", "…and is now 95"
                }
                if (ng != Gap.SEP && ng != Gap.SPACE && ng != Gap.SLASH && ng != Gap.EMPTY) {
                    break;
                }
                if (ng == Gap.EMPTY && nextQuals.isEmpty()) {
                    break;
                }
                num = nextNum;
                quals = nextQuals;
                before = ng;
                m = n + 1;
            }
            int groupEnd = items.get(items.size() - 1).num().end();
            coordinated |= s.substring(groupEnd, Math.min(s.length(), groupEnd + 16)).matches("(?s)\\s*(?i:respectively)(?![A-Za-z]).*");
            associate(c, names, items, slashNames, coordinated);
            consumed = m;
            i = Math.max(m, j);
        }
        return resolve(c);
    }

    private static final Pattern UNKNOWN_SLASH_NAMES = Pattern.compile("(?:\\s*/\\s*[A-Za-z][A-Za-z0-9+\\-]{0,6})+\\s*/\\s*");
    private static final Pattern UNKNOWN_SLASH_TAIL = Pattern.compile("((?:\\s*/\\s*[A-Za-z][A-Za-z0-9+\\-]{0,6})+)\\s*[:=]?\\s*(?=\\d)");
    private static final Pattern UNKNOWN_SLASH_HEAD = Pattern.compile("(?<![A-Za-z0-9])((?:[A-Za-z][A-Za-z0-9+\\-]{0,6}\\s*/\\s*)+)$");
    private static final Pattern SLASH_WORD = Pattern.compile("[A-Za-z][A-Za-z0-9+\\-]{0,6}");

    /** Places in a slash group held by names that are no measure of ours: each takes its value and files nothing. */
    private static void unknownNames(String gap, int offset, List<Name> names) {
        java.util.regex.Matcher w = SLASH_WORD.matcher(gap);
        while (w.find()) {
            names.add(new Name(Target.MEASURE, null, false, offset + w.start(), offset + w.end()));
        }
    }

    private record Ctx(String s, NormalizedText nt, boolean zh, List<Reading> readings, List<Doubt> doubts, List<Range> ranges,
                       List<Spans.Span> spans) {
    }

    private static int slots(Name n) {
        return n.target() == Target.BP_PAIR ? 2 : 1;
    }

    private static boolean anyQual(List<Item> items) {
        for (int i = 0; i < items.size(); i++) {
            if (i > 0 && !items.get(i).quals().isEmpty()) {
                return true;
            }
        }
        return items.size() > 1 && !items.get(0).quals().isEmpty()
                && items.get(0).quals().stream().anyMatch(q -> q.start() > items.get(0).num().end());
    }

    private void associate(Ctx c, List<Name> names, List<Item> items, boolean slashNames, boolean coordinated) {
        int slots = names.stream().mapToInt(ValueExtractor::slots).sum();
        if (names.size() == 1) {
            single(c, names.get(0), items);
            return;
        }
        if (items.size() == slots && !anyQual(items)) {
            int at = 0;
            for (Name n : names) {
                if (n.target() == Target.BP_PAIR) {
                    if (items.get(at + 1).before() != Gap.SLASH) {
                        ambiguous(c, names, items);
                        return;
                    }
                    at += 2;
                } else {
                    at++;
                }
            }
            at = 0;
            for (Name n : names) {
                int take = slots(n);
                one(c, n, items.subList(at, at + take), n.start(), true);
                at += take;
            }
            return;
        }
        if (!slashNames && !coordinated) {
            single(c, names.get(names.size() - 1), items);
            return;
        }
        ambiguous(c, names, items);
    }

    private static void ambiguous(Ctx c, List<Name> names, List<Item> items) {
        int a = names.get(0).start();
        int b = items.get(items.size() - 1).num().end();
        c.doubts().add(new Doubt(Doubt.Kind.AMBIGUOUS, null, null, c.nt().originalSpan(a, b).strip()));
        c.spans().add(new Spans.Span(a, b));
    }

    /** One name and its values: the first reading, then later readings of the same measure set apart by time or context. */
    private void single(Ctx c, Name n, List<Item> items) {
        int take = slots(n);
        if (take == 1 && items.size() > 1 && items.get(1).before() == Gap.SLASH && n.target() != Target.FEVER) {
            ambiguous(c, List.of(n), items); // "K 138/101/4.1": one name before a slash group of values
            return;
        }
        if (items.size() < take || take == 2 && items.get(1).before() != Gap.SLASH) {
            return;
        }
        one(c, n, items.subList(0, take), n.start(), false);
        int at = take;
        while (at + take <= items.size()) {
            List<Item> next = items.subList(at, at + take);
            List<Item> prev = items.subList(at - take, at);
            boolean setApart = next.stream().anyMatch(x -> !x.quals().isEmpty()) || prev.stream().anyMatch(x -> !x.quals().isEmpty());
            if (!setApart || next.get(0).before() == Gap.SLASH || take == 2 && next.get(1).before() != Gap.SLASH) {
                return;
            }
            int from = next.get(0).quals().isEmpty() ? next.get(0).num().start()
                    : Math.min(next.get(0).num().start(), next.get(0).quals().get(0).start());
            if (!one(c, n, next, from, false)) {
                return;
            }
            at += take;
        }
    }

    private static final Set<Unit> TEMPERATURE_UNITS = EnumSet.of(Unit.CEL, Unit.FAH, Unit.DEG);

    private static final Map<Measure, Set<Unit>> ACCEPTS = new java.util.EnumMap<>(Measure.class);

    static {
        for (Measure m : Measure.values()) {
            ACCEPTS.put(m, acceptedUnits(m));
        }
    }

    /** The units each measure accepts; any other unit refuses the value. */
    private static Set<Unit> accepts(Measure m) {
        return ACCEPTS.get(m);
    }

    private static Set<Unit> acceptedUnits(Measure m) {
        return switch (m) {
            case BODY_TEMPERATURE -> TEMPERATURE_UNITS;
            case HEART_RATE, RESPIRATORY_RATE -> EnumSet.of(Unit.RATE);
            case OXYGEN_SATURATION -> EnumSet.of(Unit.PCT);
            case SYSTOLIC_BP, DIASTOLIC_BP -> EnumSet.of(Unit.MMHG, Unit.KPA);
            case WBC, PLATELETS -> EnumSet.of(Unit.PER_L9, Unit.PER_UL);
            case CRP, HS_CRP -> EnumSet.of(Unit.MG_L, Unit.MG_DL);
            case HEMOGLOBIN -> EnumSet.of(Unit.G_L, Unit.G_DL);
            case GLUCOSE -> EnumSet.of(Unit.MMOL_L, Unit.MG_DL);
            case CREATININE -> EnumSet.of(Unit.UMOL_L, Unit.MG_DL, Unit.MMOL_L);
            case TROPONIN_I -> EnumSet.of(Unit.NG_ML, Unit.UG_L, Unit.NG_L, Unit.PG_ML);
            case NT_PROBNP, BNP -> EnumSet.of(Unit.PG_ML, Unit.NG_L, Unit.NG_ML);
            case D_DIMER -> EnumSet.of(Unit.MG_L, Unit.UG_ML, Unit.NG_ML, Unit.UG_L);
            case PROCALCITONIN -> EnumSet.of(Unit.NG_ML, Unit.UG_L);
            case POTASSIUM, SODIUM -> EnumSet.of(Unit.MMOL_L, Unit.MEQ_L);
        };
    }

    /**
     * Files one reading of {@code n} from its value(s) (two for a blood pressure pair); false when the
     * values are not a reading of that measure.
     */
    private boolean one(Ctx c, Name n, List<Item> values, int start, boolean paired) {
        Item first = values.get(0);
        Item lastItem = values.get(values.size() - 1);
        Num num = first.num();
        int end = lastItem.num().end();
        List<Qual> quals = new ArrayList<>();
        values.forEach(v -> quals.addAll(v.quals()));
        int spanEnd = quals.stream().mapToInt(Qual::end).max().orElse(end);
        spanEnd = Math.max(spanEnd, end);
        Measure m = n.measure();
        if (m == null) {
            return true;
        }
        // a reading's words: the name, its value and the qualifiers said with it; in a paired list, the name and
        // its own value only
        String text = paired && values.get(0).num().start() > n.end() + 1
                ? (c.nt().originalSpan(n.start(), n.end()).strip() + " " + c.nt().originalSpan(values.get(0).num().start(), end).strip())
                : c.nt().originalSpan(start, spanEnd).strip();
        if (n.target() == Target.BP_PAIR) {
            Num dia = lastItem.num();
            Unit unit = dia.unit() != null ? dia.unit() : num.unit();
            if (unit != null && !accepts(Measure.SYSTOLIC_BP).contains(unit)) {
                c.doubts().add(new Doubt(Doubt.Kind.FOREIGN_UNIT, m.loinc(), "Blood pressure", text));
                c.spans().add(new Spans.Span(start, end));
                return false;
            }
            BigDecimal sys = num.value();
            BigDecimal d = dia.value();
            if (unit == Unit.KPA) {
                sys = Decimals.times(sys, "7.50062", 0);
                d = Decimals.times(d, "7.50062", 0);
            }
            if (num.rangeEnd() >= 0 || dia.rangeEnd() >= 0) {
                c.ranges().add(new Range(m.loinc(), "Blood pressure", c.nt().originalSpan(start, Math.max(dia.rangeEnd(), end)).strip()));
                c.spans().add(new Spans.Span(start, Math.max(dia.rangeEnd(), end)));
                return true;
            }
            String bound = num.comparator();
            c.readings().add(new Reading(Measure.SYSTOLIC_BP, Decimals.clean(sys), bound, start, end, text, quals, c.readings().size()));
            c.readings().add(new Reading(Measure.DIASTOLIC_BP, Decimals.clean(d), bound, start, end, text, quals, c.readings().size()));
            c.spans().add(new Spans.Span(start, spanEnd));
            return true;
        }
        if (values.size() != 1) {
            return false;
        }
        Unit unit = num.unit();
        BigDecimal v = num.value();
        if (n.target() == Target.FEVER) {
            boolean temperatureLike = unit != null && TEMPERATURE_UNITS.contains(unit)
                    || v.scale() > 0 && v.compareTo(new BigDecimal(35)) >= 0 || v.compareTo(new BigDecimal(95)) >= 0;
            if (!temperatureLike) {
                return false; // "发热30天", "fever 3 times": a fever word with a bare number is no temperature
            }
        }
        if (unit != null && !accepts(m).contains(unit)) {
            c.doubts().add(new Doubt(Doubt.Kind.FOREIGN_UNIT, m.loinc(), m.display(), text));
            c.spans().add(new Spans.Span(start, end));
            return false;
        }
        if (m == Measure.BODY_TEMPERATURE && unit == null && v.compareTo(new BigDecimal(25)) < 0) {
            return false; // "T2", "T12": a stage or a vertebra, not a temperature
        }
        if (m == Measure.OXYGEN_SATURATION && (v.compareTo(BigDecimal.TEN) < 0)) {
            return false;
        }
        if (num.rangeEnd() >= 0) {
            c.ranges().add(new Range(m.loinc(), m.display(), c.nt().originalSpan(start, num.rangeEnd()).strip()));
            c.spans().add(new Spans.Span(start, num.rangeEnd()));
            return true;
        }
        BigDecimal converted = convert(m, v, unit, c.zh());
        c.readings().add(new Reading(m, converted, num.comparator(), start, end, text, quals, c.readings().size()));
        c.spans().add(new Spans.Span(start, spanEnd));
        return true;
    }

    // ------------------------------------------------------------------ one current value per measure

    private Read resolve(Ctx c) {
        Map<Measure, List<Reading>> by = new LinkedHashMap<>();
        for (Reading r : c.readings()) {
            by.computeIfAbsent(r.measure(), x -> new ArrayList<>()).add(r);
        }
        List<Reading> current = new ArrayList<>();
        List<Reading> earlier = new ArrayList<>();
        List<Doubt> doubts = new ArrayList<>(c.doubts());
        for (Map.Entry<Measure, List<Reading>> e : by.entrySet()) {
            List<Reading> rs = new ArrayList<>();
            for (Reading r : e.getValue()) {
                boolean same = rs.stream().anyMatch(x -> x.value().compareTo(r.value()) == 0 && Objects.equals(x.comparator(), r.comparator())
                        && kinds(x).equals(kinds(r)));
                if (!same) {
                    rs.add(r);
                }
            }
            if (rs.size() == 1) {
                // one reading: current, unless its words say it cannot be ("baseline", "yesterday")
                (rs.get(0).quals().stream().anyMatch(Qual::strong) ? earlier : current).add(rs.get(0));
                continue;
            }
            int lastCurrent = -1;
            for (int i = 0; i < rs.size(); i++) {
                if (kinds(rs.get(i)).contains(When.CURRENT) || kinds(rs.get(i)).contains(When.LATER)) {
                    lastCurrent = i;
                }
            }
            boolean unsaidAfterNow = false;
            for (int i = lastCurrent + 1; lastCurrent >= 0 && i < rs.size(); i++) {
                unsaidAfterNow |= rs.get(i).quals().isEmpty();
            }
            // nothing sets them apart, or a value said after the one stated as current with no words of its own
            // ("today troponin 2.33 ... troponin 2.59"): both filed, the clinician says which is current
            boolean onlySites = rs.stream().allMatch(r -> kinds(r).stream().allMatch(w -> w == When.SITE));
            if (rs.stream().allMatch(r -> r.quals().isEmpty()) || unsaidAfterNow || onlySites) {
                // two different values and nothing that sets them apart: both filed, the clinician says which is current
                current.addAll(rs);
                Measure m = e.getKey();
                if (m != Measure.DIASTOLIC_BP) {
                    doubts.add(new Doubt(Doubt.Kind.TWO_VALUES, m.loinc(), m == Measure.SYSTOLIC_BP ? "Blood pressure" : m.display(),
                            c.nt().originalSpan(rs.get(0).start(), rs.get(0).end()).strip() + " / "
                                    + c.nt().originalSpan(rs.get(1).start(), rs.get(1).end()).strip()));
                }
                continue;
            }
            int now = -1;
            for (int i = 0; i < rs.size(); i++) {
                if (kinds(rs.get(i)).contains(When.CURRENT) || kinds(rs.get(i)).contains(When.LATER)) {
                    now = i;
                }
            }
            if (now < 0) {
                for (int i = 0; i < rs.size(); i++) {
                    if (!kinds(rs.get(i)).contains(When.EARLIER)) {
                        now = i;
                    }
                }
            }
            if (now < 0) {
                now = rs.size() - 1;
            }
            for (int i = 0; i < rs.size(); i++) {
                (i == now ? current : earlier).add(rs.get(i));
            }
        }
        current.sort(Comparator.comparingInt(Reading::order));
        earlier.sort(Comparator.comparingInt(Reading::order));
        List<ClinicalValue> values = new ArrayList<>();
        for (Reading r : current) {
            values.add(value(c, r));
        }
        List<ClinicalValue> before = new ArrayList<>();
        for (Reading r : earlier) {
            List<Qual> said = r.quals().stream().filter(q -> q.when() != When.LATER).toList();
            String when = said.isEmpty() ? (c.zh() ? "此前" : "earlier")
                    : String.join(", ", said.stream().map(q -> c.nt().originalSpan(q.start(), q.end()).strip()).toList());
            before.add(value(c, r).earlier(when));
        }
        return new Read(values, before, c.spans(), c.ranges(), doubts);
    }

    private static Set<When> kinds(Reading r) {
        Set<When> w = EnumSet.noneOf(When.class);
        r.quals().forEach(q -> w.add(q.when()));
        return w;
    }

    private static ClinicalValue value(Ctx c, Reading r) {
        Measure m = r.measure();
        return new ClinicalValue(m.loinc(), m.display(), r.value(), m.unit(), r.text(), r.comparator());
    }

    /** The value in the measure's standard unit. */
    static BigDecimal convert(Measure m, BigDecimal v, Unit unit, boolean zh) {
        return switch (m) {
            case BODY_TEMPERATURE -> {
                boolean fahrenheit = unit == Unit.FAH || unit == null && !zh && v.compareTo(new BigDecimal(80)) >= 0
                        || unit == Unit.DEG && !zh && v.compareTo(new BigDecimal(80)) >= 0;
                yield fahrenheit ? Decimals.fahrenheitToCelsius(v) : Decimals.clean(v);
            }
            case WBC, PLATELETS -> {
                boolean perMicrolitre = unit == Unit.PER_UL || unit == null && v.compareTo(new BigDecimal(2000)) >= 0;
                yield perMicrolitre ? Decimals.times(v, "0.001") : Decimals.clean(v);
            }
            case CRP, HS_CRP -> unit == Unit.MG_DL ? Decimals.times(v, "10") : Decimals.clean(v);
            case HEMOGLOBIN -> unit == Unit.G_DL || unit == null && v.compareTo(new BigDecimal(25)) < 0
                    ? Decimals.times(v, "10") : Decimals.clean(v);
            case GLUCOSE -> unit == Unit.MG_DL || unit == null && !zh && v.compareTo(new BigDecimal(35)) >= 0
                    ? Decimals.divide(v, "18.016", 1) : Decimals.clean(v);
            case CREATININE -> unit == Unit.MMOL_L ? Decimals.times(v, "1000", 0)
                    : unit == Unit.MG_DL || unit == null && !zh && v.compareTo(new BigDecimal(20)) < 0
                    ? Decimals.times(v, "88.4", 0) : Decimals.clean(v);
            case TROPONIN_I -> unit == Unit.NG_L || unit == Unit.PG_ML ? Decimals.times(v, "0.001") : Decimals.clean(v);
            case NT_PROBNP, BNP -> unit == Unit.NG_ML ? Decimals.times(v, "1000") : Decimals.clean(v);
            case D_DIMER -> unit == Unit.NG_ML || unit == Unit.UG_L ? Decimals.times(v, "0.001") : Decimals.clean(v);
            default -> Decimals.clean(v);
        };
    }
}
