package org.mededge.fusion.extract;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The first half of reading values: normalized text → tokens. Measure names (long names and the short
 * ones clinicians type), numbers with the unit written after them, time and context qualifiers
 * ("on arrival", "now", "on 3 L", 入院时, 吸氧后), and stretches that hold numbers but are not values
 * (durations, ages). Everything between two tokens is a gap the association step
 * ({@link ValueExtractor}) classifies: a separator, a connector, filler words or a clause end.
 */
final class ValueTokens {
    private ValueTokens() {
    }

    /** What a name names: a measure, a blood pressure pair ("BP 118/76") or a fever word (a temperature only with a unit). */
    enum Target { MEASURE, BP_PAIR, FEVER }

    sealed interface Tok permits Name, Num, Qual, Block {
        int start();

        int end();
    }

    /** @param strong a long name, which may take its value across filler words; a short one ("K", "T") only right after it */
    record Name(Target target, Measure measure, boolean strong, int start, int end) implements Tok {
    }

    /**
     * A number as written: value (万 applied; the "6" of "38度6" folded in), the bound before it (FHIR
     * comparator or null), the unit after it (canonical, or null), and where a range's second number ends (else -1).
     */
    record Num(BigDecimal value, String comparator, Unit unit, int rangeEnd, int start, int end) implements Tok {
    }

    /**
     * EARLIER: before now ("on arrival", "baseline"); {@link Qual#strong()} when it cannot be the present
     * either ("baseline", "yesterday", but not "on arrival", 入院时, which an admission note uses for now);
     * CURRENT: now; CONTEXT: a condition ("on room air", "on 3 L"); LATER: a change word between two
     * readings ("improving to", 升至), which makes the next one the later.
     */
    enum When { EARLIER, CURRENT, CONTEXT, LATER, SITE }

    record Qual(When when, String words, int start, int end) implements Tok {
        /** Words that govern the number after them ("now 95", "down from 9.0", 由120): never a trailing qualifier. */
        boolean leading() {
            return when == When.CURRENT || LEADING.matcher(words).matches();
        }

        boolean strong() {
            return when == When.EARLIER && STRONG_EARLIER.matcher(words).matches();
        }
    }

    private static final Pattern LEADING = Pattern.compile("(?i:(?:down|up|decreased|increased|dropped|fallen|risen|rose|fell|improved)\\s+from|from)");
    /** Where a reading was taken, not when: two readings that differ only by site are both current. */
    private static final Pattern SITE = Pattern.compile("(?i:(?<![A-Za-z])(?:(?:in\\s+the\\s+)?(?:left|right)\\s+arm|(?:lying|sitting|standing|supine)"
            + "(?:\\s+(?:down|up))?)(?![A-Za-z]))|左上肢|右上肢|左臂|右臂|卧位|立位|坐位");
    private static final Pattern FROM = Pattern.compile("(?i:(?<![A-Za-z])(?:down|up|decreased|increased|dropped|fallen|risen|rose|fell|improved)"
            + "\\s+from(?![A-Za-z]))");
    private static final Pattern STRONG_EARLIER = Pattern.compile("(?i:baseline|previously|previous|prior|earlier|yesterday|last\\s+(?:night|week|month|year)"
            + "|(?:a|one|two|three|\\d+)\\s+(?:days?|weeks?|months?|years?)\\s+ago"
            + "|overnight|this\\s+morning|pre-?op(?:eratively)?)|基线|之前|此前|昨日|昨天|昨晚|术前");

    /** Numbers that are not values: a duration, an age. */
    record Block(int start, int end) implements Tok {
    }

    /** Units as canonical kinds; {@link ValueExtractor} says which a measure accepts. */
    enum Unit { CEL, FAH, DEG, RATE, PCT, MMHG, KPA, PER_L9, PER_UL, MMOL_L, UMOL_L, MEQ_L, MG_DL, MG_L, G_L, G_DL, NG_ML, NG_L,
        PG_ML, UG_L, UG_ML }

