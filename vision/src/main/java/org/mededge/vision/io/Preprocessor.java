package org.mededge.vision.io;

import org.opencv.core.Core;
import org.opencv.core.CvType;
import org.opencv.core.Mat;
import org.opencv.core.Rect;
import org.opencv.core.Scalar;
import org.opencv.core.Size;
import org.opencv.imgproc.CLAHE;
import org.opencv.imgproc.Imgproc;

import org.mededge.vision.ModelSpec;
import org.mededge.vision.Tensor;

/**
 * A decoded image to the model's input tensor, as model.yaml declares: colour (grey as the channel
 * mean, as torchxrayvision does; RGB by replicating grey), optional inversion, resize (centre crop,
 * letterbox or stretch; area interpolation when shrinking), optional CLAHE, then scaling, mean/std
 * normalization and NCHW layout. OpenCV does the image work.
 */
public final class Preprocessor {
    private final ModelSpec.Input input;
    private final ModelSpec.Preprocessing p;

    public Preprocessor(ModelSpec spec) {
        this.input = spec.input();
        this.p = spec.preprocessing();
    }

    /**
     * The model's input for one image.
     *
     * @param tensor  NCHW, batch 1
     * @param preview what the model sees before normalization, 8-bit, interleaved, input size
     */
    public record ModelInput(Tensor tensor, int width, int height, int channels, byte[] preview) {
    }

    public ModelInput apply(DecodedImage image) {
        OpenCv.load();
        int w = input.width();
        int h = input.height();
        int c = input.channels();
        Mat src = new Mat(image.height(), image.width(), CvType.CV_32FC(image.channels()));
        Mat colour = new Mat();
        Mat sized = new Mat();
        try {
            src.put(0, 0, image.pixels());
            if (c == 1 && image.channels() == 3) {
                Mat k = new Mat(1, 3, CvType.CV_32F);
                k.put(0, 0, 1 / 3f, 1 / 3f, 1 / 3f);
                Core.transform(src, colour, k);
                k.release();
            } else if (c == 3 && image.channels() == 1) {
                Imgproc.cvtColor(src, colour, Imgproc.COLOR_GRAY2RGB);
            } else {
                src.copyTo(colour);
            }
            if (p.invert()) {
                Core.subtract(new Mat(colour.size(), colour.type(), Scalar.all(1.0)), colour, colour);
            }
            resize(colour, sized, w, h);
            if (p.claheClip() > 0) {
                clahe(sized);
            }
            float[] hwc = new float[w * h * c];
            sized.get(0, 0, hwc);
            return new ModelInput(new Tensor(normalize(hwc, w, h, c), input.shape(1)), w, h, c, preview(hwc));
        } finally {
            src.release();
            colour.release();
            sized.release();
        }
    }

    private void resize(Mat in, Mat out, int w, int h) {
        int iw = in.cols();
        int ih = in.rows();
        switch (p.resize()) {
            case STRETCH -> scale(in, out, w, h);
            case CENTRE_CROP -> {
                double s = Math.max((double) w / iw, (double) h / ih) / p.crop();
                int cw = Math.max(1, Math.min(iw, (int) Math.round(w / s)));
                int ch = Math.max(1, Math.min(ih, (int) Math.round(h / s)));
                Mat roi = in.submat(new Rect((iw - cw) / 2, (ih - ch) / 2, cw, ch));
                scale(roi, out, w, h);
                roi.release();
            }
            case LETTERBOX -> {
                double s = Math.min((double) w / iw, (double) h / ih);
                int sw = Math.max(1, Math.min(w, (int) Math.round(iw * s)));
                int sh = Math.max(1, Math.min(h, (int) Math.round(ih * s)));
                Mat scaled = new Mat();
                scale(in, scaled, sw, sh);
                int left = (w - sw) / 2;
                int top = (h - sh) / 2;
                Core.copyMakeBorder(scaled, out, top, h - sh - top, left, w - sw - left, Core.BORDER_CONSTANT, Scalar.all(p.pad()));
                scaled.release();
            }
        }
    }

    private static void scale(Mat in, Mat out, int w, int h) {
        boolean shrinking = in.cols() > w || in.rows() > h;
        Imgproc.resize(in, out, new Size(w, h), 0, 0, shrinking ? Imgproc.INTER_AREA : Imgproc.INTER_LINEAR);
    }

    /**
     * Contrast-limited adaptive histogram equalization on 8-bit values (where the clip limit has its
     * usual meaning: a multiple of the mean bin height of a 256-bin tile histogram), back to [0, 1].
     */
    private void clahe(Mat grey) {
        Mat u8 = new Mat();
        grey.convertTo(u8, CvType.CV_8U, 255);
        CLAHE clahe = Imgproc.createCLAHE(p.claheClip(), new Size(p.claheTiles(), p.claheTiles()));
        clahe.apply(u8, u8);
        u8.convertTo(grey, CvType.CV_32F, 1.0 / 255);
        u8.release();
    }

    /** Interleaved display values to NCHW model values: scale, then per-channel mean and std. */
    private float[] normalize(float[] hwc, int w, int h, int c) {
        int plane = w * h;
        float[] out = new float[plane * c];
        double lo = p.scale()[0];
        double span = p.scale()[1] - p.scale()[0];
        for (int ch = 0; ch < c; ch++) {
            double mean = p.mean() == null ? 0 : p.mean()[ch];
            double std = p.std() == null ? 1 : p.std()[ch];
            for (int i = 0; i < plane; i++) {
                out[ch * plane + i] = (float) ((hwc[i * c + ch] * span + lo - mean) / std);
            }
        }
        return out;
    }

    private static byte[] preview(float[] hwc) {
        byte[] out = new byte[hwc.length];
        for (int i = 0; i < hwc.length; i++) {
            out[i] = (byte) Math.round(Math.max(0, Math.min(1, hwc[i])) * 255);
        }
        return out;
    }
}
