package org.mededge.fusion.radiology;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * One finding of a radiology text.
 *
 * @param term       canonical English finding ("nodule", "pleural effusion")
 * @param radlexId   RadLex RID where we are sure of it, else null
 * @param laterality left, right or bilateral, or null
 * @param site       canonical English site without laterality ("lower lobe"), or null
 * @param modifiers  canonical descriptors in house order ("solid", "small", "multiple")
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RadFinding(String term, String radlexId, String laterality, String site, List<String> modifiers,
                         boolean negated, List<Measurement> measurements) {
    public RadFinding {
        modifiers = List.copyOf(modifiers);
        measurements = List.copyOf(measurements);
    }
}
