package org.mededge.vision.io;

import java.util.Locale;

import org.opencv.core.Core;
import org.opencv.core.CvException;
import org.opencv.core.CvType;
import org.opencv.core.Mat;
import org.opencv.core.MatOfByte;
import org.opencv.imgcodecs.Imgcodecs;
import org.opencv.imgproc.Imgproc;

import org.mededge.vision.VisionError;
import org.mededge.vision.VisionException;

/**
 * Bytes to a {@link DecodedImage}: PNG (8/16-bit grey, RGB), JPEG and DICOM Part 10. The format is
 * recognized from the bytes and must agree with the declared media type; sizes are checked from the
 * header before decoding; a truncated file is refused rather than decoded with made-up pixels.
 */
public final class ImageDecoder {
    private final ImageLimits limits;

    public ImageDecoder(ImageLimits limits) {
        this.limits = limits;
    }

    public ImageLimits limits() {
        return limits;
    }

    /**
     * The pixels the image will have once decoded, read from its header only (0 when the header
     * cannot be read: {@link #decode} then says why).
     */
    public long pixels(byte[] bytes, String mediaType) {
        try {
            ImageFormat actual = bytes == null ? null : ImageFormat.sniff(bytes);
            if (actual == null) {
                return 0;
            }
            return switch (actual) {
                case PNG -> area(Headers.png(bytes));
                case JPEG -> area(Headers.jpeg(bytes));
                case DICOM -> {
                    DicomReader.DicomFile f = DicomReader.read(bytes, limits);
                    yield (long) f.rows() * f.columns();
                }
            };
        } catch (VisionException e) {
            return 0;
        }
    }

    private static long area(Headers.Geometry g) {
        return (long) g.width() * g.height();
    }

    /**
     * @param mediaType the declared media type (image/png, image/jpeg, application/dicom), or null /
     *                  application/octet-stream to go by the bytes alone
     */
    public DecodedImage decode(byte[] bytes, String mediaType) {
        if (bytes == null || bytes.length == 0) {
            throw new VisionException(VisionError.VISION_IMAGE_EMPTY, "The image is empty (0 bytes).");
        }
        if (bytes.length > limits.maxBytes()) {
            throw new VisionException(VisionError.VISION_IMAGE_TOO_LARGE, "The image is " + bytes.length
                    + " bytes, more than this appliance's limit of " + limits.maxBytes() + " bytes.");
        }
        ImageFormat declared = ImageFormat.fromMediaType(mediaType);
        ImageFormat actual = ImageFormat.sniff(bytes);
        if (actual == null) {
            String other = ImageFormat.otherFormat(bytes);
            if (other != null) {
                throw new VisionException(VisionError.VISION_UNSUPPORTED_FORMAT, "The body is a " + other
                        + " file; send a PNG, JPEG or DICOM Part 10 image.");
            }
            if (declared == ImageFormat.DICOM) {
                DicomReader.read(bytes, limits); // says precisely why it is not DICOM Part 10
            }
            throw new VisionException(VisionError.VISION_IMAGE_UNREADABLE, "The body is not a PNG, JPEG or DICOM Part 10 image"
                    + (declared == null ? "." : " although it was sent as " + declared.mediaType() + "."));
        }
        if (declared != null && declared != actual) {
            throw new VisionException(VisionError.VISION_UNSUPPORTED_FORMAT, "The body is a " + actual.name()
                    + " image but was sent as " + declared.mediaType() + "; send it with Content-Type " + actual.mediaType() + ".");
        }
        OpenCv.load();
        return switch (actual) {
            case PNG -> png(bytes);
            case JPEG -> jpeg(bytes);
            case DICOM -> dicom(bytes);
        };
    }

    private DecodedImage png(byte[] bytes) {
        Headers.Geometry g = Headers.png(bytes);
        checkPixels(g.width(), g.height(), "PNG");
        Mat m = imdecode(bytes, Imgcodecs.IMREAD_ANYDEPTH | Imgcodecs.IMREAD_ANYCOLOR, "PNG");
        try {
            double max = m.depth() == CvType.CV_16U ? 65535 : 255;
            return new DecodedImage(m.cols(), m.rows(), m.channels() >= 3 ? 3 : 1, display(m), "png", null, null,
                    new Window(max / 2, max, "LINEAR_EXACT", "bit-depth"), 1, null);
        } finally {
            m.release();
        }
    }

