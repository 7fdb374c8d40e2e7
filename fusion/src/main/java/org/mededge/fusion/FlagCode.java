package org.mededge.fusion;

/** What a flag on a report means. */
public enum FlagCode {
    /** a value outside physiological range: kept out of the structured fields */
    IMPLAUSIBLE_VALUE,
    /** a finding that needs urgent action now */
    RED_FLAG,
    /** the assessment is missing or below the confidence threshold: a clinician must review */
    NEEDS_REVIEW,
    /** speech recognition was unsure of parts of the dictation */
    LOW_ASR_CONFIDENCE,
    /**
     * a number the report does not hold: in a dictation, one that no vital sign or lab took (its name misheard or
     * missing); in any note, a range stated where one reading belongs ("HR 90-100")
     */
    UNPLACED_VALUE,
    /**
     * a change between an earlier reading and the current one that matters (a creatinine rise meeting the KDIGO
     * criterion for acute kidney injury, a fall in oxygen saturation)
     */
    CHANGE
}
