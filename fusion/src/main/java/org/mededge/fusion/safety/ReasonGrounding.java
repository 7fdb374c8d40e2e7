package org.mededge.fusion.safety;

import java.math.BigDecimal;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.mededge.fusion.Assessment;
import org.mededge.fusion.ClinicalValue;
import org.mededge.fusion.Flag;
import org.mededge.fusion.ImagingFinding;
import org.mededge.fusion.FlagCode;
import org.mededge.fusion.Symptom;
import org.mededge.fusion.extract.NormalizedText;
import org.mededge.fusion.extract.SymptomExtractor;
import org.mededge.fusion.extract.SymptomLexicon;

/**
 * NEEDS_REVIEW when the assessment's reason cites symptoms or signs that the note does not state
 * as present (absent from it, or negated in it): a language model that invents supporting findings
 * must not read as confident. The reason is read with the same lexicon and negation rules as the
 * note; findings are compared by the lexicon's canonical name, so a zh note and an en reason match.
 * A finding is also supported by a more specific one ("cough" by "dry cough") and fever by a measured
 * temperature of at least 38.0 Cel.
 */
public final class ReasonGrounding {
    private static final SymptomExtractor EXTRACTOR = new SymptomExtractor(SymptomLexicon.get());
    private static final Map<String, List<String>> MORE_SPECIFIC = Map.of(
            "cough", List.of("dry cough", "productive cough"),
            "dyspnea", List.of("orthopnea", "paroxysmal nocturnal dyspnea"));
    private static final String BODY_TEMPERATURE = "8310-5";
    private static final BigDecimal FEVER_CEL = new BigDecimal("38.0");

    private ReasonGrounding() {
    }

    /** The canonical names of the findings the reason cites as present but the note does not. */
    public static Set<String> unsupported(Assessment assessment, List<Symptom> noteSymptoms, List<ClinicalValue> vitals) {
        Set<String> present = new LinkedHashSet<>();
        for (Symptom s : noteSymptoms) {
            if (!s.negated()) {
                present.add(s.name());
            }
        }
        MORE_SPECIFIC.forEach((general, specific) -> {
            if (specific.stream().anyMatch(present::contains)) {
                present.add(general);
            }
        });
        if (vitals.stream().anyMatch(v -> v.code().equals(BODY_TEMPERATURE) && v.comparator() == null && v.value().compareTo(FEVER_CEL) >= 0)) {
            present.add("fever");
        }
        Set<String> out = new LinkedHashSet<>();
        for (Symptom cited : EXTRACTOR.extract(NormalizedText.of(assessment.reason()), i -> false)) {
            if (!cited.negated() && !present.contains(cited.name())) {
                out.add(cited.name());
            }
        }
        return out;
    }

    public static List<Flag> check(Assessment assessment, List<Symptom> noteSymptoms, List<ClinicalValue> vitals,
                                   String language) {
        return check(assessment, noteSymptoms, vitals, List.of(), "", language);
    }

    /** Imaging findings a reason may cite: each is supported by a positive study finding of that name or by the note's words. */
    private static final Map<String, java.util.regex.Pattern> IMAGING_TERMS = ordered(
            "cardiomegaly", java.util.regex.Pattern.compile("(?i)cardiomegaly|enlarged\\s+(?:heart|cardiac\\s+silhouette)|心脏增大|心影增大"),
            "effusion", java.util.regex.Pattern.compile("(?i)effusion|胸腔积液|积液"),
            "pneumothorax", java.util.regex.Pattern.compile("(?i)pneumothorax|气胸"),
            "consolidation", java.util.regex.Pattern.compile("(?i)consolidation|实变"),
            "nodule", java.util.regex.Pattern.compile("(?i)nodules?|结节"),
            "atelectasis", java.util.regex.Pattern.compile("(?i)atelectasis|肺不张"),
            "infiltration", java.util.regex.Pattern.compile("(?i)infiltrat(?:e|es|ion)|浸润"),
            "opacity", java.util.regex.Pattern.compile("(?i)opacit(?:y|ies)|阴影|密度增高影"));

    /** Term to pattern in the order given, so that a flag names them the same way on every run. */
    private static Map<String, java.util.regex.Pattern> ordered(Object... kv) {
        Map<String, java.util.regex.Pattern> m = new java.util.LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], (java.util.regex.Pattern) kv[i + 1]);
        }
        return java.util.Collections.unmodifiableMap(m);
    }

    /** The imaging findings the reason cites that no attached study showed and the note does not state. */
    public static Set<String> unsupportedImaging(Assessment assessment, List<ImagingFinding> imaging, String noteText) {
        Set<String> out = new LinkedHashSet<>();
        for (Map.Entry<String, java.util.regex.Pattern> e : IMAGING_TERMS.entrySet()) {
            if (!e.getValue().matcher(assessment.reason()).find()) {
                continue;
            }
            boolean shown = imaging.stream().anyMatch(f -> e.getValue().matcher(f.label()).find()
                    || f.label().toLowerCase(java.util.Locale.ROOT).contains(e.getKey()));
            if (!shown && !e.getValue().matcher(noteText == null ? "" : noteText).find()) {
                out.add(e.getKey());
            }
        }
        return out;
    }

    public static List<Flag> check(Assessment assessment, List<Symptom> noteSymptoms, List<ClinicalValue> vitals,
                                   List<ImagingFinding> imaging, String noteText, String language) {
        if (assessment == null || assessment.reason() == null) {
            return List.of();
        }
        Set<String> missing = unsupported(assessment, noteSymptoms, vitals);
        missing.addAll(unsupportedImaging(assessment, imaging, noteText));
        if (missing.isEmpty()) {
            return List.of();
        }
        String list = String.join(", ", missing);
        return List.of(new Flag(FlagCode.NEEDS_REVIEW, "zh".equals(language)
                ? "AI 评估的理由引用了病历中没有的表现（" + list + "）：请临床医师复核诊断。"
                : "The AI assessment's reason cites findings the note does not state (" + list
                        + "): a clinician must review the diagnosis.", "assessment.reason"));
    }
}
