package org.mededge.fusion;

import java.math.BigDecimal;
import java.util.Objects;
import java.util.Set;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * A vital sign or laboratory value in its standard unit.
 *
 * @param code       LOINC code (8310-5, 6690-2, ...)
 * @param display    LOINC display name
 * @param value      the value converted to {@code unit}, rounded once at the end of the conversion
 * @param unit       UCUM unit (Cel, /min, mm[Hg], %, 10*9/L, ...)
 * @param text       the words of the note this was read from
 * @param comparator null when the note states the value itself; "&lt;", "&lt;=", "&gt;=" or "&gt;" (FHIR
 *                   Quantity.comparator) when it states a bound ("troponin I &lt;0.01", "less than 5")
 * @param when       null for a current value; for an earlier one, the note's words that make it so
 *                   ("on arrival", "baseline", "on room air", "入院时")
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ClinicalValue(String code, String display, BigDecimal value, String unit, String text, String comparator,
                            String when) {
    private static final Set<String> COMPARATORS = Set.of("<", "<=", ">=", ">");

    public ClinicalValue {
        Objects.requireNonNull(code, "code");
        Objects.requireNonNull(value, "value");
        Objects.requireNonNull(unit, "unit");
        if (comparator != null && !COMPARATORS.contains(comparator)) {
            throw new IllegalArgumentException("comparator must be <, <=, >= or >, was " + comparator);
        }
    }

    public ClinicalValue(String code, String display, BigDecimal value, String unit, String text, String comparator) {
        this(code, display, value, unit, text, comparator, null);
    }

    /** The same reading, stated as earlier than the current one ({@code when} says how). */
    public ClinicalValue earlier(String qualifier) {
        return new ClinicalValue(code, display, value, unit, text, comparator, qualifier);
    }

    /** A value the note states exactly. */
    public ClinicalValue(String code, String display, BigDecimal value, String unit, String text) {
        this(code, display, value, unit, text, null);
    }

    /** True only when the true value is certainly below {@code x} ("&lt;90" is below 90; "&lt;95" is not known to be). */
    public boolean surelyBelow(BigDecimal x) {
        int c = value.compareTo(x);
        return comparator == null || comparator.equals("<=") ? c < 0 : comparator.equals("<") && c <= 0;
    }

    /** True only when the true value is certainly above {@code x} ("&gt;0.04" is above 0.04; "&lt;5" never is). */
    public boolean surelyAbove(BigDecimal x) {
        int c = value.compareTo(x);
        return comparator == null || comparator.equals(">=") ? c > 0 : comparator.equals(">") && c >= 0;
    }

    /** The value as a note would write it: "0.01", "&lt;0.01". */
    public String valueText() {
        return (comparator == null ? "" : comparator) + value.toPlainString();
    }
}
