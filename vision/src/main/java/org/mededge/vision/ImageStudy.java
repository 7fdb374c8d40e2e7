package org.mededge.vision;

import org.mededge.vision.io.Preprocessor;
import org.mededge.vision.io.Window;

/**
 * One study ready for the model: what was decoded (size, DICOM modality and body part, how values
 * were windowed) and the model's input, kept so that a heatmap can be computed later on exactly
 * what the model saw.
 *
 * @param format png, jpeg or dicom
 * @param frames frames in the file; the first was analysed
 * @param view   the display image for a viewer (8-bit grey, at most {@link View#MAX_SIDE} a side)
 */
public record ImageStudy(ImagingFindings.Study study, String format, int frames, Window window,
                         Preprocessor.ModelInput input, long decodeMs, long preprocessMs, View view) {
}
