package org.mededge.fusion;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * A clinical note structured for people and machines. The field names are the HTTP API.
 *
 * @param language   "zh" or "en"
 * @param specialty  respiratory, cardiology, radiology or general
 * @param sections   section key ({@link Section#key()}) to the note's own words, in note order
 * @param vitals     the current vital signs (one per measure: the latest the note states as current)
 * @param labs       the current laboratory values, likewise
 * @param earlier    earlier readings the note states (baseline, on arrival, on room air), each with its
 *                   {@link ClinicalValue#when()}: history, never current, never a red flag
 * @param studies    the imaging studies attached to the report, in attachment order
 * @param imaging    the positive findings of the imaging studies attached to the report, each marked when its
 *                   model is not declared clinical
 * @param assessment the language model's assessment, or null when none was made
 * @param status     "preliminary" until a clinician signs it
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record StructuredReport(
        String language,
        String specialty,
        Map<String, String> sections,
        List<ClinicalValue> vitals,
        List<ClinicalValue> labs,
        @JsonInclude(JsonInclude.Include.NON_EMPTY) List<ClinicalValue> earlier,
        @JsonInclude(JsonInclude.Include.NON_EMPTY) List<StudyRef> studies,
        @JsonInclude(JsonInclude.Include.NON_EMPTY) List<ImagingFinding> imaging,
        List<Symptom> symptoms,
        List<Flag> flags,
        Assessment assessment,
        String disclaimer,
        String status,
        Provenance provenance) {

    public static final String STATUS_PRELIMINARY = "preliminary";

    public StructuredReport {
        sections = Collections.unmodifiableMap(new LinkedHashMap<>(sections));
        vitals = List.copyOf(vitals);
        labs = List.copyOf(labs);
        earlier = earlier == null ? List.of() : List.copyOf(earlier);
        studies = studies == null ? List.of() : List.copyOf(studies);
        imaging = imaging == null ? List.of() : List.copyOf(imaging);
        symptoms = List.copyOf(symptoms);
        flags = List.copyOf(flags);
    }

    public boolean hasFlag(FlagCode code) {
        return flags.stream().anyMatch(f -> f.code() == code);
    }
}
