package org.mededge.fusion;

import java.util.Objects;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * A warning on a report, with a plain message for the clinician (in the report's language).
 *
 * @param field the report field concerned ("vitals.8310-5", "assessment"), or null
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Flag(FlagCode code, String message, String field) {
    public Flag {
        Objects.requireNonNull(code, "code");
        Objects.requireNonNull(message, "message");
    }
}
