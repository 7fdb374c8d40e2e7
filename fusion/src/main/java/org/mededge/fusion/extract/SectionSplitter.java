package org.mededge.fusion.extract;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.mededge.fusion.Section;
import org.mededge.fusion.extract.Spans.Span;

/**
 * Splits a note into sections: from headings written or spoken in either language (主诉, 现病史,
 * chief complaint, HPI, SOAP's S:/O:/A:/P:), and, for text without headings, sentence by sentence
 * from what each sentence is about.
 */
public final class SectionSplitter {

    /** Sections found, each with its normalized spans, and the headings' own spans. */
    public record Result(Map<Section, List<Span>> sections, List<Span> headings, boolean fromHeadings) {
        /** The section a normalized position lies in, or null. */
        public Section sectionAt(int i) {
            for (Map.Entry<Section, List<Span>> e : sections.entrySet()) {
                for (Span s : e.getValue()) {
                    if (s.contains(i)) {
                        return e.getKey();
                    }
                }
            }
            return null;
        }

        public boolean inHeading(int i) {
            return headings.stream().anyMatch(h -> h.contains(i));
        }
    }

    private record Heading(String words, Section section, boolean needsColon) {
    }

    private static final List<Heading> HEADINGS = new ArrayList<>();

    private static void h(Section s, boolean needsColon, String... words) {
        for (String w : words) {
            HEADINGS.add(new Heading(w, s, needsColon));
        }
    }

    static {
        // strong headings: recognised without a colon at the start of a sentence (dictation)
        h(Section.CHIEF_COMPLAINT, false, "主诉", "chief complaint", "presenting complaint", "reason for visit");
        h(Section.HISTORY_OF_PRESENT_ILLNESS, false, "现病史", "history of present illness", "history of the present illness",
                "history of presenting illness", "present illness", "subjective");
        h(Section.PAST_HISTORY, false, "既往史", "既往病史", "个人史", "家族史", "past medical history", "past history",
                "medical history", "family history", "social history");
        h(Section.MEDICATIONS, false, "用药史", "目前用药", "current medications", "home medications", "medications", "medication list");
        h(Section.ALLERGIES, false, "过敏史", "allergies", "drug allergies");
        h(Section.PHYSICAL_EXAM, false, "体格检查", "查体", "专科检查", "physical examination", "physical exam", "on examination",
                "examination", "exam", "objective", "vital signs", "vitals");
        h(Section.AUXILIARY_EXAMS, false, "辅助检查", "实验室检查", "检查结果", "影像学检查", "laboratory results", "laboratory",
                "investigations", "labs", "lab results", "results", "imaging", "studies");
        h(Section.ASSESSMENT, false, "初步诊断", "临床诊断", "入院诊断", "assessment and plan", "impression and plan",
                "assessment", "impression", "diagnosis", "diagnoses", "clinical impression");
        h(Section.PLAN, false, "诊疗计划", "处理意见", "治疗计划", "治疗方案", "plan");
        // weak headings: only with a colon (or a line of their own)
        // shorthand headings (UK and Commonwealth notes: PC, HPC, PMHx, DHx, O/E, Ix, Imp, Mx)
        h(Section.CHIEF_COMPLAINT, true, "CC", "PC");
        h(Section.HISTORY_OF_PRESENT_ILLNESS, true, "HPI", "HPC", "HxPC", "Hx", "history", "病史", "S");
        h(Section.PAST_HISTORY, true, "PMH", "PMHx", "PHx", "SHx", "FHx", "既往");
        h(Section.MEDICATIONS, true, "meds", "drugs", "DHx", "用药");
        h(Section.ALLERGIES, true, "allergy", "过敏");
        h(Section.PHYSICAL_EXAM, true, "PE", "O/E", "OE", "Obs", "体检", "O");
        h(Section.AUXILIARY_EXAMS, true, "data", "Ix", "Bloods", "检验", "检查", "化验");
        h(Section.ASSESSMENT, true, "A/P", "A&P", "Dx", "Imp", "Ddx", "诊断", "印象", "评估", "A");
        h(Section.PLAN, true, "Mx", "处理", "计划", "治疗", "医嘱", "建议", "P");
    }

    private static final Pattern HEADING;

    static {
        StringBuilder alt = new StringBuilder();
        HEADINGS.stream().map(Heading::words).sorted((a, b) -> b.length() - a.length()).forEach(w -> {
            if (alt.length() > 0) {
                alt.append('|');
            }
            alt.append(Pattern.quote(w));
        });
        HEADING = Pattern.compile("(?:^|(?<=[\\n。.;；!?！？]))[ \\t]*(?:\\d{1,2}[.、)]\\s*)?(" + alt
                + ")(?![A-Za-z])[ \\t]*(:|-\\s|\\n|(?=\\S))?", Pattern.CASE_INSENSITIVE);
    }

