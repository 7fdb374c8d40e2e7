package org.mededge.fusion;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;

import org.mededge.fusion.extract.Measure;

/**
 * A generated corpus of notes written the way clinicians type them and recognizers transcribe
 * them, in ten families, English and Chinese, with the right answer known by construction: every
 * value (code, value in the standard unit, comparator), every earlier value kept as history, the
 * flags the values must raise, and, for the symptom and heading families, the symptoms and sections.
 * Deterministic: the same seed gives the same notes on every machine.
 */
final class WordingCorpus {

    /** A value the report must hold: LOINC code, value in the measure's standard unit, comparator (or null). */
    record V(String code, BigDecimal value, String comparator) {
        static V of(Measure m, String value) {
            return new V(m.loinc(), new BigDecimal(value), null);
        }

        @Override
        public String toString() {
            return Measure.ofLoinc(code).name() + "=" + (comparator == null ? "" : comparator) + value.stripTrailingZeros().toPlainString();
        }

        boolean same(V o) {
            return code.equals(o.code) && value.compareTo(o.value) == 0 && java.util.Objects.equals(comparator, o.comparator);
        }
    }

    /** A symptom the report must hold: canonical name, negated, ISO duration (or null). */
    record S(String name, boolean negated, String duration) {
        @Override
        public String toString() {
            return (negated ? "no " : "") + name + (duration == null ? "" : " " + duration);
        }
    }

    /**
     * One note and its truth. {@code flags} are "CODE field" strings, every flag but the assessment's;
     * {@code symptoms} and {@code sections} are checked only when not null (section key to words it must
     * contain).
     */
    record Note(String family, String language, String form, String text, List<V> values, List<V> earlier, Set<String> flags,
                List<S> symptoms, Map<String, String> sections) {
    }

    /** measure, English names, Chinese names, values (standard unit = as written), English units, Chinese units */
    record M(Measure measure, List<String> en, List<String> zh, List<String> values, List<String> unitEn, List<String> unitZh) {
    }

    static final List<M> MEASURES = List.of(
            new M(Measure.BODY_TEMPERATURE, List.of("temperature", "temp"), List.of("体温"), List.of("36.8", "38.2", "39.1"),
                    List.of(" C", "°C", ""), List.of("℃", "度")),
            new M(Measure.HEART_RATE, List.of("heart rate", "pulse", "HR"), List.of("心率", "脉搏"), List.of("88", "96", "112"),
                    List.of(" bpm", ""), List.of("次/分", "")),
            new M(Measure.RESPIRATORY_RATE, List.of("respiratory rate", "RR"), List.of("呼吸频率"), List.of("18", "20", "24"),
                    List.of(" /min", ""), List.of("次/分", "")),
            new M(Measure.OXYGEN_SATURATION, List.of("SpO2", "oxygen saturation", "sats"), List.of("血氧饱和度", "指脉氧"),
                    List.of("93", "95", "97"), List.of("%"), List.of("%")),
            new M(Measure.SYSTOLIC_BP, List.of("blood pressure", "BP"), List.of("血压"), List.of("118/76", "132/84"),
                    List.of(" mmHg", ""), List.of("mmHg", "")),
            new M(Measure.WBC, List.of("white cell count", "WBC"), List.of("白细胞"), List.of("6.2", "13.8"),
                    List.of(" x10^9/L", ""), List.of("×10^9/L", "")),
            new M(Measure.CRP, List.of("CRP"), List.of("C反应蛋白"), List.of("12", "96"), List.of(" mg/L", ""), List.of("mg/L", "")),
            new M(Measure.HEMOGLOBIN, List.of("hemoglobin", "Hb"), List.of("血红蛋白"), List.of("118", "132"),
                    List.of(" g/L", ""), List.of("g/L", "")),
            new M(Measure.PLATELETS, List.of("platelets", "Plt"), List.of("血小板"), List.of("250", "180"),
                    List.of(" x10^9/L", ""), List.of("×10^9/L", "")),
            new M(Measure.GLUCOSE, List.of("glucose"), List.of("血糖"), List.of("7.8", "5.6"), List.of(" mmol/L"), List.of("mmol/L")),
            new M(Measure.CREATININE, List.of("creatinine"), List.of("肌酐"), List.of("88", "160"), List.of(" umol/L"), List.of("μmol/L")),
            new M(Measure.TROPONIN_I, List.of("troponin"), List.of("肌钙蛋白"), List.of("0.01", "0.9"), List.of(" ng/mL"), List.of("ng/mL")),
            new M(Measure.NT_PROBNP, List.of("NT-proBNP"), List.of("N末端脑钠肽前体"), List.of("1200", "350"),
                    List.of(" pg/mL", ""), List.of("pg/mL", "")),
            new M(Measure.D_DIMER, List.of("D-dimer"), List.of("D-二聚体"), List.of("0.9", "0.3"), List.of(" mg/L", ""), List.of("mg/L", "")),
            new M(Measure.PROCALCITONIN, List.of("procalcitonin", "PCT"), List.of("降钙素原"), List.of("1.2", "0.05"),
                    List.of(" ng/mL", ""), List.of("ng/mL", "")),
            new M(Measure.POTASSIUM, List.of("potassium", "K"), List.of("血钾"), List.of("4.1", "5.7"), List.of(" mmol/L", ""),
                    List.of("mmol/L", "")),
            new M(Measure.SODIUM, List.of("sodium", "Na"), List.of("血钠"), List.of("138", "131"), List.of(" mmol/L", ""),
                    List.of("mmol/L", "")));

    static final List<String> FAMILIES = List.of("adjacent names", "lists and slashes", "time and context", "foreign units",
            "numbers", "negation", "durations", "abbreviations", "headings", "mixed notes");

    private WordingCorpus() {
    }

