package org.mededge.vision;

/**
 * An occlusion-sensitivity map for one label: how much the label's score falls when each part of
 * the model's input is covered (patches of {@code patch} pixels every {@code stride} pixels, filled
 * with the input's mean), averaged over the patches covering each pixel. The score is the logit for
 * sigmoid outputs and the log-probability for softmax outputs (neither saturates as a probability
 * near 1 does). Values are in the model's input grid, row-major.
 *
 * @param baseline the label's probability on the whole image
 * @param maxDrop  the largest mean fall in score at any pixel (0 when covering nothing lowers it)
 * @param png      the map coloured over the model's view of the image
 */
public record Heatmap(String label, int width, int height, float[] drop, double baseline, double maxDrop, int patch,
                      int stride, long millis, byte[] png) {

    /** The input pixel where covering the image lowers the probability most. */
    public int[] peak() {
        int best = 0;
        for (int i = 1; i < drop.length; i++) {
            if (drop[i] > drop[best]) {
                best = i;
            }
        }
        return new int[] {best % width, best / width};
    }
}
