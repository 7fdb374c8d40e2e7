package org.mededge.fusion.extract;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.mededge.fusion.ClinicalValue;

/**
 * Reads vital signs and laboratory values, written or dictated, in Chinese or English, and
 * converts them to the standard unit of {@link Measure}. Plausibility is judged later
 * ({@code safety.Plausibility}): this reads what the note says.
 */
public final class ValueExtractor {

    /** A keyword followed by words that are not digits nor a clause end ("体温最高", "temperature this morning was"). */
    private static final String FILLER = "[^\\d\\n.;,。；、!?()]{0,24}?";
    /** A bound instead of a value: "<0.01", "less than 5", "小于5" (FHIR Quantity.comparator). */
    private static final String BOUND = "<=|>=|[<>＜＞≤≥≦≧]|(?i:less\\s+than|lower\\s+than|greater\\s+than|more\\s+than|higher\\s+than"
            + "|below|above|under|over)|不超过|不高于|不低于|不少于|小于|低于|少于|不足|大于|高于|超过|多于";
    private static final String CONNECTOR = "\\s*(?:[:=]|(?i:is|was|of|at|are|were)\\b|为|是)?\\s*(?:" + BOUND + ")?\\s*";
    private static final Pattern BOUND_BEFORE_VALUE = Pattern.compile("(?:" + BOUND + ")\\s*$");
    /** A second number right after a value makes it a range ("WBC 8-12", "ninety to one hundred", "90～100"). */
    private static final Pattern RANGE_AFTER_VALUE = Pattern.compile("\\s*(?:-|–|—|~|～|〜|(?i:to)(?![A-Za-z])|至|到)\\s*\\d+(?:\\.\\d+)?");
    private static final String NUM = "(\\d{1,6}(?:\\.\\d{1,4})?)";

    private record Rule(Measure measure, Pattern pattern) {
    }

    private final List<Rule> rules = new ArrayList<>();
    private final Pattern bloodPressure;
    private final Pattern temperature;
    /** "fevers up to 39.4 C", "高热39.5℃": a temperature after a fever word, only with a unit or a decimal */
    private final Pattern fever;