    // ------------------------------------------------------------------ names

    private record NameRule(Target target, Measure measure, boolean strong, Pattern pattern) {
    }

    private static final List<NameRule> NAMES = new ArrayList<>();

    private static void strong(Measure m, String words) {
        NAMES.add(new NameRule(Target.MEASURE, m, true, Pattern.compile("(?<![A-Za-z])(?i:" + words + ")(?![A-Za-z])")));
    }

    /** Chinese names: no word boundaries. */
    private static void zh(Measure m, String words) {
        NAMES.add(new NameRule(Target.MEASURE, m, true, Pattern.compile(words)));
    }

    private static void weak(Measure m, String words) {
        NAMES.add(new NameRule(Target.MEASURE, m, false, Pattern.compile(words)));
    }

    static {
        NAMES.add(new NameRule(Target.BP_PAIR, Measure.SYSTOLIC_BP, true,
                Pattern.compile("(?<![A-Za-z])(?i:(?<!systolic |diastolic )blood\\s+pressure|(?<!systolic |diastolic )arterial\\s+pressure)(?![A-Za-z])|(?<![收舒])血压")));
        NAMES.add(new NameRule(Target.BP_PAIR, Measure.SYSTOLIC_BP, false,
                Pattern.compile("(?<![A-Za-z])(?:BP|B/P|NIBP|Bp|bp)(?![A-Za-z])")));
        NAMES.add(new NameRule(Target.FEVER, Measure.BODY_TEMPERATURE, true,
                Pattern.compile("(?<![A-Za-z])(?i:fevers?(?:\\s+(?:up\\s+)?to)?|febrile(?:\\s+to)?|pyrexi(?:a|al))(?![A-Za-z])|高热|低热|发热|发烧")));
        strong(Measure.BODY_TEMPERATURE, "body\\s+temperature|temperature|temp\\.?|tmax|t\\s*max");
        zh(Measure.BODY_TEMPERATURE, "体温|(?<![室水])温度");
        weak(Measure.BODY_TEMPERATURE, "(?<![A-Za-z])(?:T|BT|Tm|T°)(?![A-Za-z])");
        strong(Measure.SYSTOLIC_BP, "systolic(?:\\s+blood\\s+pressure|\\s+pressure|\\s+BP)?");
        strong(Measure.DIASTOLIC_BP, "diastolic(?:\\s+blood\\s+pressure|\\s+pressure|\\s+BP)?");
        zh(Measure.SYSTOLIC_BP, "收缩压|高压");
        zh(Measure.DIASTOLIC_BP, "舒张压|低压");
        weak(Measure.SYSTOLIC_BP, "(?<![A-Za-z])(?:SBP|sBP)(?![A-Za-z])");
        weak(Measure.DIASTOLIC_BP, "(?<![A-Za-z])(?:DBP|dBP)(?![A-Za-z])");
        strong(Measure.HEART_RATE, "heart\\s+rate|pulse\\s+rate|pulse(?!\\s+ox)");
        zh(Measure.HEART_RATE, "心率|脉搏|脉率|心室率");
        weak(Measure.HEART_RATE, "(?<![A-Za-z])(?:HR|Hr|hr|P|PR)(?![A-Za-z])");
        strong(Measure.RESPIRATORY_RATE, "respiratory\\s+rate|respiration\\s+rate|resp\\.?\\s+rate|respirations|breathing\\s+rate");
        zh(Measure.RESPIRATORY_RATE, "呼吸频率");
        weak(Measure.RESPIRATORY_RATE, "(?<![A-Za-z])(?:RR|R|Resp|resp)(?![A-Za-z])|呼吸(?!困难|音|道|科|衰|机|急促|暂停|系统|费力|运动|机能)");
        strong(Measure.OXYGEN_SATURATION, "oxygen\\s+saturations?|o2\\s+saturations?|saturations?|saturating|pulse\\s+ox(?:imetry)?|o2\\s+sats?");
        zh(Measure.OXYGEN_SATURATION, "经皮血氧饱和度|血氧饱和度|指脉氧饱和度|指脉氧|氧饱和度|血氧");
        weak(Measure.OXYGEN_SATURATION, "(?<![A-Za-z])(?:SpO2|SPO2|spO2|spo2|SpO₂|SaO2|sats|Sats|sat|Sat)(?![A-Za-z])");

        strong(Measure.WBC, "white\\s+blood\\s+cells?(?:\\s+count)?|white\\s+(?:cell\\s+)?count|white\\s+cells?|leukocytes?(?:\\s+count)?|leucocytes?");
        zh(Measure.WBC, "血白细胞|白细胞计数|白细胞");
        weak(Measure.WBC, "(?<![A-Za-z])(?:WBC|wbc|Wbc|WBCs|WCC|wcc|Wcc)(?![A-Za-z])");
        strong(Measure.HS_CRP, "high[-\\s]sensitivity\\s+C[-\\s]reactive\\s+protein");
        zh(Measure.HS_CRP, "超敏C-?反应蛋白");
        weak(Measure.HS_CRP, "(?<![A-Za-z])(?:hs-?CRP|hsCRP|HS-?CRP)(?![A-Za-z])");
        strong(Measure.CRP, "C[-\\s]reactive\\s+protein");
        zh(Measure.CRP, "C-?反应蛋白");
        weak(Measure.CRP, "(?<![A-Za-z-])(?:CRP|crp)(?![A-Za-z])");
        strong(Measure.HEMOGLOBIN, "(?<!glycated |glycosylated )ha?emoglobin(?!\\s*A1c)");
        zh(Measure.HEMOGLOBIN, "(?<!糖化)血红蛋白");
        weak(Measure.HEMOGLOBIN, "(?<![A-Za-z])(?:Hgb|HGB|Hb|HB|hgb)(?![A-Za-z0-9])");
        strong(Measure.PLATELETS, "platelets?(?:\\s+count)?|plts?");
        zh(Measure.PLATELETS, "血小板计数|血小板");
        weak(Measure.PLATELETS, "(?<![A-Za-z])(?:PLT|Plt|PLTs|Plts)(?![A-Za-z])");
        strong(Measure.GLUCOSE, "fasting\\s+(?:blood\\s+)?glucose|random\\s+(?:blood\\s+)?glucose|blood\\s+glucose|blood\\s+sugar|glucose|glu");
        zh(Measure.GLUCOSE, "空腹血糖|随机血糖|餐后血糖|指尖血糖|血糖|葡萄糖");
        weak(Measure.GLUCOSE, "(?<![A-Za-z])(?:GLU|BG|FBG|FPG|BSL|BGL)(?![A-Za-z])");
        strong(Measure.CREATININE, "creatinine|creat");
        zh(Measure.CREATININE, "血肌酐|肌酐");
        weak(Measure.CREATININE, "(?<![A-Za-z])(?:Cr|Cre|SCr|Scr|sCr|CREA|Crea)(?![A-Za-z])");
        strong(Measure.TROPONIN_I, "troponin\\s+I|troponin|trop\\s*I|trop");
        zh(Measure.TROPONIN_I, "高敏肌钙蛋白I|高敏肌钙蛋白|肌钙蛋白I|肌钙蛋白");
        weak(Measure.TROPONIN_I, "(?<![A-Za-z])(?:hs-?cTnI|hs-?TnI|cTnI|TnI|Trop\\s*I|Tn)(?![A-Za-z])");
        strong(Measure.NT_PROBNP, "N[-\\s]terminal\\s+pro[-\\s]?B[-\\s]type\\s+natriuretic\\s+peptide|NT[-\\s]?pro[-\\s]?BNP|pro[-\\s]?BNP");
        zh(Measure.NT_PROBNP, "N末端B型利钠肽原|N末端B型钠尿肽原|N末端脑钠肽前体|N端脑钠肽前体|氨基末端脑钠肽前体|脑钠肽前体");
        // BNP is not NT-proBNP (another assay, other cut-offs)
        strong(Measure.BNP, "(?<!pro[-\\s]?)B[-\\s]type\\s+natriuretic\\s+peptide|brain\\s+natriuretic\\s+peptide");
        zh(Measure.BNP, "B型钠尿肽(?!原)|B型利钠肽(?!原)|脑钠肽(?!前体)");
        weak(Measure.BNP, "(?<![A-Za-z-])BNP(?![A-Za-z])");
        strong(Measure.D_DIMER, "D-?\\s?dimer");
        zh(Measure.D_DIMER, "D-?二聚体");
        weak(Measure.D_DIMER, "(?<![A-Za-z])DD(?![A-Za-z])");
        strong(Measure.PROCALCITONIN, "procalcitonin");
        zh(Measure.PROCALCITONIN, "降钙素原");
        weak(Measure.PROCALCITONIN, "(?<![A-Za-z])(?:PCT|pct)(?![A-Za-z])");
        strong(Measure.POTASSIUM, "potassium");
        zh(Measure.POTASSIUM, "血钾");
        weak(Measure.POTASSIUM, "钾");
        weak(Measure.POTASSIUM, "(?<![A-Za-z])K\\+?(?![A-Za-z])");
        strong(Measure.SODIUM, "sodium");
        zh(Measure.SODIUM, "血钠");
        weak(Measure.SODIUM, "钠(?!肽)");
        weak(Measure.SODIUM, "(?<![A-Za-z])Na\\+?(?![A-Za-z])");
    }

