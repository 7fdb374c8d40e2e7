package org.mededge.vision.io;

import org.opencv.core.Core;
import org.opencv.core.CvType;
import org.opencv.core.Mat;
import org.opencv.core.MatOfByte;
import org.opencv.core.Size;
import org.opencv.imgcodecs.Imgcodecs;
import org.opencv.imgproc.Imgproc;

/**
 * Renders an occlusion map over the model's view of the image as a PNG: the fall in probability,
 * scaled to the map's own maximum, in the JET colour map (blue none, red most), blended half and
 * half with the image. Small inputs are enlarged (nearest neighbour) to at least 256 pixels.
 */
public final class HeatmapImage {
    private HeatmapImage() {
    }

    public static byte[] render(float[] drop, int width, int height, Preprocessor.ModelInput view) {
        OpenCv.load();
        float max = 0;
        for (float v : drop) {
            max = Math.max(max, v);
        }
        byte[] level = new byte[drop.length];
        for (int i = 0; i < drop.length; i++) {
            level[i] = (byte) (max <= 0 ? 0 : Math.round(Math.max(0, drop[i]) / max * 255));
        }
        Mat heat = new Mat(height, width, CvType.CV_8UC1);
        Mat colour = new Mat();
        Mat image = new Mat(height, width, CvType.CV_8UC(view.channels()));
        Mat bgr = new Mat();
        Mat blend = new Mat();
        Mat big = new Mat();
        MatOfByte png = new MatOfByte();
        try {
            heat.put(0, 0, level);
            Imgproc.applyColorMap(heat, colour, Imgproc.COLORMAP_JET);
            image.put(0, 0, view.preview());
            Imgproc.cvtColor(image, bgr, view.channels() == 1 ? Imgproc.COLOR_GRAY2BGR : Imgproc.COLOR_RGB2BGR);
            Core.addWeighted(bgr, 0.5, colour, 0.5, 0, blend);
            int scale = Math.max(1, (int) Math.ceil(256.0 / Math.min(width, height)));
            Imgproc.resize(blend, big, new Size(width * scale, height * scale), 0, 0, Imgproc.INTER_NEAREST);
            Imgcodecs.imencode(".png", big, png);
            return png.toArray();
        } finally {
            heat.release();
            colour.release();
            image.release();
            bgr.release();
            blend.release();
            big.release();
            png.release();
        }
    }
}