    public ValueExtractor() {
        temperature = keyword("body\\s+temperature|temperature|temp\\.?|体温",
                "(?<![A-Za-z])(?:T|Temp|Tmax|Tm)(?![A-Za-z])",
                "(\\d{2,3}(?:\\.\\d{1,2})?)(?:\\s*度(\\d)(?![\\d.]))?\\s*"
                        + "(°\\s*[CcFf]|℃|℉|摄氏度|度|(?i:degrees?\\s*(?:celsius|centigrade|fahrenheit|c|f)?|deg\\.?\\s*[cf]?|celsius|fahrenheit)|[CF](?![A-Za-z]))?");
        fever = keyword("fevers?(?:\\s+(?:up\\s+)?to)?|febrile(?:\\s+to)?|pyrexi(?:a|al)|高热|低热|发热|发烧",
                "(?!)",
                "(\\d{2,3}(?:\\.\\d{1,2})?)(?:\\s*度(\\d)(?![\\d.]))?\\s*"
                        + "(°\\s*[CcFf]|℃|℉|摄氏度|度|(?i:degrees?\\s*(?:celsius|centigrade|fahrenheit|c|f)?|deg\\.?\\s*[cf]?|celsius|fahrenheit)|[CF](?![A-Za-z]))?");
        bloodPressure = keyword("blood\\s+pressure|血压",
                "(?<![A-Za-z])(?:BP|B/P|NIBP|Bp)(?![A-Za-z])",
                "(\\d{2,3}(?:\\.\\d)?)\\s*(?:/|(?i:over)|比|\\\\)\\s*(\\d{2,3}(?:\\.\\d)?)\\s*(mm\\s*Hg|mmhg|MMHG|毫米汞柱|kPa|KPa|kpa|千帕)?");
        add(Measure.HEART_RATE, "heart\\s+rate|pulse\\s+rate|pulse|心率|脉搏|脉率|心室率",
                "(?<![A-Za-z])(?:HR|Hr|P)(?![A-Za-z])", rateUnit());
        add(Measure.RESPIRATORY_RATE, "respiratory\\s+rate|respiration\\s+rate|resp\\.?\\s+rate|respirations|breathing\\s+rate|呼吸频率",
                "(?<![A-Za-z])(?:RR|R|Resp)(?![A-Za-z])|呼吸", rateUnit());
        add(Measure.OXYGEN_SATURATION, "oxygen\\s+saturation|o2\\s+saturation|saturation|saturating|pulse\\s+ox(?:imetry)?|经皮血氧饱和度|血氧饱和度|指脉氧饱和度|指脉氧|氧饱和度|血氧",
                "(?<![A-Za-z])(?:SpO2|SPO2|spO2|spo2|SpO₂|SaO2|O2\\s*sat|O2\\s*sats|sats|Sats|sat|Sat)(?![A-Za-z])",
                "(%|(?i:percent|per\\s+cent))?");

        String per109 = "[x×*X]?\\s*10\\s*(?:\\^|\\*\\*?|E|e)?\\s*9\\s*/\\s*L|10⁹\\s*/\\s*L|G/L|[Kk]/[uµμ][Ll]|[x×*X]?\\s*10\\s*(?:\\^|\\*\\*?)?\\s*3\\s*/\\s*(?:[uµμ][Ll]|mm3)|thou/[uµμ][Ll]";
        String perUl = "(?:cells\\s*)?/\\s*(?:[uµμ][Ll]|mm3|mm³)";
        add(Measure.WBC, "white\\s+blood\\s+cells?(?:\\s+count)?|white\\s+(?:cell\\s+)?count|white\\s+cells?|leukocytes?(?:\\s+count)?|leucocytes?|血白细胞|白细胞计数|白细胞",
                "(?<![A-Za-z])(?:WBC|wbc|Wbc)(?![A-Za-z])", "(" + per109 + "|" + perUl + ")?");
        add(Measure.HS_CRP, "high[-\\s]sensitivity\\s+C[-\\s]reactive\\s+protein|超敏C-?反应蛋白",
                "(?<![A-Za-z])(?:hs-?CRP|hsCRP|HS-?CRP)(?![A-Za-z])", "(mg/L|mg/l|mg/dL|mg/dl)?");
        add(Measure.CRP, "(?<!sensitivity )C[-\\s]reactive\\s+protein|(?<!超敏)C-?反应蛋白",
                "(?<![A-Za-z-])CRP(?![A-Za-z])", "(mg/L|mg/l|mg/dL|mg/dl)?");
        add(Measure.HEMOGLOBIN, "(?<!glycated |glycosylated )ha?emoglobin(?!\\s*A1c)|(?<!糖化)血红蛋白",
                "(?<![A-Za-z])(?:Hgb|HGB|Hb|HB|hgb)(?![A-Za-z0-9])", "(g/L|g/l|g/dL|g/dl)?");
        add(Measure.PLATELETS, "platelets?(?:\\s+count)?|血小板计数|血小板",
                "(?<![A-Za-z])(?:PLT|Plt|plt|Plts)(?![A-Za-z])", "(" + per109 + "|" + perUl + ")?");
        add(Measure.GLUCOSE, "fasting\\s+(?:blood\\s+)?glucose|random\\s+(?:blood\\s+)?glucose|blood\\s+glucose|blood\\s+sugar|glucose|空腹血糖|随机血糖|餐后血糖|指尖血糖|血糖|葡萄糖",
                "(?<![A-Za-z])(?:GLU|Glu|BG|FBG|FPG|BSL)(?![A-Za-z])", "(mmol/L|mmol/l|mg/dL|mg/dl)?");
        add(Measure.CREATININE, "creatinine|血肌酐|肌酐",
                "(?<![A-Za-z])(?:Cr|Cre|SCr|Scr|sCr|CREA|Crea)(?![A-Za-z])", "([uµμ]mol/[Ll]|mg/d[Ll])?");
        add(Measure.TROPONIN_I, "troponin\\s+I|troponin|高敏肌钙蛋白I|高敏肌钙蛋白|肌钙蛋白I|肌钙蛋白",
                "(?<![A-Za-z])(?:hs-?cTnI|hs-?TnI|cTnI|TnI|Trop\\s*I|trop|Trop)(?![A-Za-z])",
                "(ng/m[Ll]|[uµμ]g/[Ll]|ng/[Ll]|pg/m[Ll])?");
        add(Measure.NT_PROBNP, "N[-\\s]terminal\\s+pro[-\\s]?B[-\\s]type\\s+natriuretic\\s+peptide|N末端B型利钠肽原|N末端B型钠尿肽原|N末端脑钠肽前体|N端脑钠肽前体|氨基末端脑钠肽前体|脑钠肽前体",
                "(?<![A-Za-z])(?:NT-?pro-?BNP|NTproBNP|NT-proBNP|nt-?probnp)(?![A-Za-z])", "(pg/m[Ll]|ng/[Ll]|ng/m[Ll])?");
        // BNP is not NT-proBNP (another assay, other cut-offs): 脑钠肽 / B型钠尿肽 alone is BNP, 脑钠肽前体 and
        // "pro-B-type" are NT-proBNP
        add(Measure.BNP, "(?<!pro[-\\s]?)B[-\\s]type\\s+natriuretic\\s+peptide|brain\\s+natriuretic\\s+peptide|B型钠尿肽(?!原)|B型利钠肽(?!原)|脑钠肽(?!前体)",
                "(?<![A-Za-z-])BNP(?![A-Za-z])", "(pg/m[Ll]|ng/[Ll]|ng/m[Ll])?");
        add(Measure.D_DIMER, "D-?\\s?dimer|d-?\\s?dimer|D-?二聚体",
                "(?!)", "((?:mg/[Ll]|[uµμ]g/m[Ll])(?:\\s*FEU)?|(?:ng/m[Ll]|[uµμ]g/[Ll])(?:\\s*FEU)?)?");
        add(Measure.PROCALCITONIN, "procalcitonin|降钙素原",
                "(?<![A-Za-z])PCT(?![A-Za-z])", "(ng/m[Ll]|[uµμ]g/[Ll])?");
        add(Measure.POTASSIUM, "potassium|血钾",
                "(?<![A-Za-z])K\\+?(?![A-Za-z])|钾", "(mmol/[Ll]|mEq/[Ll]|meq/[Ll])?");
        add(Measure.SODIUM, "sodium|血钠",
                "(?<![A-Za-z])Na\\+?(?![A-Za-z])|钠", "(mmol/[Ll]|mEq/[Ll]|meq/[Ll])?");
    }