    // ------------------------------------------------------------------ numbers and units

    private static final String BOUND = "<=|>=|[<>＜＞≤≥≦≧]|(?i:less\\s+than|lower\\s+than|greater\\s+than|more\\s+than|higher\\s+than"
            + "|below|above|under)(?![A-Za-z])|不超过|不高于|不低于|不少于|小于|低于|少于|不足|大于|高于|超过|多于";
    /** a number; a decimal may lack its leading zero (".3") where no digit or word runs into it */
    private static final Pattern NUMBER = Pattern.compile("(?:(" + BOUND + ")\\s*)?"
            + "((?<![\\d.])\\d{1,6}(?:\\.\\d{1,4})?(?![\\d])|(?<![\\d.A-Za-z])\\.\\d{1,4}(?![\\d.]))(?:\\s*度(\\d)(?![\\d.]))?(万)?");
    private static final Pattern ARROW = Pattern.compile("\\s*[↑↓]");
    private static final Pattern RANGE_AFTER = Pattern.compile("\\s*(?:-|–|—|~|～|〜|(?i:to)(?![A-Za-z])|至|到)\\s*\\d+(?:\\.\\d+)?");

    private record UnitRule(Unit unit, Pattern pattern) {
    }

    private static final List<UnitRule> UNITS = new ArrayList<>();

