package org.mededge.vision.io;

/**
 * A decoded image: display values in [0, 1], row-major, channels interleaved (1 = grey, 3 = RGB).
 * The array belongs to this record; stages read it and build new arrays.
 *
 * @param format   png, jpeg or dicom
 * @param modality DICOM modality (CR, DX, ...) or null
 * @param bodyPart DICOM body part examined or null
 * @param window   how stored values were mapped to display values
 * @param frames   frames in the file; the first is the one decoded
 * @param studyUid the DICOM Study Instance UID, or null
 */
public record DecodedImage(int width, int height, int channels, float[] pixels, String format, String modality,
                           String bodyPart, Window window, int frames, String studyUid) {
    public DecodedImage {
        if (width < 1 || height < 1 || (channels != 1 && channels != 3)) {
            throw new IllegalArgumentException("bad image geometry " + width + "x" + height + "x" + channels);
        }
        if ((long) width * height * channels != pixels.length) {
            throw new IllegalArgumentException("pixel buffer does not match " + width + "x" + height + "x" + channels);
        }
    }

    /** The value at (x, y) in channel c. */
    public float at(int x, int y, int c) {
        return pixels[(y * width + x) * channels + c];
    }
}
