package org.mededge.vision;

/**
 * One label of an imaging model's output.
 *
 * @param radlexId   RadLex RID for the label where one exists, else null
 * @param positive   probability at or above the label's configured threshold
 * @param critical   the model declares the label critical (model.yaml {@code critical: true}): positive means act now
 * @param laterality "left" or "right" (the patient's side) when the label names one, else null
 */
public record Finding(String label, String radlexId, double probability, boolean positive, boolean critical, String laterality) {
    /** A finding of a label that names no side. */
    public Finding(String label, String radlexId, double probability, boolean positive, boolean critical) {
        this(label, radlexId, probability, positive, critical, null);
    }

    /** A finding whose label the model does not declare critical. */
    public Finding(String label, String radlexId, double probability, boolean positive) {
        this(label, radlexId, probability, positive, false, null);
    }
}