    private static void unit(Unit u, String p) {
        UNITS.add(new UnitRule(u, Pattern.compile("\\s*(?:" + p + ")")));
    }

    static {
        String per109 = "[x×*X]?\\s*10\\s*(?:\\^|\\*\\*?|E|e)?\\s*9\\s*/\\s*L|10⁹\\s*/\\s*L|G/L|[Kk]/[uµμ][Ll]"
                + "|[x×*X]?\\s*10\\s*(?:\\^|\\*\\*?)?\\s*3\\s*/\\s*(?:[uµμ][Ll]|mm3)|thou/[uµμ][Ll]";
        unit(Unit.PER_L9, per109);
        unit(Unit.PER_UL, "(?:cells\\s*)?/\\s*(?:[uµμ][Ll]|mm3|mm³)(?![A-Za-z])");
        unit(Unit.CEL, "°\\s*[Cc](?![A-Za-z])|℃|摄氏度|(?i:degrees?\\s*(?:celsius|centigrade|c)(?![A-Za-z])|deg\\.?\\s*c(?![A-Za-z])|celsius|centigrade)|C(?![A-Za-z0-9/])");
        unit(Unit.FAH, "°\\s*[Ff](?![A-Za-z])|℉|(?i:degrees?\\s*(?:fahrenheit|f)(?![A-Za-z])|deg\\.?\\s*f(?![A-Za-z])|fahrenheit)|F(?![A-Za-z0-9/])");
        unit(Unit.DEG, "度(?![IVⅠⅡⅢⅣ])|(?i:degrees?|deg\\.?)(?![A-Za-z])");
        unit(Unit.RATE, "次/分钟|次/分|次/min|次每分钟|次每分|(?i:bpm|beats?\\s*(?:per|/|a)\\s*min(?:ute)?|breaths?\\s*(?:per|/|a)\\s*min(?:ute)?"
                + "|/\\s*min(?:ute)?|per\\s+min(?:ute)?|rpm)(?![A-Za-z])|次(?![数])");
        unit(Unit.PCT, "%|(?i:percent|per\\s+cent)(?![A-Za-z])");
        unit(Unit.MMHG, "mm\\s*Hg|mmhg|MMHG|毫米汞柱");
        unit(Unit.KPA, "[kK][Pp]a|千帕");
        unit(Unit.MMOL_L, "mmol\\s*/\\s*[Ll]|毫摩尔(?:每|/)升");
        unit(Unit.NG_ML, "纳克(?:每|/)毫升");
        unit(Unit.PG_ML, "皮克(?:每|/)毫升");
        unit(Unit.UMOL_L, "微摩尔(?:每|/)升");
        unit(Unit.MG_L, "毫克(?:每|/)升");
        unit(Unit.G_L, "克(?:每|/)升");
        unit(Unit.MG_DL, "毫克(?:每|/)分升");
        unit(Unit.UMOL_L, "[uµμ]mol\\s*/\\s*[Ll]");
        unit(Unit.MEQ_L, "m[Ee]q\\s*/\\s*[Ll]");
        unit(Unit.MG_DL, "mg\\s*/\\s*d[Ll]");
        unit(Unit.MG_L, "mg\\s*/\\s*[Ll](?:\\s*FEU)?");
        unit(Unit.G_DL, "g\\s*/\\s*d[Ll]");
        unit(Unit.G_L, "g\\s*/\\s*[Ll]");
        unit(Unit.NG_ML, "ng\\s*/\\s*m[Ll](?:\\s*FEU)?");
        unit(Unit.NG_L, "ng\\s*/\\s*[Ll]");
        unit(Unit.PG_ML, "pg\\s*/\\s*m[Ll]");
        unit(Unit.UG_L, "[uµμ]g\\s*/\\s*[Ll](?:\\s*FEU)?");
        unit(Unit.UG_ML, "[uµμ]g\\s*/\\s*m[Ll](?:\\s*FEU)?");
    }