    private DecodedImage jpeg(byte[] bytes) {
        Headers.Geometry g = Headers.jpeg(bytes);
        checkPixels(g.width(), g.height(), "JPEG");
        // IMREAD_ANYCOLOR keeps grey as grey and applies the EXIF orientation
        Mat m = imdecode(bytes, Imgcodecs.IMREAD_ANYCOLOR, "JPEG");
        try {
            return new DecodedImage(m.cols(), m.rows(), m.channels() >= 3 ? 3 : 1, display(m), "jpeg", null, null,
                    new Window(127.5, 255, "LINEAR_EXACT", "bit-depth"), 1, null);
        } finally {
            m.release();
        }
    }

    private DecodedImage dicom(byte[] bytes) {
        DicomReader.DicomFile f = DicomReader.read(bytes, limits);
        int n = f.rows() * f.columns();
        float[] stored;
        if (f.firstFrame() != null) {
            Headers.Geometry g = Headers.jpeg(f.firstFrame());
            if (g.width() != f.columns() || g.height() != f.rows() || g.components() != f.samplesPerPixel()) {
                throw new VisionException(VisionError.VISION_IMAGE_UNREADABLE, "The DICOM file's JPEG frame is " + g.width() + " x "
                        + g.height() + " with " + g.components() + " component(s), but its header says " + f.columns() + " x "
                        + f.rows() + " with " + f.samplesPerPixel() + ".");
            }
            Mat m = imdecode(f.firstFrame(), Imgcodecs.IMREAD_UNCHANGED, "DICOM JPEG frame");
            try {
                if (f.samplesPerPixel() == 3) {
                    return new DecodedImage(f.columns(), f.rows(), 3, display(m), "dicom", f.modality(), f.bodyPart(),
                            new Window(127.5, 255, "LINEAR_EXACT", "bit-depth"), f.frames(), f.studyUid());
                }
                Mat fm = new Mat();
                m.convertTo(fm, CvType.CV_32F);
                stored = new float[n];
                fm.get(0, 0, stored);
                fm.release();
            } finally {
                m.release();
            }
        } else if (f.samplesPerPixel() == 3) {
            return new DecodedImage(f.columns(), f.rows(), 3, DicomPixels.nativeRgb(bytes, f), "dicom", f.modality(),
                    f.bodyPart(), new Window(((1 << f.bitsStored()) - 1) / 2.0, (1 << f.bitsStored()) - 1, "LINEAR_EXACT", "bit-depth"), f.frames(), f.studyUid());
        } else {
            stored = DicomPixels.nativeGrey(bytes, f);
        }
        DicomPixels.Display d = DicomPixels.toDisplay(stored, f);
        return new DecodedImage(f.columns(), f.rows(), 1, d.pixels(), "dicom", f.modality(), f.bodyPart(), d.window(), f.frames(), f.studyUid());
    }

    private void checkPixels(long width, long height, String what) {
        if (width * height > limits.maxPixels()) {
            throw new VisionException(VisionError.VISION_IMAGE_TOO_LARGE, "The " + what + " image is " + width + " x " + height
                    + " pixels, more than this appliance's limit of " + limits.maxPixels() + " pixels.");
        }
    }

    private static Mat imdecode(byte[] bytes, int flags, String what) {
        MatOfByte buf = new MatOfByte(bytes);
        try {
            Mat m = Imgcodecs.imdecode(buf, flags);
            if (m.empty()) {
                m.release();
                throw new VisionException(VisionError.VISION_IMAGE_UNREADABLE, "The " + what + " data is corrupt and could not be decoded.");
            }
            if (m.depth() != CvType.CV_8U && m.depth() != CvType.CV_16U) {
                m.release();
                throw new VisionException(VisionError.VISION_UNSUPPORTED_FORMAT, "The " + what + " has a sample type that is not supported.");
            }
            return m;
        } catch (CvException e) {
            throw new VisionException(VisionError.VISION_IMAGE_UNREADABLE, "The " + what + " data could not be decoded ("
                    + e.getClass().getSimpleName().toLowerCase(Locale.ROOT) + ").");
        } finally {
            buf.release();
        }
    }

    /** 8- or 16-bit grey or BGR(A) to display values in [0, 1], grey or RGB, interleaved. */
    private static float[] display(Mat m) {
        Mat rgb = new Mat();
        Mat f = new Mat();
        try {
            switch (m.channels()) {
                case 1 -> m.copyTo(rgb);
                case 2 -> Core.extractChannel(m, rgb, 0);
                case 3 -> Imgproc.cvtColor(m, rgb, Imgproc.COLOR_BGR2RGB);
                default -> Imgproc.cvtColor(m, rgb, Imgproc.COLOR_BGRA2RGB);
            }
            rgb.convertTo(f, CvType.CV_32F, m.depth() == CvType.CV_16U ? 1.0 / 65535 : 1.0 / 255);
            float[] out = new float[(int) f.total() * f.channels()];
            f.get(0, 0, out);
            return out;
        } finally {
            rgb.release();
            f.release();
        }
    }
}
