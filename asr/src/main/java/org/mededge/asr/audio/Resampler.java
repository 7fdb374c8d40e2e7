package org.mededge.asr.audio;

import org.mededge.asr.AudioClip;

/**
 * Band-limited resampling to 16 kHz with a Kaiser-windowed sinc (polyphase, exact rational ratio),
 * shaped like sox's default "rate" (-h) that made the demo models' training audio: it passes up to
 * 95 % of the lower Nyquist frequency (7.6 kHz at a 16 kHz output) and stops at 100 % with 100 dB
 * attenuation. A narrower pass band (86 %, as this class had) took 6.9-7.6 kHz from speech the model
 * had heard in training, and the demo Whisper heard other words at 22.05 and 44.1 kHz than at 16 kHz.
 */
public final class Resampler {
    public static final int TARGET_RATE = 16_000;
    private static final double PASS = 0.95;
    private static final double STOP = 1.0;
    private static final double ATTENUATION_DB = 100;

    private Resampler() {
    }

    /** The clip at 16 kHz (the same clip when it already is). */
    public static AudioClip to16k(AudioClip in) {
        return resample(in, TARGET_RATE);
    }

    public static AudioClip resample(AudioClip in, int outRate) {
        int inRate = in.sampleRate();
        if (inRate == outRate) {
            return in;
        }
        int g = gcd(inRate, outRate);
        int up = outRate / g;     // phases
        int down = inRate / g;
        double nyquist = Math.min(inRate, outRate) / 2.0;
        double cutoff = (PASS + STOP) / 2 * nyquist / inRate;             // in cycles per input sample
        double transition = (STOP - PASS) * nyquist / inRate * 2 * Math.PI;  // radians per input sample
        int taps = (int) Math.ceil((ATTENUATION_DB - 7.95) / (2.285 * transition)) + 1;
        int half = taps / 2 + 1;
        double beta = 0.1102 * (ATTENUATION_DB - 8.7);
        double i0Beta = besselI0(beta);
        int width = 2 * half;
        float[] table = new float[up * width];
        for (int p = 0; p < up; p++) {
            double frac = (double) p / up;
            double sum = 0;
            for (int j = 0; j < width; j++) {
                double t = frac - (j - half + 1);   // distance from the output instant to input sample base + j - half + 1
                double x = t / half;
                double w = Math.abs(x) >= 1 ? 0 : besselI0(beta * Math.sqrt(1 - x * x)) / i0Beta;
                double h = 2 * cutoff * sinc(2 * cutoff * t) * w;
                table[p * width + j] = (float) h;
                sum += h;
            }
            for (int j = 0; j < width; j++) {       // unity gain at DC for every phase
                table[p * width + j] /= (float) sum;
            }
        }
        float[] x = in.samples();
        int outLen = (int) ((long) x.length * up / down);
        float[] out = new float[outLen];
        for (int n = 0; n < outLen; n++) {
            long pos = (long) n * down;
            int base = (int) (pos / up);
            int p = (int) (pos % up);
            int first = base - half + 1;
            int off = p * width;
            float acc = 0;
            if (first >= 0 && first + width <= x.length) {
                // four independent sums let the CPU overlap the multiply-adds (width is even)
                float a0 = 0;
                float a1 = 0;
                float a2 = 0;
                float a3 = 0;
                int j = 0;
                for (; j + 3 < width; j += 4) {
                    a0 += x[first + j] * table[off + j];
                    a1 += x[first + j + 1] * table[off + j + 1];
                    a2 += x[first + j + 2] * table[off + j + 2];
                    a3 += x[first + j + 3] * table[off + j + 3];
                }
                for (; j < width; j++) {
                    a0 += x[first + j] * table[off + j];
                }
                acc = (a0 + a1) + (a2 + a3);
            } else {
                for (int j = 0; j < width; j++) {
                    int k = first + j;
                    if (k >= 0 && k < x.length) {
                        acc += x[k] * table[off + j];
                    }
                }
            }
            out[n] = acc;
        }
        return new AudioClip(out, outRate);
    }

    private static double sinc(double x) {
        return x == 0 ? 1 : Math.sin(Math.PI * x) / (Math.PI * x);
    }

    /** Modified Bessel function of the first kind, order 0 (series). */
    private static double besselI0(double x) {
        double sum = 1;
        double term = 1;
        double q = x * x / 4;
        for (int k = 1; k < 50; k++) {
            term *= q / ((double) k * k);
            sum += term;
            if (term < sum * 1e-12) {
                break;
            }
        }
        return sum;
    }

    private static int gcd(int a, int b) {
        return b == 0 ? a : gcd(b, a % b);
    }
}