    private static String rateUnit() {
        return "(次/分钟|次/分|次/min|次每分钟|次每分|次|(?i:bpm|beats?\\s*(?:per|/|a)\\s*min(?:ute)?|breaths?\\s*(?:per|/|a)\\s*min(?:ute)?|/\\s*min|per\\s+min(?:ute)?|rpm))?";
    }

    private static Pattern keyword(String longKw, String shortKw, String valueAndUnit) {
        return Pattern.compile("(?:(?<![A-Za-z])(?i:" + longKw + ")" + FILLER + "|(?:" + shortKw + ")" + CONNECTOR + ")"
                + valueAndUnit);
    }

    private void add(Measure m, String longKw, String shortKw, String unit) {
        String value = m == Measure.OXYGEN_SATURATION ? "(\\d{2,3}(?:\\.\\d)?)\\s*" : NUM + "\\s*(?:[↑↓]\\s*)?";
        rules.add(new Rule(m, keyword(longKw, shortKw, value + unit)));
    }

    /**
     * All values the text states, in text order.
     *
     * @param skip     normalized positions that must not start a keyword (headings such as SOAP "P:")
     * @param language "zh" or "en": decides the unit of a unitless temperature, glucose or creatinine
     */
    public List<ClinicalValue> extract(NormalizedText nt, String language, Predicate<Integer> skip) {
        return read(nt, language, skip).values();
    }

    /** What {@link #extract} returns, and the spans of normalized text that every reading took (kept or not). */
    public record Read(List<ClinicalValue> values, List<Spans.Span> spans, List<Range> ranges, List<Doubt> doubts) {
    }

    /** A range stated where one reading belongs ("HR 90-100"): not a value, so kept out of the fields. */
    public record Range(String code, String display, String text) {
    }