    // ------------------------------------------------------------------ qualifiers

    private static final Pattern CONTEXT = Pattern.compile("(?i:(?<![A-Za-z])on\\s+(?:room\\s+air|RA|air|oxygen|O2|supplemental\\s+oxygen|high[- ]flow"
            + "|\\d+(?:\\.\\d+)?\\s*(?:L|l|litres?|liters?|lpm)(?![A-Za-z])(?:\\s*/\\s*min)?(?:\\s+(?:nasal\\s+cannula|NC|via\\s+(?:nasal\\s+cannula|mask)))?"
            + "|\\d+\\s*%\\s*(?:FiO2|oxygen|O2)?|NC|NRB)(?![A-Za-z])"
            + "|(?<![A-Za-z])(?:RA|room\\s+air|at\\s+rest|on\\s+exertion|at\\s+\\d{1,2}\\s*(?:h|hrs?|hours?)|after\\s+(?:\\d+(?:\\.\\d+)?\\s*(?:L|l|ml|mL|litres?|liters?)\\s+(?:of\\s+)?)?"
            + "(?:fluids?|oxygen|nebs?|nebulis(?:ation|er)|treatment|a\\s+fluid\\s+bolus|the\\s+bolus|saline|diuresis|furosemide)"
            + "|with\\s+fluids?)(?![A-Za-z]))"
            + "|(?:鼻导管)?(?:未)?吸氧(?:\\d+(?:\\.\\d+)?\\s*L/min)?(?:后|时|下)?|静息(?:时|下)?|活动后");
    private static final Pattern LATER = Pattern.compile("(?i:(?<![A-Za-z])(?:(?:improving|improved|rising|rose|risen|increasing|increased|falling|fell|"
            + "dropping|dropped|decreasing|decreased|coming\\s+down|going\\s+up|went\\s+up|came\\s+down)\\s+to|then)(?![A-Za-z]))|->|→|(?:上升|下降|升|降|增|减|回升|恢复)(?:至|到)");
    private static final Pattern EARLIER = Pattern.compile("(?i:(?<![A-Za-z])(?:on\\s+arrival|at\\s+(?:admission|presentation|triage)|on\\s+admission"
            + "|initially|initial|baseline|previously|previous|prior|earlier|yesterday|this\\s+morning|last\\s+(?:night|week|month|year)|overnight|pre-?op(?:eratively)?"
            + "|(?:a|one|two|three|\\d+)\\s+(?:days?|weeks?|months?|years?)\\s+ago"
            + "|before\\s+(?:fluids?|oxygen|treatment))(?![A-Za-z]))"
            + "|入院时|入院当天|就诊时|来院时|急诊时|初始|基线|之前|此前|昨日|昨天|昨晚|术前|最初|入科时");
    private static final Pattern CURRENT = Pattern.compile("(?i:(?<![A-Za-z])(?:now|currently|today|at\\s+present|latest|on\\s+repeat|repeat(?:ed)?"
            + "|on\\s+recheck|recheck(?:ed)?|this\\s+evening|tonight)(?![A-Za-z]))"
            + "|现在|目前|今日|今天|复查|当前|(?<![出发表体呈再重显实展浮])现(?!病史|象|症)");

