package org.mededge.fusion;

import java.math.BigDecimal;
import java.util.Objects;

/**
 * A vital sign or laboratory value in its standard unit.
 *
 * @param code    LOINC code (8310-5, 6690-2, ...)
 * @param display LOINC display name
 * @param value   the value converted to {@code unit}, rounded once at the end of the conversion
 * @param unit    UCUM unit (Cel, /min, mm[Hg], %, 10*9/L, ...)
 * @param text    the words of the note this was read from
 */
public record ClinicalValue(String code, String display, BigDecimal value, String unit, String text) {
    public ClinicalValue {
        Objects.requireNonNull(code, "code");
        Objects.requireNonNull(value, "value");
        Objects.requireNonNull(unit, "unit");
    }
}