    static List<Note> all() {
        List<Note> out = new ArrayList<>();
        out.addAll(adjacent(new Random(1801)));
        out.addAll(lists(new Random(1802)));
        out.addAll(time(new Random(1803)));
        out.addAll(foreignUnits(new Random(1804)));
        out.addAll(numbers(new Random(1805)));
        out.addAll(negation(new Random(1806)));
        out.addAll(durations(new Random(1807)));
        out.addAll(abbreviations(new Random(1808)));
        out.addAll(headings(new Random(1809)));
        out.addAll(mixed(new Random(1810)));
        return out;
    }

    // ---------------------------------------------------------------- helpers

    private static <T> T pick(Random r, List<T> l) {
        return l.get(r.nextInt(l.size()));
    }

    /** The values a measure written as {@code value} puts in the report (a blood pressure is two). */
    static List<V> valuesOf(Measure m, String value) {
        if (m == Measure.SYSTOLIC_BP) {
            String[] p = value.split("/");
            return List.of(V.of(Measure.SYSTOLIC_BP, p[0]), V.of(Measure.DIASTOLIC_BP, p[1]));
        }
        return List.of(V.of(m, value));
    }

    /** The red flags current values raise (the product's thresholds, restated here as the specification). */
    static Set<String> redFlags(List<V> values) {
        Set<String> f = new LinkedHashSet<>();
        for (V v : values) {
            Measure m = Measure.ofLoinc(v.code());
            if (m == Measure.TROPONIN_I && v.value().compareTo(new BigDecimal("0.04")) > 0) {
                f.add("RED_FLAG labs.10839-9");
            }
            if (m == Measure.OXYGEN_SATURATION && v.value().compareTo(new BigDecimal(90)) < 0) {
                f.add("RED_FLAG vitals.59408-5");
            }
            if (m == Measure.RESPIRATORY_RATE && v.value().compareTo(new BigDecimal(30)) > 0) {
                f.add("RED_FLAG vitals.9279-1");
            }
            if (m == Measure.SYSTOLIC_BP && v.value().compareTo(new BigDecimal(90)) < 0) {
                f.add("RED_FLAG vitals.8480-6");
            }
        }
        return f;
    }

    private static Note values(String family, String lang, String form, String text, List<V> values) {
        return new Note(family, lang, form, text, values, List.of(), redFlags(values), null, null);
    }

    private static String field(Measure m) {
        return (m.kind() == Measure.Kind.VITAL ? "vitals." : "labs.") + m.loinc();
    }

    /** Spoken English units, as a recognizer writes them. */
    private static String spokenUnit(Measure m) {
        return switch (m) {
            case BODY_TEMPERATURE -> " degrees";
            case HEART_RATE -> " beats per minute";
            case RESPIRATORY_RATE -> " breaths per minute";
            case OXYGEN_SATURATION -> " percent";
            case SYSTOLIC_BP -> "";
            default -> "";
        };
    }

    // ---------------------------------------------------------------- 1. adjacent names

    /** "potassium and heart rate 112": the first name has no value of its own and takes none. */
    static List<Note> adjacent(Random r) {
        String f = FAMILIES.get(0);
        List<Note> out = new ArrayList<>();
        String[] en = {"%s and %s %s%s.", "%s pending, %s %s%s.", "%s, %s %s%s.", "%s to follow; %s %s%s.", "%s not done, %s %s%s.",
            "%s %s %s%s.", "%s awaited and %s %s%s."};
        String[] zh = {"%s%s%s%s。", "%s和%s%s%s。", "%s待回报，%s%s%s。", "%s %s%s%s。", "%s未查，%s%s%s。", "%s及%s%s%s。"};
        for (int i = 0; i < 340; i++) {
            M a = pick(r, MEASURES);
            M b = pick(r, MEASURES);
            if (a == b) {
                continue;
            }
            String v = pick(r, b.values());
            List<V> want = valuesOf(b.measure(), v);
            int form = i % 3;
            if (form == 0) {
                String t = String.format(pick(r, List.of(en)), cap(pick(r, a.en())), pick(r, b.en()), v, pick(r, b.unitEn()));
                out.add(values(f, "en", "written", "Cough. " + t, want));
            } else if (form == 1) {
                String t = String.format(pick(r, List.of(zh)), pick(r, a.zh()), pick(r, b.zh()), v, pick(r, b.unitZh()));
                out.add(values(f, "zh", "written", "咳嗽。" + t, want));
            } else {
                // a recognizer's output: the spoken names, lower case, no punctuation, units spoken
                String t = a.en().get(0).toLowerCase() + " and " + b.en().get(0).toLowerCase() + " " + v + spokenUnit(b.measure());
                out.add(values(f, "en", "spoken", "the patient has a cough " + t + " thank you", want));
            }
        }
        return out;
    }

    private static String cap(String s) {
        return Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }

    // ---------------------------------------------------------------- 2. lists and slash groups

    /** short names a slash group uses, with the value each takes */
    private record Short(Measure m, String name, String zhName, List<String> values, String zhUnit) {
    }