    /**
     * Headings that cannot be anything else, recognised where speech or quick typing runs them into the
     * text ("chief complaint cough for 3 days history of present illness ...", 主诉咳嗽3天现病史...).
     */
    private static final Pattern RUNNING = Pattern.compile("(?<![A-Za-z])(?i:(?<!\\b(?:a|his|her|their|no|significant|any|of|the) )"
            + "(chief complaint|history of (?:the )?present(?:ing)? illness|past medical history|physical examination))(?![A-Za-z])"
            + "|(?<![患者病人其儿])(主诉)|(现病史)|(?<![无否认])(既往史)|(?<![行做进])(体格检查)|(?<![行做进])(辅助检查)|(初步诊断)");

    public Result split(NormalizedText nt) {
        String s = nt.text();
        List<int[]> marks = new ArrayList<>(); // start, contentStart, section ordinal, headingEnd
        Matcher run = RUNNING.matcher(s);
        while (run.find()) {
            Heading h = lookup(run.group().toLowerCase(Locale.ROOT));
            if (h != null) {
                int end = run.end();
                while (end < s.length() && (s.charAt(end) == ':' || s.charAt(end) == ' ')) {
                    end++;
                }
                marks.add(new int[] {run.start(), end, h.section.ordinal()});
            }
        }
        Matcher m = HEADING.matcher(s);
        while (m.find()) {
            Heading h = lookup(m.group(1));
            if (h == null) {
                continue;
            }
            String after = m.group(2);
            boolean colon = after != null && (after.startsWith(":") || after.startsWith("-") || after.startsWith("\n"));
            boolean singleLetter = h.words.length() == 1;
            if (singleLetter) {
                // SOAP letters: upper case, colon, at the start of a line, and not a value ("P: 88")
                boolean lineStart = m.start(1) == 0 || s.lastIndexOf('\n', m.start(1) - 1) >= 0
                        && s.substring(s.lastIndexOf('\n', m.start(1) - 1) + 1, m.start(1)).isBlank();
                lineStart |= m.start(1) > 1 && sentenceStartBefore(s, m.start(1)) && s.charAt(m.start(1) - 1) == ' ';
                if (!colon || !lineStart || !Character.isUpperCase(m.group(1).charAt(0))
                        || nextIsDigit(s, m.end())) {
                    continue;
                }
            } else if (h.needsColon && !colon) {
                continue;
            } else if (!h.needsColon && !colon && isLatin(h.words) && !m.group(1).equals(m.group(1).toUpperCase(Locale.ROOT))
                    && !Character.isUpperCase(m.group(1).charAt(0)) && m.start(1) > 0 && !sentenceStartBefore(s, m.start(1))) {
                continue;
            }
            if (h.needsColon && isLatin(h.words) && h.words.equals(h.words.toUpperCase(Locale.ROOT))
                    && !m.group(1).equals(h.words) && h.words.length() <= 3) {
                continue; // "pe:" is not "PE:"
            }
            int a = m.start(1);
            if (marks.stream().noneMatch(x -> x[0] <= a && a < x[1])) {
                marks.add(new int[] {m.start(1), m.end(), h.section.ordinal()});
            }
        }
        marks.sort(java.util.Comparator.comparingInt(x -> x[0]));
        Map<Section, List<Span>> sections = new EnumMap<>(Section.class);
        List<Span> headings = new ArrayList<>();
        if (marks.isEmpty()) {
            classify(s, 0, s.length(), sections, true);
            return new Result(ordered(sections), headings, false);
        }
        if (marks.get(0)[0] > 0) {
            classify(s, 0, marks.get(0)[0], sections, true);
        }
        for (int k = 0; k < marks.size(); k++) {
            int[] mk = marks.get(k);
            headings.add(new Span(mk[0], mk[1]));
            int end = k + 1 < marks.size() ? marks.get(k + 1)[0] : s.length();
            Section sec = Section.values()[mk[2]];
            int a = mk[1];
            int b = end;
            while (a < b && (Character.isWhitespace(s.charAt(a)) || s.charAt(a) == ':')) {
                a++;
            }
            while (b > a && Character.isWhitespace(s.charAt(b - 1))) {
                b--;
            }
            if (b <= a) {
                continue;
            }
            if (sec == Section.CHIEF_COMPLAINT) {
                // a chief complaint is one sentence; what follows it without a heading is history
                List<Span> sentences = Spans.sentences(s, a, b);
                Span first = sentences.get(0);
                sections.computeIfAbsent(sec, x -> new ArrayList<>()).add(first);
                if (sentences.size() > 1) {
                    classify(s, sentences.get(1).start(), b, sections, false);
                }
                continue;
            }
            sections.computeIfAbsent(sec, x -> new ArrayList<>()).add(new Span(a, b));
        }
        return new Result(ordered(sections), headings, true);
    }

    private static boolean nextIsDigit(String s, int i) {
        int k = i;
        while (k < s.length() && s.charAt(k) == ' ') {
            k++;
        }
        return k < s.length() && Character.isDigit(s.charAt(k));
    }

    private static boolean sentenceStartBefore(String s, int i) {
        int k = i - 1;
        while (k >= 0 && (s.charAt(k) == ' ' || s.charAt(k) == '\t')) {
            k--;
        }
        return k < 0 || "\n。.;；!?！？".indexOf(s.charAt(k)) >= 0;
    }