    /** Durations and ages hold numbers that are no value. */
    private static final Pattern AGE = Pattern.compile("\\d+\\s*(?:岁|周岁|(?i:-?\\s*(?:years?|yrs?)[- ]old|yo|y/o)(?![A-Za-z]))");

    /** The text's tokens in order; names in headings ({@code skip}) are left out. */
    static List<Tok> lex(String s, Predicate<Integer> skip) {
        boolean[] used = new boolean[s.length() + 1];
        List<Tok> toks = new ArrayList<>();
        // qualifiers first (they hold numbers: "on 3 L"), then names (they hold digits: "SpO2"), then blocks, then numbers
        for (Pattern p : List.of(CONTEXT, SITE, FROM, LATER, EARLIER, CURRENT)) {
            When w = p == CONTEXT ? When.CONTEXT : p == SITE ? When.SITE : p == LATER ? When.LATER
                    : p == EARLIER || p == FROM ? When.EARLIER : When.CURRENT;
            Matcher m = p.matcher(s);
            while (m.find()) {
                if (m.end() > m.start() && free(used, m.start(), m.end())) {
                    take(used, m.start(), m.end());
                    toks.add(new Qual(w, m.group(), m.start(), m.end()));
                }
            }
        }
        List<Name> names = new ArrayList<>();
        for (NameRule r : NAMES) {
            Matcher m = r.pattern.matcher(s);
            while (m.find()) {
                if (m.end() > m.start()) {
                    names.add(new Name(r.target, r.measure, r.strong, m.start(), m.end()));
                }
            }
        }
        // longest first; a name inside a longer one is not a name
        names.sort(Comparator.comparingInt((Name n) -> n.start() - n.end()).thenComparingInt(Name::start));
        for (Name n : names) {
            if (free(used, n.start(), n.end())) {
                take(used, n.start(), n.end());
                if (!skip.test(n.start())) {
                    toks.add(n);
                }
            }
        }
        List<int[]> blocks = new ArrayList<>();
        for (Durations.Found d : Durations.find(s)) {
            blocks.add(new int[] {d.start(), d.end()});
        }
        Matcher age = AGE.matcher(s);
        while (age.find()) {
            blocks.add(new int[] {age.start(), age.end()});
        }
        for (int[] b : blocks) {
            if (free(used, b[0], b[1])) {
                take(used, b[0], b[1]);
                toks.add(new Block(b[0], b[1]));
            }
        }
        Matcher m = NUMBER.matcher(s);
        while (m.find()) {
            if (!free(used, m.start(2), m.end(2))) {
                continue;
            }
            int before = m.start(2) - 1;
            if (before >= 0 && Character.isLetter(s.charAt(before)) && s.charAt(before) < 0x2E80 && !used[before]) {
                continue; // "T2", "CD4", "HbA1c": a number inside a word; "肌钙蛋白I0.5" is a name's value
            }
            boolean bound = m.group(1) != null && free(used, m.start(), m.start(2));
            int start = bound ? m.start() : m.start(2);
            BigDecimal v = new BigDecimal(m.group(2).startsWith(".") ? "0" + m.group(2) : m.group(2));
            Unit unit = null;
            if (m.group(3) != null) {
                v = m.group(2).contains(".") ? v : new BigDecimal(m.group(2) + "." + m.group(3)); // 三十八度六 = 38.6
                unit = Unit.DEG;
            }
            if (m.group(4) != null) {
                v = v.movePointRight(4); // 万: ten thousand
            }
            int end = m.end();
            int rangeEnd = -1;
            if (unit == null) {
                Matcher r = RANGE_AFTER.matcher(s).region(end, s.length());
                if (r.lookingAt()) {
                    rangeEnd = r.end();
                }
            }
            int after = rangeEnd >= 0 ? rangeEnd : end;
            Matcher arrow = ARROW.matcher(s).region(after, s.length());
            if (arrow.lookingAt()) {
                after = arrow.end();
            }
            if (unit == null) {
                int best = -1;
                for (UnitRule u : UNITS) {
                    Matcher um = u.pattern.matcher(s).region(after, s.length());
                    if (um.lookingAt() && um.end() > best && free(used, after, um.end())) {
                        best = um.end();
                        unit = u.unit;
                    }
                }
                if (best >= 0) {
                    after = best;
                }
            }
            Matcher arrow2 = ARROW.matcher(s).region(after, s.length());
            if (arrow2.lookingAt()) {
                after = arrow2.end();
            }
            if (!free(used, start, m.end(2))) {
                continue;
            }
            take(used, start, Math.max(after, m.end()));
            if (rangeEnd >= 0) {
                rangeEnd = Math.max(after, rangeEnd);
            }
            toks.add(new Num(v, bound ? comparator(m.group(1)) : null, unit, rangeEnd, start, Math.max(after, m.end())));
        }
        toks.sort(Comparator.comparingInt(Tok::start));
        return toks;
    }

    private static boolean free(boolean[] used, int a, int b) {
        for (int i = a; i < b; i++) {
            if (used[i]) {
                return false;
            }
        }
        return true;
    }

    private static void take(boolean[] used, int a, int b) {
        for (int i = a; i < b; i++) {
            used[i] = true;
        }
    }

    /** The bound words as a FHIR comparator, or null. */
    static String comparator(String bound) {
        if (bound == null) {
            return null;
        }
        String w = bound.strip().toLowerCase(Locale.ROOT);
        if (w.equals("<=") || w.equals("≤") || w.equals("≦") || w.equals("不超过") || w.equals("不高于")) {
            return "<=";
        }
        if (w.equals(">=") || w.equals("≥") || w.equals("≧") || w.equals("不低于") || w.equals("不少于")) {
            return ">=";
        }
        return w.equals("<") || w.equals("＜") || w.startsWith("less") || w.startsWith("lower") || w.equals("below")
                || w.equals("under") || w.equals("小于") || w.equals("低于") || w.equals("少于") || w.equals("不足") ? "<" : ">";
    }
}
