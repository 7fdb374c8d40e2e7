package org.mededge.fusion;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * A symptom or sign as the note states it.
 *
 * @param text        the words of the note (original language)
 * @param name        the lexicon's canonical English name ("chest pain"), the same for zh and en
 * @param concept     SNOMED CT concept where the lexicon is sure of one, else null
 * @param negated     true when the note says it is absent ("denies chest pain", "无发热")
 * @param durationIso ISO 8601 duration when the note gives one (P3D, P2W, PT2H), else null
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Symptom(String text, String name, Concept concept, boolean negated, String durationIso) {
    public Symptom withDuration(String iso) {
        return new Symptom(text, name, concept, negated, iso);
    }
}
