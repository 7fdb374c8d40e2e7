package org.mededge.fusion;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * The language model's assessment, validated against the specialty's candidate diagnoses.
 *
 * @param confidence the model's own confidence, 0..1
 * @param adapter    the LoRA adapter that produced it, or null for the base model
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Assessment(String diagnosis, double confidence, String reason, List<String> differential,
                         List<String> ruleOut, String adapter) {
    public Assessment {
        differential = List.copyOf(differential);
        ruleOut = List.copyOf(ruleOut);
    }
}