    private static final List<Short> SHORT = List.of(
            new Short(Measure.BODY_TEMPERATURE, "T", "体温", List.of("38.0", "37.2", "39.4"), "℃"),
            new Short(Measure.HEART_RATE, "P", "脉搏", List.of("96", "88", "118"), "次/分"),
            new Short(Measure.RESPIRATORY_RATE, "R", "呼吸", List.of("20", "18", "26"), "次/分"),
            new Short(Measure.SYSTOLIC_BP, "BP", "血压", List.of("118/76", "104/62", "146/90"), "mmHg"),
            new Short(Measure.OXYGEN_SATURATION, "SpO2", "血氧饱和度", List.of("95", "97", "92"), "%"),
            new Short(Measure.SODIUM, "Na", "血钠", List.of("141", "133", "138"), "mmol/L"),
            new Short(Measure.POTASSIUM, "K", "血钾", List.of("3.9", "4.4", "5.2"), "mmol/L"),
            new Short(Measure.HEMOGLOBIN, "Hb", "血红蛋白", List.of("118", "132", "96"), "g/L"),
            new Short(Measure.WBC, "WCC", "白细胞", List.of("11.2", "6.4", "15.1"), "×10^9/L"),
            new Short(Measure.PLATELETS, "Plt", "血小板", List.of("250", "180", "410"), "×10^9/L"),
            new Short(Measure.CREATININE, "Cr", "肌酐", List.of("88", "120", "65"), "μmol/L"),
            new Short(Measure.CRP, "CRP", "C反应蛋白", List.of("12", "96", "40"), "mg/L"));

    private static final Map<Measure, String> LONG_EN = Map.ofEntries(
            Map.entry(Measure.BODY_TEMPERATURE, "temperature"), Map.entry(Measure.HEART_RATE, "pulse"),
            Map.entry(Measure.RESPIRATORY_RATE, "respiratory rate"), Map.entry(Measure.SYSTOLIC_BP, "blood pressure"),
            Map.entry(Measure.OXYGEN_SATURATION, "oxygen saturation"), Map.entry(Measure.SODIUM, "sodium"),
            Map.entry(Measure.POTASSIUM, "potassium"), Map.entry(Measure.HEMOGLOBIN, "hemoglobin"),
            Map.entry(Measure.WBC, "white cell count"), Map.entry(Measure.PLATELETS, "platelets"),
            Map.entry(Measure.CREATININE, "creatinine"), Map.entry(Measure.CRP, "CRP"));

    static List<Note> lists(Random r) {
        String f = FAMILIES.get(1);
        List<Note> out = new ArrayList<>();
        for (int i = 0; i < 420; i++) {
            int k = 2 + r.nextInt(3);
            List<Short> group = new ArrayList<>();
            while (group.size() < k) {
                Short s = pick(r, SHORT);
                if (!group.contains(s)) {
                    group.add(s);
                }
            }
            List<String> vals = group.stream().map(s -> pick(r, s.values())).toList();
            List<V> want = new ArrayList<>();
            for (int j = 0; j < k; j++) {
                want.addAll(valuesOf(group.get(j).m(), vals.get(j)));
            }
            int form = i % 7;
            String text;
            String lang = "en";
            if (form == 5) { // one value too few: nothing is filed, the words are quoted
                List<String> names = group.stream().map(s -> LONG_EN.get(s.m())).toList();
                List<String> fewer = vals.subList(0, k - 1);
                boolean slash = r.nextBoolean();
                text = slash ? "Obs: " + String.join("/", group.stream().map(Short::name).toList()) + " " + String.join("/", fewer) + "."
                        : "On review " + join(names, ", ", " and ") + " were " + join(fewer, ", ", " and ") + ".";
                boolean bpInside = group.stream().anyMatch(s -> s.m() == Measure.SYSTOLIC_BP);
                if (bpInside) {
                    continue; // a pair's slash makes the count ambiguous in another way; kept to the plain case
                }
                out.add(new Note(f, "en", "mismatch", text, List.of(), List.of(), Set.of("UNPLACED_VALUE values"), null, null));
                continue;
            }
            if (form == 6) { // units inside the slash group, and a name we do not code holding its place
                List<String> parts = new ArrayList<>();
                List<String> names = new ArrayList<>();
                for (int j = 0; j < k; j++) {
                    parts.add(vals.get(j) + group.get(j).zhUnit());
                    names.add(group.get(j).name());
                }
                int at = r.nextInt(k + 1);
                names.add(at, pick(r, List.of("Cl", "Ur", "Lac", "ALT")));
                parts.add(at, pick(r, List.of("101", "6.2", "1.8", "35")));
                text = "入院查体：" + String.join("/", names) + " " + String.join("/", parts) + "。";
                lang = "zh";
                out.add(values(f, lang, "shorthand", text, want));
                continue;
            }
            if (form == 0) { // T/P/R/BP 38.0/96/20/118/76
                text = "Obs: " + String.join("/", group.stream().map(Short::name).toList()) + " " + String.join("/", vals) + ".";
            } else if (form == 1) { // temperature, pulse and respiratory rate were 38.0, 96 and 20
                List<String> names = group.stream().map(s -> LONG_EN.get(s.m())).toList();
                text = "On review " + join(names, ", ", " and ") + " were " + join(vals, ", ", " and ") + ".";
            } else if (form == 2) { // ... 38.0, 96 and 20 respectively
                List<String> names = group.stream().map(s -> LONG_EN.get(s.m())).toList();
                text = cap(join(names, ", ", " and ")) + " " + join(vals, ", ", " and ") + " respectively.";
            } else if (form == 3) { // 体温、脉搏分别为38.0℃、96次/分
                lang = "zh";
                List<String> names = group.stream().map(Short::zhName).toList();
                List<String> withUnits = new ArrayList<>();
                for (int j = 0; j < k; j++) {
                    withUnits.add(vals.get(j) + group.get(j).zhUnit());
                }
                text = "查体：" + String.join("、", names) + "分别为" + String.join("、", withUnits) + "。";
            } else { // 体温/脉搏/呼吸 38.0/96/20 in a Chinese note
                lang = "zh";
                text = "入院查体：" + String.join("/", group.stream().map(Short::name).toList()) + "：" + String.join("/", vals) + "。";
            }
            out.add(values(f, lang, form == 1 || form == 2 ? "sentence" : "shorthand", text, want));
        }
        return out;
    }