    /** Like {@link #extract}, with the spans the readings took. */
    public Read read(NormalizedText nt, String language, Predicate<Integer> skip) {
        String s = nt.text();
        List<Found> found = new ArrayList<>();
        List<Doubt> doubts = new ArrayList<>();
        boolean zh = "zh".equals(language);

        for (Pattern tp : List.of(temperature, fever)) {
        Matcher t = tp.matcher(s);
        while (t.find()) {
            if (skip.test(t.start())) {
                continue;
            }
            if (tp == fever && t.group(3) == null && t.group(2) == null
                    && !(t.group(1).contains(".") && new BigDecimal(t.group(1)).compareTo(new BigDecimal(35)) >= 0)
                    && new BigDecimal(t.group(1)).compareTo(new BigDecimal(95)) < 0) {
                continue; // "发热30天", "fever 39": a fever word with a bare whole number is not read as a temperature
            }
            BigDecimal v = new BigDecimal(t.group(1));
            String unit = t.group(3) == null ? "" : t.group(3).toLowerCase(Locale.ROOT).replace(" ", "");
            if (t.group(2) != null) {
                if (t.group(1).contains(".")) {
                    unit = "度"; // 三十八点七度零 (38.7度0): the value has its decimals; the stray digit after 度 is not one
                } else {
                    v = new BigDecimal(t.group(1) + "." + t.group(2)); // 三十八度六 = 38.6
                }
            }
            boolean fahrenheit = unit.contains("f") || unit.equals("℉")
                    || (unit.isEmpty() && !zh && v.compareTo(new BigDecimal(80)) >= 0);
            if (unit.contains("c") || unit.equals("℃") || unit.contains("度") || unit.contains("摄氏")) {
                fahrenheit = false;
            }
            if (unit.isEmpty() && v.compareTo(new BigDecimal(25)) < 0) {
                continue; // "T2", "T12": a stage or a vertebra, not a temperature
            }
            BigDecimal c = fahrenheit ? Decimals.fahrenheitToCelsius(v) : Decimals.clean(v);
            int foreign = t.group(3) == null && t.group(2) == null ? foreignUnitEnd(s, t.end()) : -1;
            if (foreign >= 0) {
                found.add(new Found(Measure.BODY_TEMPERATURE, v, t.start(), t.start(1), t.end(), null, -1, foreign));
                continue;
            }
            found.add(new Found(Measure.BODY_TEMPERATURE, c, t.start(), t.start(1), t.end(), comparator(s, t.start(), t.start(1)),
                    rangeEnd(s, t.group(2) != null ? t.end(2) : t.end(1))));
        }
        }

        Matcher bp = bloodPressure.matcher(s);
        while (bp.find()) {
            if (skip.test(bp.start())) {
                continue;
            }
            BigDecimal sys = new BigDecimal(bp.group(1));
            BigDecimal dia = new BigDecimal(bp.group(2));
            String unit = bp.group(3) == null ? "" : bp.group(3).toLowerCase(Locale.ROOT);
            if (unit.contains("kpa") || unit.contains("千帕")) {
                sys = Decimals.times(sys, "7.50062", 0);
                dia = Decimals.times(dia, "7.50062", 0);
            } else {
                sys = Decimals.clean(sys);
                dia = Decimals.clean(dia);
            }
            String bound = comparator(s, bp.start(), bp.start(1)); // "BP <90/60": both below
            int range = rangeEnd(s, bp.end(2));
            found.add(new Found(Measure.SYSTOLIC_BP, sys, bp.start(), bp.start(1), bp.end(), bound, range));
            found.add(new Found(Measure.DIASTOLIC_BP, dia, bp.start(), bp.start(1), bp.end(), bound, range));
        }

        for (Rule r : rules) {
            Matcher m = r.pattern.matcher(s);
            while (m.find()) {
                if (skip.test(m.start())) {
                    continue;
                }
                BigDecimal v = new BigDecimal(m.group(1));
                String unit = m.groupCount() >= 2 && m.group(2) != null ? m.group(2) : "";
                int foreign = unit.isEmpty() ? foreignUnitEnd(s, m.end()) : -1;
                if (foreign >= 0) {
                    found.add(new Found(r.measure, v, m.start(), m.start(1), m.end(), null, -1, foreign));
                    continue;
                }
                BigDecimal converted = convert(r.measure, v, unit.replace(" ", ""), zh);
                if (converted != null) {
                    found.add(new Found(r.measure, converted, m.start(), m.start(1), m.end(), comparator(s, m.start(), m.start(1)),
                            rangeEnd(s, m.end(1))));
                }
            }
        }

        found.sort(Comparator.comparingInt(Found::start));
        // a value belongs to the measure name that governs it, the nearest before it: "procalcitonin since
        // temperature 38.2", "potassium and heart rate 112" are a temperature and a heart rate, and the
        // first name, with no value of its own, takes none
        found.removeIf(f -> found.stream().anyMatch(g -> g.measure != f.measure && g.valueStart == f.valueStart
                && g.start > f.start && !(bloodPressure(f.measure) && bloodPressure(g.measure))));
        // the governing name's reading stands, but a unit that cannot be its measure's refuses it
        found.removeIf(f -> {
            if (f.foreignUnitEnd < 0) {
                return false;
            }
            doubts.add(new Doubt(Doubt.Kind.FOREIGN_UNIT, f.measure.loinc(), f.measure.display(),
                    nt.originalSpan(f.start, f.foreignUnitEnd).strip()));
            return true;
        });
        List<ClinicalValue> out = new ArrayList<>();
        List<Found> kept = new ArrayList<>();
        List<Range> ranges = new ArrayList<>();
        for (Found f : found) {
            // one reading per span: a longer keyword already took these words (hs-CRP vs CRP)
            boolean overlapsOther = kept.stream().anyMatch(k -> k.measure != f.measure
                    && !(k.measure == Measure.SYSTOLIC_BP && f.measure == Measure.DIASTOLIC_BP)
                    && f.start < k.end && k.start < f.end);
            boolean duplicate = kept.stream().anyMatch(k -> k.measure == f.measure && k.value.compareTo(f.value) == 0
                    && Objects.equals(k.comparator, f.comparator));
            if (overlapsOther || duplicate) {
                continue;
            }
            kept.stream().filter(k -> k.measure == f.measure && k.rangeEnd < 0 && f.rangeEnd < 0
                            && (k.value.compareTo(f.value) != 0 || !Objects.equals(k.comparator, f.comparator))
                            && !TIME_CONTEXT.matcher(s.substring(k.start, f.end)).find()).findFirst()
                    .ifPresent(k -> doubts.add(new Doubt(Doubt.Kind.TWO_VALUES, f.measure.loinc(), f.measure.display(),
                            nt.originalSpan(k.start, k.end) + " / " + nt.originalSpan(f.start, f.end))));
            kept.add(f);
            if (f.rangeEnd >= 0) {
                if (f.measure != Measure.DIASTOLIC_BP) { // one entry for a blood pressure, under its systolic code
                    ranges.add(new Range(f.measure.loinc(), f.measure == Measure.SYSTOLIC_BP ? "Blood pressure" : f.measure.display(),
                            nt.originalSpan(f.start, f.rangeEnd)));
                }
                continue;
            }
            Measure m = f.measure;
            out.add(new ClinicalValue(m.loinc(), m.display(), f.value, m.unit(), nt.originalSpan(f.start, f.end), f.comparator));
        }
        return new Read(out, found.stream().map(f -> new Spans.Span(f.start, Math.max(f.end, f.rangeEnd))).toList(), ranges,
                doubts);
    }

