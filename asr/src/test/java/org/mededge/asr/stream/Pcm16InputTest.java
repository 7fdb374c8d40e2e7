package org.mededge.asr.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import org.junit.jupiter.api.Test;

import org.mededge.asr.AudioClip;
import org.mededge.asr.audio.Resampler;

/** PCM arriving in pieces resamples to what the whole recording resamples to. */
class Pcm16InputTest {
    /** A chirp with some noise, as 16-bit PCM, and the same samples as the WAV decoder reads them. */
    private static byte[] pcm(int rate, double seconds, float[] decoded) {
        java.util.Random rnd = new java.util.Random(5);
        ByteBuffer b = ByteBuffer.allocate(decoded.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < decoded.length; i++) {
            double t = (double) i / rate;
            double v = 0.4 * Math.sin(2 * Math.PI * (200 + 900 * t / seconds) * t) + 0.05 * rnd.nextGaussian();
            short s = (short) Math.round(Math.max(-1, Math.min(1, v)) * 32767);
            b.putShort(s);
            decoded[i] = (float) (s / 32768.0);
        }
        return b.array();
    }

    @Test
    void piecesOfAnySizeGiveTheWholeRecordingsSamples() {
        for (int rate : new int[] {8000, 11_025, 22_050, 44_100, 48_000, 16_000}) {
            float[] decoded = new float[(int) (rate * 2.3)];
            byte[] bytes = pcm(rate, 2.3, decoded);
            float[] whole = Resampler.resample(new AudioClip(decoded, rate), 16_000).samples();
            for (int piece : new int[] {333, 4097, 8821, bytes.length}) {
                Pcm16Input in = new Pcm16Input(rate);
                float[] got = new float[whole.length + 16];
                int n = 0;
                for (int at = 0; at < bytes.length; at += piece) {
                    float[] out = in.push(bytes, at, Math.min(piece, bytes.length - at));
                    System.arraycopy(out, 0, got, n, out.length);
                    n += out.length;
                }
                float[] rest = in.flush();
                System.arraycopy(rest, 0, got, n, rest.length);
                n += rest.length;
                assertEquals(whole.length, n, rate + " Hz in pieces of " + piece + " bytes");
                double worst = 0;
                for (int i = 0; i < n; i++) {
                    worst = Math.max(worst, Math.abs(whole[i] - got[i]));
                }
                assertTrue(worst < 1e-6, rate + " Hz in pieces of " + piece + " bytes: off by " + worst);
            }
        }
    }
}
