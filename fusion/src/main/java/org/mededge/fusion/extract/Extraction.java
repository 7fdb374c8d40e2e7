package org.mededge.fusion.extract;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.mededge.fusion.ClinicalValue;
import org.mededge.fusion.Symptom;

/**
 * What the structurer read from a note, before the safety gate: section texts (the note's own
 * words), every current value stated (plausible or not), the earlier readings the note states, symptoms, the numbers no field took, ranges
 * stated where one reading belongs, and readings in doubt (a unit that cannot be the measure's, two
 * values of one measure).
 */
public record Extraction(String language, Map<String, String> sections, List<ClinicalValue> vitals,
                         List<ClinicalValue> labs, List<ClinicalValue> earlier, List<Symptom> symptoms, List<UnplacedNumbers.Unplaced> unplaced,
                         List<ValueExtractor.Range> ranges, List<ValueExtractor.Doubt> doubts) {
    public Extraction {
        ranges = List.copyOf(ranges);
        doubts = List.copyOf(doubts);
        unplaced = List.copyOf(unplaced);
        sections = Collections.unmodifiableMap(new LinkedHashMap<>(sections));
        vitals = List.copyOf(vitals);
        labs = List.copyOf(labs);
        earlier = List.copyOf(earlier);
        symptoms = List.copyOf(symptoms);
    }
}