    private static String join(List<String> items, String sep, String last) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < items.size(); i++) {
            b.append(i == 0 ? "" : i == items.size() - 1 ? last : sep).append(items.get(i));
        }
        return b.toString();
    }

    // ---------------------------------------------------------------- 3. time and context

    static List<Note> time(Random r) {
        String f = FAMILIES.get(2);
        List<Note> out = new ArrayList<>();
        for (int i = 0; i < 440; i++) {
            int form = i % 11;
            String text;
            String lang = "en";
            List<V> now;
            List<V> before;
            Set<String> change = new LinkedHashSet<>();
            if (form == 0) { // SpO2 88% on room air, 96% on 3 L
                String a = pick(r, List.of("86", "88", "89", "91"));
                String b = pick(r, List.of("94", "95", "96", "97"));
                int litres = 1 + r.nextInt(5);
                text = pick(r, List.of("SpO2 ", "Sats ", "Oxygen saturation ")) + a + "% on room air, " + b + "% on " + litres + " L.";
                now = valuesOf(Measure.OXYGEN_SATURATION, b);
                before = valuesOf(Measure.OXYGEN_SATURATION, a);
            } else if (form == 1) { // BP 80/50 on arrival, now 110/70
                String a = pick(r, List.of("80/50", "78/46", "86/52"));
                String b = pick(r, List.of("110/70", "104/66", "118/72"));
                text = pick(r, List.of("BP ", "Blood pressure ")) + a + " on arrival, now " + b + ".";
                now = valuesOf(Measure.SYSTOLIC_BP, b);
                before = valuesOf(Measure.SYSTOLIC_BP, a);
            } else if (form == 2) { // baseline creatinine 70, today 160
                int a = 60 + r.nextInt(40);
                int b = r.nextBoolean() ? a * 2 : a + 5;
                text = "Baseline creatinine " + a + ", today " + b + ".";
                now = valuesOf(Measure.CREATININE, "" + b);
                before = valuesOf(Measure.CREATININE, "" + a);
                if (b >= a * 1.5 || b - a >= 26.5) {
                    change.add("CHANGE labs.14682-9");
                }
            } else if (form == 3) { // HR 130 on arrival, now 96
                String a = pick(r, List.of("130", "124", "140"));
                String b = pick(r, List.of("96", "88", "92"));
                text = "Heart rate " + a + " on arrival, now " + b + " after fluids.";
                now = valuesOf(Measure.HEART_RATE, b);
                before = valuesOf(Measure.HEART_RATE, a);
            } else if (form == 4) { // sats 96% earlier, now 88%: falling
                String a = pick(r, List.of("96", "95", "97"));
                String b = pick(r, List.of("88", "89", "91"));
                text = "SpO2 was " + a + "% this morning, now " + b + "% on room air.";
                now = valuesOf(Measure.OXYGEN_SATURATION, b);
                before = valuesOf(Measure.OXYGEN_SATURATION, a);
                change.add("CHANGE vitals.59408-5");
            } else if (form == 5) { // 入院时血压80/50mmHg，现110/70mmHg
                lang = "zh";
                String a = pick(r, List.of("80/50", "78/46", "86/52"));
                String b = pick(r, List.of("110/70", "104/66", "118/72"));
                text = "入院时血压" + a + "mmHg，现" + b + "mmHg。";
                now = valuesOf(Measure.SYSTOLIC_BP, b);
                before = valuesOf(Measure.SYSTOLIC_BP, a);
            } else if (form == 6) { // 基线肌酐70μmol/L，今日160μmol/L
                lang = "zh";
                int a = 60 + r.nextInt(40);
                int b = r.nextBoolean() ? a * 2 : a + 5;
                text = "基线肌酐" + a + "μmol/L，今日" + b + "μmol/L。";
                now = valuesOf(Measure.CREATININE, "" + b);
                before = valuesOf(Measure.CREATININE, "" + a);
                if (b >= a * 1.5 || b - a >= 26.5) {
                    change.add("CHANGE labs.14682-9");
                }
            } else if (form == 8) { // change words and a parenthesised baseline
                int a = 60 + r.nextInt(40);
                int b = a * 2;
                if (r.nextBoolean()) {
                    text = "Creatinine " + b + " (baseline " + a + ").";
                } else {
                    text = "Sats " + (86 + r.nextInt(4)) + "% on air improving to " + (b = 94 + r.nextInt(4)) + "% on 2L.";
                    now = valuesOf(Measure.OXYGEN_SATURATION, "" + b);
                    before = valuesOf(Measure.OXYGEN_SATURATION, text.replaceAll("^Sats (\\d+)%.*", "$1"));
                    Set<String> flags = redFlags(now);
                    out.add(new Note(f, lang, "written", text, now, before, flags, null, null));
                    continue;
                }
                now = valuesOf(Measure.CREATININE, "" + b);
                before = valuesOf(Measure.CREATININE, "" + a);
                change.add("CHANGE labs.14682-9");
            } else if (form == 9) { // a repeat test; a value only stated as a past one is no current value
                if (r.nextBoolean()) {
                    text = "Troponin <0.01, repeat troponin " + pick(r, List.of("0.08", "0.02", "0.15")) + ".";
                    String b = text.replaceAll(".*repeat troponin ([0-9.]+)\\.", "$1");
                    now = valuesOf(Measure.TROPONIN_I, b);
                    before = List.of(new V(Measure.TROPONIN_I.loinc(), new BigDecimal("0.01"), "<"));
                } else {
                    String t = pick(r, List.of("39.2", "38.6", "40.1"));
                    text = "Temp " + t + " yesterday, afebrile today.";
                    now = List.of();
                    before = valuesOf(Measure.BODY_TEMPERATURE, t);
                }
            } else if (form == 10) { // 指脉氧88%（未吸氧），吸氧后96%; 肌酐从90升至180
                lang = "zh";
                if (r.nextBoolean()) {
                    String a = pick(r, List.of("86", "88", "89"));
                    String b = pick(r, List.of("94", "95", "96"));
                    text = "指脉氧" + a + "%（未吸氧），吸氧后" + b + "%。";
                    now = valuesOf(Measure.OXYGEN_SATURATION, b);
                    before = valuesOf(Measure.OXYGEN_SATURATION, a);
                } else {
                    int a = 60 + r.nextInt(40);
                    text = "肌酐从" + a + "升至" + (a * 2) + "μmol/L。";
                    now = valuesOf(Measure.CREATININE, "" + a * 2);
                    before = valuesOf(Measure.CREATININE, "" + a);
                    change.add("CHANGE labs.14682-9");
                }
            } else { // 未吸氧时血氧饱和度88%，吸氧3L/min后96%
                lang = "zh";
                String a = pick(r, List.of("86", "88", "89"));
                String b = pick(r, List.of("94", "95", "96"));
                text = "未吸氧时血氧饱和度" + a + "%，吸氧" + (1 + r.nextInt(5)) + "L/min后" + b + "%。";
                now = valuesOf(Measure.OXYGEN_SATURATION, b);
                before = valuesOf(Measure.OXYGEN_SATURATION, a);
            }
            Set<String> flags = redFlags(now);
            flags.addAll(change);
            out.add(new Note(f, lang, "written", text, now, before, flags, null, null));
        }
        return out;
    }

    // ---------------------------------------------------------------- 4. units that cannot be the measure's

    private static final Map<Measure, List<String>> FOREIGN = Map.ofEntries(
            Map.entry(Measure.BODY_TEMPERATURE, List.of("mmHg", "bpm", "mg/L", "%")),
            Map.entry(Measure.HEART_RATE, List.of("mg/L", "mmol/L", "℃", "%")),
            Map.entry(Measure.RESPIRATORY_RATE, List.of("mmol/L", "g/L", "%", "mmHg")),
            Map.entry(Measure.OXYGEN_SATURATION, List.of("mmol/L", "mmHg", "bpm")),
            Map.entry(Measure.WBC, List.of("mg/L", "%", "mmol/L")),
            Map.entry(Measure.CRP, List.of("%", "mmol/L", "bpm", "g/L")),
            Map.entry(Measure.HEMOGLOBIN, List.of("mmol/L", "%", "mg/L")),
            Map.entry(Measure.GLUCOSE, List.of("%", "g/L", "bpm")),
            Map.entry(Measure.CREATININE, List.of("%", "g/L", "ng/mL")),
            Map.entry(Measure.TROPONIN_I, List.of("mmol/L", "%", "g/L")),
            Map.entry(Measure.POTASSIUM, List.of("bpm", "mg/L", "%", "g/L")),
            Map.entry(Measure.SODIUM, List.of("mg/L", "%", "℃")),
            Map.entry(Measure.PROCALCITONIN, List.of("℃", "%", "mmol/L")));

    static List<Note> foreignUnits(Random r) {
        String f = FAMILIES.get(3);
        List<Note> out = new ArrayList<>();
        List<M> pool = MEASURES.stream().filter(m -> FOREIGN.containsKey(m.measure())).toList();
        for (int i = 0; i < 300; i++) {
            M m = pick(r, pool);
            String unit = pick(r, FOREIGN.get(m.measure()));
            String v = pick(r, m.values());
            boolean zh = i % 2 == 1;
            M other = pick(r, MEASURES);
            boolean withOther = i % 3 == 0 && other != m;
            String text;
            List<V> want = new ArrayList<>();
            if (zh) {
                text = "查体：" + pick(r, m.zh()) + v + unit + "。";
                if (withOther) {
                    String ov = pick(r, other.values());
                    text += pick(r, other.zh()) + ov + other.unitZh().get(0) + "。";
                    want.addAll(valuesOf(other.measure(), ov));
                }
            } else {
                text = "Exam: " + cap(pick(r, m.en())) + " " + v + (unit.equals("%") || unit.equals("℃") ? "" : " ") + unit + ".";
                if (withOther) {
                    String ov = pick(r, other.values());
                    text += " " + cap(pick(r, other.en())) + " " + ov + other.unitEn().get(0) + ".";
                    want.addAll(valuesOf(other.measure(), ov));
                }
            }
            Set<String> flags = redFlags(want);
            flags.add("UNPLACED_VALUE " + field(m.measure()));
            out.add(new Note(f, zh ? "zh" : "en", "written", text, want, List.of(), flags, null, null));
        }
        return out;
    }

    // ---------------------------------------------------------------- 5. numbers

    static List<Note> numbers(Random r) {
        String f = FAMILIES.get(4);
        List<Note> out = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            int form = i % 6;
            String text;
            String lang = "zh";
            List<V> want;
            if (form == 0) { // 血小板18万 = 180 ×10⁹/L
                int n = 5 + r.nextInt(36);
                text = "血常规：血小板" + n + "万" + pick(r, List.of("", "/μL")) + "。";
                want = valuesOf(Measure.PLATELETS, "" + n * 10);
            } else if (form == 1) { // 白细胞1.2万 = 12 ×10⁹/L
                BigDecimal x = new BigDecimal(3 + r.nextInt(18)).movePointLeft(1);
                text = "血常规：白细胞" + x.toPlainString() + "万，" + pick(r, List.of("中性粒细胞比例82%。", "余正常。"));
                want = valuesOf(Measure.WBC, x.movePointRight(1).toPlainString());
            } else if (form == 2) { // ".3": a decimal without its leading zero
                lang = "en";
                int d = 1 + r.nextInt(9);
                if (r.nextBoolean()) {
                    text = "Troponin ." + d + " ng/mL.";
                    want = valuesOf(Measure.TROPONIN_I, "0." + d);
                } else {
                    text = "Procalcitonin ." + d + ", CRP 8.";
                    want = new ArrayList<>(valuesOf(Measure.PROCALCITONIN, "0." + d));
                    want.addAll(valuesOf(Measure.CRP, "8"));
                }
            } else if (form == 3) { // creatinine 0.09 mmol/L = 90 µmol/L
                lang = r.nextBoolean() ? "en" : "zh";
                int u = 5 + r.nextInt(30);
                String mmol = new BigDecimal(u).movePointLeft(2).toPlainString();
                text = lang.equals("en") ? "Creatinine " + mmol + " mmol/L." : "肌酐" + mmol + "mmol/L。";
                want = valuesOf(Measure.CREATININE, "" + u * 10);
            } else if (form == 4) { // 高压/低压
                int s = 85 + r.nextInt(80);
                int d = Math.min(50 + r.nextInt(40), s - 25);
                text = pick(r, List.of("血压高压" + s + "低压" + d + "。", "高压" + s + "，低压" + d + "mmHg。", "收缩压" + s + "mmHg，舒张压" + d + "mmHg。"));
                want = valuesOf(Measure.SYSTOLIC_BP, s + "/" + d);
            } else { // systolic / diastolic in English
                lang = "en";
                int s = 85 + r.nextInt(80);
                int d = Math.min(50 + r.nextInt(40), s - 25);
                text = pick(r, List.of("Systolic " + s + ", diastolic " + d + ".", "SBP " + s + " DBP " + d + ".",
                        "Systolic blood pressure " + s + " mmHg and diastolic " + d + " mmHg."));
                want = valuesOf(Measure.SYSTOLIC_BP, s + "/" + d);
            }
            out.add(values(f, lang, "written", text, want));
        }
        return out;
    }

    // ---------------------------------------------------------------- 6. negation scope and change

    private record Sy(String name, String en, String zh) {
    }

    private static final List<Sy> SYMPTOMS = List.of(
            new Sy("fever", "fever", "发热"), new Sy("cough", "cough", "咳嗽"), new Sy("chills", "chills", "畏寒"),
            new Sy("headache", "headache", "头痛"), new Sy("chest pain", "chest pain", "胸痛"), new Sy("nausea", "nausea", "恶心"),
            new Sy("vomiting", "vomiting", "呕吐"), new Sy("diarrhea", "diarrhea", "腹泻"), new Sy("dyspnea", "shortness of breath", "呼吸困难"),
            new Sy("sore throat", "sore throat", "咽痛"), new Sy("palpitations", "palpitations", "心悸"), new Sy("dizziness", "dizziness", "头晕"));

    private static List<Sy> distinct(Random r, int k) {
        List<Sy> l = new ArrayList<>();
        while (l.size() < k) {
            Sy s = pick(r, SYMPTOMS);
            if (!l.contains(s)) {
                l.add(s);
            }
        }
        return l;
    }

    private static Note symptoms(String family, String lang, String text, List<S> want) {
        return new Note(family, lang, "written", text, List.of(), List.of(), Set.of(), want, null);
    }

    static List<Note> negation(Random r) {
        String f = FAMILIES.get(5);
        List<Note> out = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            List<Sy> s = distinct(r, 3);
            int n = 2 + r.nextInt(5);
            int form = i % 8;
            if (form == 0) {
                out.add(symptoms(f, "en", "Patient does not deny " + s.get(0).en() + ".", List.of(new S(s.get(0).name(), false, null))));
            } else if (form == 1) {
                out.add(symptoms(f, "en", "Not without " + s.get(0).en() + " at night.", List.of(new S(s.get(0).name(), false, null))));
            } else if (form == 2) {
                out.add(symptoms(f, "zh", "患者并非无" + s.get(0).zh() + "。", List.of(new S(s.get(0).name(), false, null))));
            } else if (form == 3) { // no longer febrile / has resolved
                String t = pick(r, List.of("No longer febrile.", "Fever has resolved.", "The fever has now resolved.", "Afebrile now, fever resolved."));
                if (r.nextBoolean() && !s.get(0).name().equals("fever")) { // the next item has its own predicate: stated, not listed
                    out.add(symptoms(f, "en", "No longer febrile, " + s.get(0).en() + " " + pick(r, List.of("improving", "persists", "worse")) + ".",
                            List.of(new S("fever", true, null), new S(s.get(0).name(), false, null))));
                    continue;
                }
                out.add(symptoms(f, "en", "Admitted with pneumonia. " + t, List.of(new S("fever", true, null))));
            } else if (form == 4) { // 发热已退
                String t = pick(r, List.of("发热已退。", "热已退，" + s.get(1).zh() + "已消失。", "目前体温正常，发热已退。"));
                List<S> want = new ArrayList<>(List.of(new S("fever", true, null)));
                if (t.contains("已消失") && !s.get(1).name().equals("fever")) {
                    want.add(new S(s.get(1).name(), true, null));
                } else if (t.contains("已消失")) {
                    continue;
                }
                out.add(symptoms(f, "zh", "肺炎入院。" + t, want));
            } else if (form == 5) { // a negated list ends where the list ends
                out.add(symptoms(f, "en", "No " + s.get(0).en() + " or " + s.get(1).en() + ", " + s.get(2).en() + " for " + n + " days.",
                        List.of(new S(s.get(0).name(), true, null), new S(s.get(1).name(), true, null),
                                new S(s.get(2).name(), false, "P" + n + "D"))));
            } else if (form == 6) {
                out.add(symptoms(f, "en", "Denies " + s.get(0).en() + " and " + s.get(1).en() + " but reports " + s.get(2).en() + ".",
                        List.of(new S(s.get(0).name(), true, null), new S(s.get(1).name(), true, null), new S(s.get(2).name(), false, null))));
            } else {
                out.add(symptoms(f, "zh", "无" + s.get(0).zh() + "、" + s.get(1).zh() + "，" + s.get(2).zh() + n + "天。",
                        List.of(new S(s.get(0).name(), true, null), new S(s.get(1).name(), true, null),
                                new S(s.get(2).name(), false, "P" + n + "D"))));
            }
        }
        return out;
    }

    // ---------------------------------------------------------------- 7. durations

    static List<Note> durations(Random r) {
        String f = FAMILIES.get(6);
        List<Note> out = new ArrayList<>();
        String[] zhNum = {"", "一", "两", "三", "四", "五", "六", "七"};
        for (int i = 0; i < 300; i++) {
            List<Sy> s = distinct(r, 2);
            int a = 2 + r.nextInt(6);
            int b = 1 + r.nextInt(12);
            int form = i % 8;
            if (form == 0) { // headache for two days and fever since this morning
                out.add(symptoms(f, "en", cap(s.get(0).en()) + " for " + a + " days and " + s.get(1).en() + " since this morning.",
                        List.of(new S(s.get(0).name(), false, "P" + a + "D"), new S(s.get(1).name(), false, null))));
            } else if (form == 1) {
                out.add(symptoms(f, "en", cap(s.get(0).en()) + " for " + a + " days and " + s.get(1).en() + " for " + b + " hours.",
                        List.of(new S(s.get(0).name(), false, "P" + a + "D"), new S(s.get(1).name(), false, "PT" + b + "H"))));
            } else if (form == 2) { // x3d
                out.add(symptoms(f, "en", "PC: " + s.get(0).en() + " x" + a + "d.", List.of(new S(s.get(0).name(), false, "P" + a + "D"))));
            } else if (form == 3) { // 3/7
                out.add(symptoms(f, "en", "PC: " + s.get(0).en() + " " + a + "/7.", List.of(new S(s.get(0).name(), false, "P" + a + "D"))));
            } else if (form == 4) { // 2/52
                out.add(symptoms(f, "en", "PC: " + s.get(0).en() + " " + a + "/52.", List.of(new S(s.get(0).name(), false, "P" + a + "W"))));
            } else if (form == 5) { // 3/12
                out.add(symptoms(f, "en", "PC: " + s.get(0).en() + " " + a + "/12.", List.of(new S(s.get(0).name(), false, "P" + a + "M"))));
            } else if (form == 6) { // 一天半
                int n = 1 + r.nextInt(5);
                out.add(symptoms(f, "zh", s.get(0).zh() + zhNum[n] + "天半。", List.of(new S(s.get(0).name(), false, "P" + n + ".5D"))));
            } else { // 咳嗽三天，发热一天
                out.add(symptoms(f, "zh", s.get(0).zh() + zhNum[Math.min(a, 7)] + "天，" + s.get(1).zh() + (b % 7 + 1) + "小时。",
                        List.of(new S(s.get(0).name(), false, "P" + Math.min(a, 7) + "D"), new S(s.get(1).name(), false, "PT" + (b % 7 + 1) + "H"))));
            }
        }
        return out;
    }

    // ---------------------------------------------------------------- 8. abbreviations

    private record Abbr(Measure m, List<String> names, List<String> values) {
    }

    private static final List<Abbr> ABBR = List.of(
            new Abbr(Measure.WBC, List.of("WCC", "WBCs", "wcc"), List.of("13.8", "6.1")),
            new Abbr(Measure.PLATELETS, List.of("plts", "Plts", "PLT"), List.of("250", "96")),
            new Abbr(Measure.CREATININE, List.of("creat", "Creat", "Cr", "SCr"), List.of("160", "88")),
            new Abbr(Measure.NT_PROBNP, List.of("proBNP", "NT pro BNP", "NT-pro BNP", "NTproBNP"), List.of("1200", "450")),
            new Abbr(Measure.GLUCOSE, List.of("glu", "Glu", "BSL", "BG"), List.of("7.8", "11.2")),
            new Abbr(Measure.RESPIRATORY_RATE, List.of("resp", "Resp", "RR"), List.of("20", "24")),
            new Abbr(Measure.BODY_TEMPERATURE, List.of("BT", "Temp", "Tmax"), List.of("38.2", "37.6")),
            new Abbr(Measure.HEMOGLOBIN, List.of("Hgb", "Hb", "haemoglobin"), List.of("118", "132")),
            new Abbr(Measure.OXYGEN_SATURATION, List.of("sats", "O2 sats", "SpO2", "spo2"), List.of("95", "97")),
            new Abbr(Measure.TROPONIN_I, List.of("trop", "TnI", "hs-TnI"), List.of("0.01", "0.02")),
            new Abbr(Measure.SODIUM, List.of("Na+", "Na"), List.of("138", "131")),
            new Abbr(Measure.POTASSIUM, List.of("K+", "K"), List.of("4.1", "3.6")),
            new Abbr(Measure.HEART_RATE, List.of("HR", "pulse", "PR"), List.of("96", "78")),
            new Abbr(Measure.D_DIMER, List.of("D-dimer", "d-dimer", "DD"), List.of("0.4", "1.6")),
            new Abbr(Measure.CRP, List.of("CRP", "crp"), List.of("12", "48")));

    static List<Note> abbreviations(Random r) {
        String f = FAMILIES.get(7);
        List<Note> out = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            int k = 1 + r.nextInt(3);
            List<Abbr> group = new ArrayList<>();
            while (group.size() < k) {
                Abbr a = pick(r, ABBR);
                if (!group.contains(a)) {
                    group.add(a);
                }
            }
            List<String> parts = new ArrayList<>();
            List<V> want = new ArrayList<>();
            for (Abbr a : group) {
                String v = pick(r, a.values());
                String name = pick(r, a.names());
                parts.add(name + " " + v + (a.m() == Measure.OXYGEN_SATURATION ? "%" : ""));
                want.addAll(valuesOf(a.m(), v));
            }
            boolean zh = i % 4 == 3;
            String text = zh ? "化验：" + String.join("，", parts) + "。" : "Bloods: " + String.join(", ", parts) + ".";
            out.add(values(f, zh ? "zh" : "en", "shorthand", text, want));
        }
        return out;
    }

    // ---------------------------------------------------------------- 9. headings without punctuation

    static List<Note> headings(Random r) {
        String f = FAMILIES.get(8);
        List<Note> out = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            List<Sy> s = distinct(r, 2);
            int n = 2 + r.nextInt(5);
            int form = i % 5;
            Map<String, String> sections = new TreeMap<>();
            String text;
            String lang = "en";
            List<V> want = List.of();
            if (form == 0) { // spoken headings running into the text
                String cc = s.get(0).en() + " for " + n + " days";
                String hpi = "started after a cold with " + s.get(1).en();
                text = "chief complaint " + cc + " history of present illness " + hpi + " past medical history hypertension";
                sections.put("chiefComplaint", cc);
                sections.put("historyOfPresentIllness", hpi);
                sections.put("pastHistory", "hypertension");
            } else if (form == 1) { // 主诉咳嗽三天现病史...
                lang = "zh";
                String cc = s.get(0).zh() + n + "天";
                String hpi = "患者" + n + "天前受凉后出现" + s.get(0).zh() + "伴" + s.get(1).zh();
                text = "主诉" + cc + "现病史" + hpi + "既往史高血压病史";
                sections.put("chiefComplaint", cc);
                sections.put("historyOfPresentIllness", hpi);
                sections.put("pastHistory", "高血压病史");
            } else if (form == 2) { // shorthand headings
                String ix = pick(r, List.of("CXR right lower lobe consolidation", "CXR clear", "ECG sinus tachycardia"));
                String imp = pick(r, List.of("community-acquired pneumonia", "viral bronchitis", "pulmonary embolism to exclude"));
                text = "Ix: " + ix + ". Imp: " + imp + ". Bloods: WCC 13.8, CRP 96.";
                sections.put("auxiliaryExams", ix + ". WCC 13.8, CRP 96"); // Ix and Bloods are both investigations
                sections.put("assessment", imp);
                want = List.of(V.of(Measure.WBC, "13.8"), V.of(Measure.CRP, "96"));
            } else if (form == 3) { // SOAP letters
                String subj = s.get(0).en() + " for " + n + " days";
                String plan = pick(r, List.of("amoxicillin 500 mg three times daily", "chest X-ray and review", "rest and fluids"));
                text = "S: " + subj + ". O: T 38.2, HR 96. A: " + pick(r, List.of("pneumonia", "bronchitis")) + ". P: " + plan + ".";
                sections.put("historyOfPresentIllness", subj);
                sections.put("plan", plan);
                want = List.of(V.of(Measure.BODY_TEMPERATURE, "38.2"), V.of(Measure.HEART_RATE, "96"));
            } else { // typed headings on one line without colons
                String cc = s.get(0).en() + " " + n + " days";
                text = "Presenting complaint " + cc + ". Examination chest clear. Impression " + pick(r, List.of("viral illness", "asthma")) + ". Plan review in two days.";
                sections.put("chiefComplaint", cc);
                sections.put("plan", "review in two days");
            }
            out.add(new Note(f, lang, form == 0 || form == 1 ? "spoken" : "written", text, want, List.of(), redFlags(want), null, sections));
        }
        return out;
    }

    // ---------------------------------------------------------------- 10. mixed notes

    /** Whole notes that combine the families above, the way a real note does. */
    static List<Note> mixed(Random r) {
        String f = FAMILIES.get(9);
        List<Note> out = new ArrayList<>();
        List<Note> adj = adjacent(new Random(r.nextLong()));
        List<Note> lst = lists(new Random(r.nextLong()));
        List<Note> tim = time(new Random(r.nextLong()));
        List<Note> abb = abbreviations(new Random(r.nextLong()));
        for (int i = 0; out.size() < 300; i++) {
            boolean zh = i % 2 == 1;
            List<Note> parts = new ArrayList<>();
            for (List<Note> pool : List.of(lst, tim, abb, adj)) {
                Note p;
                do {
                    p = pool.get(r.nextInt(pool.size()));
                } while (!p.language().equals(zh ? "zh" : "en"));
                parts.add(p);
            }
            // one measure once per note: skip combinations that would state a measure twice
            Set<String> codes = new java.util.HashSet<>();
            boolean clash = false;
            for (Note p : parts) {
                Set<String> mine = new java.util.HashSet<>();
                p.values().forEach(v -> mine.add(v.code()));
                p.earlier().forEach(v -> mine.add(v.code()));
                for (String c : mine) {
                    clash |= !codes.add(c);
                }
            }
            if (clash) {
                continue;
            }
            StringBuilder text = new StringBuilder(zh ? "主诉：咳嗽3天。查体：" : "Presenting complaint: cough for 3 days. Examination: ");
            List<V> values = new ArrayList<>();
            List<V> earlier = new ArrayList<>();
            Set<String> flags = new LinkedHashSet<>();
            for (Note p : parts) {
                String t = p.text().replaceFirst("^(?:Cough\\. |咳嗽。|Obs: |查体：|入院查体：|Bloods: |化验：|the patient has a cough )", "");
                if (t.endsWith("thank you")) {
                    t = t.replace(" thank you", ".");
                }
                text.append(t).append(zh ? "" : " ");
                values.addAll(p.values());
                earlier.addAll(p.earlier());
                flags.addAll(p.flags());
            }
            out.add(new Note(f, zh ? "zh" : "en", "note", text.toString().strip(), values, earlier, flags, null, null));
        }
        return out;
    }
}
