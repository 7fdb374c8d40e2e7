package org.mededge.vision;

/**
 * One label of an imaging model's output.
 *
 * @param radlexId RadLex RID for the label where one exists, else null
 * @param positive probability at or above the label's configured threshold
 */
public record Finding(String label, String radlexId, double probability, boolean positive) {
}
