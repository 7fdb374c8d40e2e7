package org.mededge.vision;

/**
 * One label of an imaging model's output.
 *
 * @param radlexId RadLex RID for the label where one exists, else null
 * @param positive probability at or above the label's configured threshold
 * @param critical the model declares the label critical (model.yaml {@code critical: true}): positive means act now
 */
public record Finding(String label, String radlexId, double probability, boolean positive, boolean critical) {
    /** A finding whose label the model does not declare critical. */
    public Finding(String label, String radlexId, double probability, boolean positive) {
        this(label, radlexId, probability, positive, false);
    }
}