    private static boolean isLatin(String w) {
        return w.chars().allMatch(c -> c < 128);
    }

    private static Heading lookup(String words) {
        for (Heading h : HEADINGS) {
            if (h.words.equalsIgnoreCase(words)) {
                return h;
            }
        }
        return null;
    }

    private static Map<Section, List<Span>> ordered(Map<Section, List<Span>> sections) {
        Map<Section, List<Span>> out = new LinkedHashMap<>();
        for (Section sec : Section.values()) {
            List<Span> spans = sections.get(sec);
            if (spans != null && !spans.isEmpty()) {
                out.put(sec, List.copyOf(spans));
            }
        }
        return out;
    }

    // ------------------------------------------------------------- text without headings

    private static final Pattern PLAN = Pattern.compile(
            "(?i)\\b(?:plan|start(?:ed)?|give|given|admit|admission|recommend(?:ed)?|will|follow[- ]?up|refer(?:red)?|discharge|prescribe[d]?|continue|schedule)\\b"
                    + "|给予|予以|予|建议|拟|收入|收住|复查|随访|口服.*(?:治疗|观察)|嘱|转诊|住院治疗|门诊随诊");
    private static final Pattern ALLERGY = Pattern.compile("(?i)\\ballerg|\\bNKDA\\b|过敏");
    private static final Pattern MEDICATION = Pattern.compile(
            "(?i)\\b(?:takes|taking|is on|currently on|medications?)\\b|\\d\\s*mg\\b.*\\b(?:daily|bid|tid|qd|od|twice|once)\\b|长期口服|长期服用|规律服用|服用");
    private static final Pattern PAST = Pattern.compile(
            "(?i)\\b(?:past medical history|medical history|PMH|known (?:case of |history of )?|previously diagnosed|history of (?:hypertension|diabetes|asthma|copd|coronary|heart|stroke|smoking|mi|cancer|tuberculosis|atrial)|smoker|pack[- ]years?)\\b"
                    + "|既往|病史|吸烟史|手术史");
    private static final Pattern EXAM = Pattern.compile(
            "(?i)\\b(?:exam|examination|auscultation|lungs?|chest (?:is )?clear|breath sounds|heart sounds|murmur|crackles|rales|wheezes|tender|abdomen|BP|HR|RR|SpO2|temperature|pulse|blood pressure|heart rate|respiratory rate|saturation|alert|oriented|afebrile)\\b"
                    + "|查体|双肺|两肺|呼吸音|啰音|心律|心率|杂音|压痛|神志|体温|血压|脉搏|血氧|心界");
    private static final Pattern AUX = Pattern.compile(
            "(?i)\\b(?:x-ray|CXR|CT|MRI|ECG|EKG|ultrasound|echo(?:cardiogram)?|labs?|WBC|CRP|troponin|hemoglobin|platelets?|glucose|creatinine|potassium|sodium|D-dimer|procalcitonin|NT-?proBNP|culture)\\b"
                    + "|血常规|胸片|胸部CT|心电图|超声|彩超|检查示|化验|白细胞|肌钙蛋白|血红蛋白|血小板|血糖|肌酐|二聚体|降钙素原|血钾|血钠|C-?反应蛋白");
    private static final Pattern ASSESS = Pattern.compile(
            "(?i)\\b(?:impression|likely|consistent with|suspect(?:ed)?|diagnos(?:is|ed)|differential|probable|rule out|r/o)\\b|考虑|诊断|可能性大|待排|疑似");

    private static void classify(String s, int from, int to, Map<Section, List<Span>> out, boolean firstIsComplaint) {
        List<Span> sentences = Spans.sentences(s, from, to);
        for (int k = 0; k < sentences.size(); k++) {
            Span sp = sentences.get(k);
            String t = s.substring(sp.start(), sp.end());
            Section sec;
            if (ALLERGY.matcher(t).find()) {
                sec = Section.ALLERGIES;
            } else if (PLAN.matcher(t).find() && !EXAM.matcher(t).find()) {
                sec = Section.PLAN;
            } else if (ASSESS.matcher(t).find()) {
                sec = Section.ASSESSMENT;
            } else if (PAST.matcher(t).find()) {
                sec = Section.PAST_HISTORY;
            } else if (MEDICATION.matcher(t).find()) {
                sec = Section.MEDICATIONS;
            } else if (AUX.matcher(t).find()) {
                sec = Section.AUXILIARY_EXAMS;
            } else if (EXAM.matcher(t).find()) {
                sec = Section.PHYSICAL_EXAM;
            } else if (k == 0 && firstIsComplaint && isShort(t) && sentences.size() > 1) {
                sec = Section.CHIEF_COMPLAINT;
            } else {
                sec = Section.HISTORY_OF_PRESENT_ILLNESS;
            }
            out.computeIfAbsent(sec, x -> new ArrayList<>()).add(sp);
        }
    }

    private static boolean isShort(String t) {
        long han = t.codePoints().filter(c -> Character.UnicodeScript.of(c) == Character.UnicodeScript.HAN).count();
        if (han > 0) {
            return t.length() <= 30;
        }
        return t.trim().split("\\s+").length <= 12;
    }
}