    private static boolean bloodPressure(Measure m) {
        return m == Measure.SYSTOLIC_BP || m == Measure.DIASTOLIC_BP;
    }

    /**
     * Units that name what a number measures. Right after a value whose own unit did not match, one of
     * these says the value is not that measure's ("heart rate 96 mg/L", "体温37.9mmHg", "procalcitonin
     * 38.2 C"): the value is refused, not filed under the measure's own unit.
     */
    private static final Pattern UNIT_AFTER = Pattern.compile("\\s*(?:℃|℉|°\\s*[CcFf]|摄氏度|mm\\s*Hg|mmhg|kPa|千帕|%|"
            + "(?:m|u|µ|μ|n|p)?(?:mol|g)/(?:d|m)?[Ll]|(?:mg|g|ng|pg|ug|µg|μg)/(?:d|m)?[Ll]|[x×*]?\\s*10\\s*\\^?\\s*(?:9|12)\\s*/\\s*L|"
            + "次/分钟?|次每分钟?|bpm|/\\s*min|(?i:beats?\\s+per\\s+min(?:ute)?|breaths?\\s+per\\s+min(?:ute)?|degrees?\\s+(?:celsius|fahrenheit))|"
            + "[CF](?=\\s|$|[,.;:，。；、)]))");

    /** Where a unit that names another kind of measure, right after {@code valueEnd}, ends; else -1. */
    private static int foreignUnitEnd(String s, int valueEnd) {
        Matcher u = UNIT_AFTER.matcher(s).region(valueEnd, s.length());
        return u.lookingAt() ? u.end() : -1;
    }

    /** Words that set two readings of one measure apart in time or context ("on arrival ..., now ..."). */
    private static final Pattern TIME_CONTEXT = Pattern.compile("(?i:on\\s+arrival|at\\s+admission|admission|initially|initial|baseline|"
            + "previous(?:ly)?|earlier|before|after|now|currently|today|yesterday|repeat(?:ed)?|recheck(?:ed)?|later|then|post|"
            + "at\\s+rest|on\\s+exertion|on\\s+room\\s+air|on\\s+\\d+\\s*L|on\\s+oxygen)"
            + "|入院时|入院|就诊时|初始|基线|之前|此前|既往|之后|后|现在|现|目前|今日|今天|昨日|昨天|复查|再次|随后|吸氧|静息|活动");

