package org.mededge.vision.io;

/**
 * How stored values became display values in [0, 1].
 *
 * @param function LINEAR, LINEAR_EXACT or SIGMOID (DICOM VOI LUT function)
 * @param source   "dicom" (window center/width from the file), "bit-depth" (the stored range, e.g.
 *                 0..255), or "min-max" (the image's own range, when the file gave no usable window;
 *                 a VOI LUT sequence, which this reader does not apply, is named there)
 */
public record Window(double center, double width, String function, String source) {
}
