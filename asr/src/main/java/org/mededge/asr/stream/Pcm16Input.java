package org.mededge.asr.stream;

import java.util.Arrays;

import org.mededge.asr.AsrError;
import org.mededge.asr.AsrException;
import org.mededge.asr.AudioClip;
import org.mededge.asr.audio.Resampler;

/**
 * 16-bit little-endian mono PCM at a fixed rate, arriving in pieces, turned into 16 kHz float samples
 * with {@link Resampler}: the same samples, to float rounding, that resampling the whole recording at
 * once gives. Resampler works on whole clips, so each call resamples the new input together with
 * {@link #marginSamples} of input on either side of the outputs it returns (more than the filter's
 * reach, 16 ms at most for 8-48 kHz), starting at a multiple of the rate ratio's denominator so
 * that every output sample falls exactly where it would in the whole clip. Outputs whose filter
 * reaches past the input received so far wait for the next call (40 ms), and input is resampled
 * in steps of at least 100 ms (at most 140 ms of latency), or at {@link #flush}. Not thread-safe: one caller thread.
 */
final class Pcm16Input {
    private final int rate;
    private final int up;
    private final int down;
    private final int margin;
    /** input received and not yet dropped: absolute input samples [inBase, inBase + inLen); inBase is a multiple of down */
    private float[] in = new float[0];
    private int inLen;
    private long inBase;
    /** absolute index of the next 16 kHz output sample to hand out */
    private long outNext;
    private int oddByte = -1;
    /** the input's end at the last resampling */
    private long resampledTo;

    Pcm16Input(int sampleRate) {
        if (sampleRate < 8000 || sampleRate > 48_000) {
            throw new AsrException(AsrError.ASR_OPTION_INVALID, "PCM at " + sampleRate + " Hz is not supported; send 8000 to 48000 Hz");
        }
        this.rate = sampleRate;
        int g = gcd(sampleRate, Resampler.TARGET_RATE);
        this.up = Resampler.TARGET_RATE / g;
        this.down = sampleRate / g;
        this.margin = marginSamples(sampleRate);
    }

    /** 40 ms of input: more than the resampling filter reaches either side of an output (at most 16 ms, at 8 kHz). */
    static int marginSamples(int rate) {
        return rate / 25;
    }

    int rate() {
        return rate;
    }

    /** 16 kHz samples (about) that {@code bytes} bytes of this PCM become. */
    long outputSamples(long bytes) {
        return bytes / 2 * Resampler.TARGET_RATE / rate;
    }

    /** Takes the next bytes (an odd byte waits for its pair) and returns the 16 kHz samples now complete. */
    float[] push(byte[] pcm, int offset, int length) {
        java.util.Objects.checkFromIndexSize(offset, length, pcm.length);
        int n = (length + (oddByte >= 0 ? 1 : 0)) / 2;
        ensure(inLen + n);
        int i = offset;
        int end = offset + length;
        if (oddByte >= 0 && i < end) {
            in[inLen++] = (float) ((short) (oddByte | pcm[i++] << 8) / 32768.0);
            oddByte = -1;
        }
        for (; i + 1 < end; i += 2) {
            // as WavDecoder reads 16-bit PCM: the signed value / 32768
            in[inLen++] = (float) ((short) ((pcm[i] & 0xFF) | pcm[i + 1] << 8) / 32768.0);
        }
        if (i < end) {
            oddByte = pcm[i] & 0xFF;
        }
        if (rate == Resampler.TARGET_RATE) {
            float[] out = Arrays.copyOf(in, inLen);
            inBase += inLen;
            inLen = 0;
            return out;
        }
        // Resampler builds its filter table on every call (about 6 ms at 44.1 kHz): resample in steps of
        // at least 100 ms of input, whatever the size of the pieces
        if (inBase + inLen - resampledTo < rate / 10) {
            return new float[0];
        }
        resampledTo = inBase + inLen;
        // outputs m whose input position m * down / up lies at least margin before the end of the input
        long avail = inBase + inLen - margin;
        long outEnd = avail < 0 ? 0 : avail * up / down + 1;
        return resample(outEnd, false);
    }

    /** The samples still held back, the recording's end treated as its end (as a whole clip's is). */
    float[] flush() {
        if (rate == Resampler.TARGET_RATE) {
            return new float[0];
        }
        return resample((inBase + inLen) * up / down, true);
    }

    private float[] resample(long outEnd, boolean last) {
        if (outEnd <= outNext) {
            return new float[0];
        }
        long from = sliceStart(outNext);
        int off = (int) (from - inBase);
        float[] out = Resampler.resample(new AudioClip(Arrays.copyOfRange(in, off, inLen), rate), Resampler.TARGET_RATE).samples();
        long first = from / down * up;   // the absolute output index of out[0]
        float[] result = Arrays.copyOfRange(out, (int) (outNext - first), (int) (Math.min(outEnd, first + out.length) - first));
        outNext += result.length;
        if (!last) {
            // drop the input no later output needs
            long keep = sliceStart(outNext);
            int drop = (int) (keep - inBase);
            System.arraycopy(in, drop, in, 0, inLen - drop);
            inLen -= drop;
            inBase = keep;
        }
        return result;
    }

    /** A multiple of down at least margin input samples before output m (or 0). */
    private long sliceStart(long m) {
        long pos = m * down / up - margin;
        return pos <= 0 ? 0 : pos / down * down;
    }

    private void ensure(int capacity) {
        if (in.length < capacity) {
            in = Arrays.copyOf(in, Math.max(capacity, in.length * 2));
        }
    }

    private static int gcd(int a, int b) {
        return b == 0 ? a : gcd(b, a % b);
    }
}