    /**
     * A reading the report does not file: a unit that cannot be the measure's (kept out of the fields), or a
     * second, different value of a measure with nothing that sets the two apart (both filed, and flagged).
     */
    public record Doubt(Kind kind, String code, String display, String text) {
        public enum Kind { FOREIGN_UNIT, TWO_VALUES }
    }

    /** The bound the words right before the value state ("<", "less than", "不超过"), as a FHIR comparator, or null. */
    static String comparator(String s, int from, int valueStart) {
        Matcher b = BOUND_BEFORE_VALUE.matcher(s).region(from, valueStart);
        if (!b.find()) {
            return null;
        }
        String w = b.group().strip().toLowerCase(Locale.ROOT);
        if (w.equals("<=") || w.equals("≤") || w.equals("≦") || w.equals("不超过") || w.equals("不高于")) {
            return "<=";
        }
        if (w.equals(">=") || w.equals("≥") || w.equals("≧") || w.equals("不低于") || w.equals("不少于")) {
            return ">=";
        }
        return w.equals("<") || w.equals("＜") || w.startsWith("less") || w.startsWith("lower") || w.equals("below")
                || w.equals("under") || w.equals("小于") || w.equals("低于") || w.equals("少于") || w.equals("不足") ? "<" : ">";
    }

    /** The end of the range's second number when the value at {@code valueEnd} starts a range, else -1. */
    private static int rangeEnd(String s, int valueEnd) {
        Matcher r = RANGE_AFTER_VALUE.matcher(s).region(valueEnd, s.length());
        return r.lookingAt() ? r.end() : -1;
    }

    /** foreignUnitEnd: where a unit that cannot be this measure's ends (the reading is refused), else -1 */
    private record Found(Measure measure, BigDecimal value, int start, int valueStart, int end, String comparator,
                         int rangeEnd, int foreignUnitEnd) {
        Found(Measure measure, BigDecimal value, int start, int valueStart, int end, String comparator, int rangeEnd) {
            this(measure, value, start, valueStart, end, comparator, rangeEnd, -1);
        }
    }

    /** The value in the measure's standard unit, or null when the unit cannot be that measure's. */
    static BigDecimal convert(Measure m, BigDecimal v, String unit, boolean zh) {
        String u = unit.toLowerCase(Locale.ROOT).replace('µ', 'u').replace('μ', 'u');
        return switch (m) {
            case HEART_RATE, RESPIRATORY_RATE, OXYGEN_SATURATION, POTASSIUM, SODIUM, PROCALCITONIN -> Decimals.clean(v);
            case WBC, PLATELETS -> {
                boolean perMicrolitre = u.startsWith("/") || u.startsWith("cells");
                boolean unitless = u.isEmpty() && v.compareTo(new BigDecimal(2000)) >= 0;
                yield perMicrolitre || unitless ? Decimals.times(v, "0.001") : Decimals.clean(v);
            }
            case CRP, HS_CRP -> u.equals("mg/dl") ? Decimals.times(v, "10") : Decimals.clean(v);
            case HEMOGLOBIN -> u.equals("g/dl") || (u.isEmpty() && v.compareTo(new BigDecimal(25)) < 0)
                    ? Decimals.times(v, "10") : Decimals.clean(v);
            case GLUCOSE -> u.equals("mg/dl") || (u.isEmpty() && !zh && v.compareTo(new BigDecimal(35)) >= 0)
                    ? Decimals.divide(v, "18.016", 1) : Decimals.clean(v);
            case CREATININE -> u.equals("mg/dl") || (u.isEmpty() && !zh && v.compareTo(new BigDecimal(20)) < 0)
                    ? Decimals.times(v, "88.4", 0) : Decimals.clean(v);
            case TROPONIN_I -> u.equals("ng/l") || u.equals("pg/ml") ? Decimals.times(v, "0.001") : Decimals.clean(v);
            case NT_PROBNP, BNP -> u.equals("ng/ml") ? Decimals.times(v, "1000") : Decimals.clean(v);
            case D_DIMER -> u.startsWith("ng/ml") || u.startsWith("ug/l") ? Decimals.times(v, "0.001") : Decimals.clean(v);
            default -> Decimals.clean(v);
        };
    }
}
