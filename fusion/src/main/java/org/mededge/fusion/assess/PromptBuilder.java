package org.mededge.fusion.assess;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.mededge.fusion.ClinicalValue;
import org.mededge.fusion.ImagingFinding;
import org.mededge.fusion.Section;
import org.mededge.fusion.Symptom;
import org.mededge.llm.AdapterRef;
import org.mededge.llm.GenerationRequest;
import org.mededge.llm.Sampling;

/**
 * Builds the assessment request: the structured findings plus the note, the specialty's candidates,
 * the schema for constrained decoding, greedy decoding, and the specialty's adapter when the engine
 * has it loaded. Pure: the same note gives the same request.
 */
public final class PromptBuilder {
    /** The note's own text is cut to this many characters in the prompt (the findings come first). */
    public static final int MAX_NOTE_CHARS = 4000;

    static final String SYSTEM = """
            You are a clinical decision-support assistant on an offline hospital appliance. \
            Read the structured findings and the note. Choose the most likely diagnosis from the candidate list only. \
            Answer with one JSON object: diagnosis (one candidate), confidence (your probability from 0 to 1 that it is right), \
            reason (one or two sentences citing findings stated in the note), differential (up to 3 other candidates, most likely first), \
            ruleOut (up to 3 dangerous candidates that must be excluded). Never invent findings. \
            When the note does not support any candidate well, give a low confidence. A clinician makes the decision.""";

    private PromptBuilder() {
    }

    /**
     * @param available the adapters the engine has loaded; the specialty's adapter is used only
     *                  when it is among them, else the base model
     */
    public static GenerationRequest build(Specialties.Specialty specialty, String language, Map<String, String> sections,
                                          List<ClinicalValue> vitals, List<ClinicalValue> labs, List<Symptom> symptoms,
                                          List<String> available, int maxNewTokens, Duration deadline) {
        return build(specialty, language, sections, vitals, labs, symptoms, List.of(), available, maxNewTokens, deadline);
    }

    /** The same, with the positive findings of the attached imaging studies beside vitals and labs. */
    public static GenerationRequest build(Specialties.Specialty specialty, String language, Map<String, String> sections,
                                          List<ClinicalValue> vitals, List<ClinicalValue> labs, List<Symptom> symptoms,
                                          List<ImagingFinding> imaging, List<String> available, int maxNewTokens,
                                          Duration deadline) {
        StringBuilder u = new StringBuilder(1024);
        u.append("Specialty: ").append(specialty.name()).append('\n');
        u.append("Note language: ").append(language).append('\n');
        u.append("Candidates: ").append(String.join("; ", specialty.names())).append("\n\n");
        u.append("Symptoms and signs: ");
        u.append(symptoms.isEmpty() ? "none recorded" : symptoms.stream().map(PromptBuilder::symptom)
                .collect(Collectors.joining("; ")));
        u.append('\n');
        u.append("Vital signs: ").append(values(vitals)).append('\n');
        u.append("Laboratory: ").append(values(labs)).append('\n');
        if (!imaging.isEmpty()) {
            u.append("Imaging (AI model findings): ").append(imaging.stream().map(f -> f.label() + " (probability "
                    + Math.round(f.probability() * 100) + " %" + (f.clinical() ? "" : ", " + ImagingFinding.NOT_CLINICAL_EN) + ")")
                    .collect(Collectors.joining("; "))).append('\n');
        }
        u.append('\n');
        u.append("Note:\n");
        StringBuilder note = new StringBuilder();
        for (Section s : Section.values()) {
            String t = sections.get(s.key());
            if (t != null) {
                note.append(s.title("en")).append(": ").append(t).append('\n');
            }
        }
        String n = note.toString();
        u.append(n.length() > MAX_NOTE_CHARS ? n.substring(0, MAX_NOTE_CHARS) + " […]" : n);
        String adapter = specialty.adapter() != null && available.contains(specialty.adapter()) ? specialty.adapter() : null;
        return new GenerationRequest(SYSTEM, u.toString(), adapter == null ? null : new AdapterRef(adapter),
                AssessmentSchema.forCandidates(specialty.names()), maxNewTokens, Sampling.GREEDY, List.of(), deadline,
                null);
    }

    private static String symptom(Symptom s) {
        String d = s.durationIso() == null ? "" : " (" + s.durationIso() + ")";
        return (s.negated() ? "no " : "") + s.name() + d;
    }

    private static String values(List<ClinicalValue> vs) {
        if (vs.isEmpty()) {
            return "none recorded";
        }
        return vs.stream().map(v -> v.display().replaceAll(" \\[.*", "") + " " + v.valueText() + " " + v.unit())
                .collect(Collectors.joining("; "));
    }
}
