package org.mededge.fusion.extract;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.mededge.fusion.ClinicalValue;
import org.mededge.fusion.Symptom;

/**
 * What the structurer read from a note, before the safety gate: section texts (the note's own
 * words), every value stated (plausible or not), symptoms, and the numbers no field took.
 */
public record Extraction(String language, Map<String, String> sections, List<ClinicalValue> vitals,
                         List<ClinicalValue> labs, List<Symptom> symptoms, List<UnplacedNumbers.Unplaced> unplaced) {
    public Extraction {
        unplaced = List.copyOf(unplaced);
        sections = Collections.unmodifiableMap(new LinkedHashMap<>(sections));
        vitals = List.copyOf(vitals);
        labs = List.copyOf(labs);
        symptoms = List.copyOf(symptoms);
    }
}
