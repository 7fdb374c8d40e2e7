package org.mededge.asr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.mededge.asr.audio.AudioDecoder;
import org.mededge.asr.audio.Resampler;

/**
 * The appliance's resampler against sox, the resampler that made the demo Whisper's training audio:
 * real speech (jfk-en.wav, 16 kHz) taken to 44.1, 48, 22.05 and 8 kHz by sox, then back to 16 kHz once
 * by sox and once by the appliance. The two 16 kHz signals must agree to within what a resampler may
 * differ by (filter length and phase), so that the model hears at 16 kHz what it was trained on, whatever
 * the upload's rate. test.sh installs sox; without it this test skips and says so.
 */
class ResamplerVersusSoxTest {

    private static boolean soxInstalled() {
        try {
            return new ProcessBuilder("sox", "--version").redirectErrorStream(true).start().waitFor() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    private static void sox(Path in, Path out, int rate) throws Exception {
        Process p = new ProcessBuilder("sox", in.toString(), "-r", Integer.toString(rate), "-b", "16", out.toString(), "rate", "-h")
                .redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), log);
    }

    private static float[] read(Path wav) throws IOException {
        return AudioDecoder.decode(Files.readAllBytes(wav), "audio/wav", 600_000).samples();
    }

    /** Signal-to-difference ratio in dB over the common part, 0.1 s in from each edge. */
    static double snrDb(float[] ref, float[] x) {
        int n = Math.min(ref.length, x.length);
        double s = 0;
        double d = 0;
        for (int i = 1600; i < n - 1600; i++) {
            s += ref[i] * ref[i];
            d += (ref[i] - x[i]) * (ref[i] - x[i]);
        }
        return 10 * Math.log10(s / Math.max(d, 1e-20));
    }

    /** Linear interpolation, no filter: what the bar must refuse. */
    static float[] linear(float[] x, int rate, int n) {
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            double t = i * (double) rate / 16_000;
            int k = (int) t;
            double f = t - k;
            out[i] = k + 1 < x.length ? (float) (x[k] * (1 - f) + x[k + 1] * f) : x[Math.min(k, x.length - 1)];
        }
        return out;
    }

    @Test
    void speechResampledHereMatchesSoxAtEveryUploadRate(@TempDir Path dir) throws Exception {
        assumeTrue(soxInstalled(), "sox is not installed (firmware-scripts/dev/test.sh installs it): resampler not compared");
        Path source = TestAudio.shared().resolve("samples").resolve("jfk-en.wav");
        for (int rate : List.of(44_100, 48_000, 22_050, 8_000)) {
            Path up = dir.resolve("at-" + rate + ".wav");
            Path back = dir.resolve("back-" + rate + ".wav");
            sox(source, up, rate);
            if (rate > 16_000) {
                // what a microphone at this rate also records: sound above 8 kHz, which both must remove, and
                // sound at the top of the band (7.3 kHz), which sox keeps and the model was trained with
                float[] x = read(up);
                for (int i = 0; i < x.length; i++) {
                    x[i] = (float) (0.8 * x[i] + 0.1 * Math.sin(2 * Math.PI * 10_000 * i / rate)
                            + 0.02 * Math.sin(2 * Math.PI * 7_300 * i / rate));
                }
                Files.write(up, TestAudio.wav16(rate, x));
            }
            sox(up, back, 16_000);
            float[] bySox = read(back);
            AudioClip clip = AudioDecoder.decode(Files.readAllBytes(up), "audio/wav", 600_000);
            assertEquals(rate, clip.sampleRate());
            float[] byUs = Resampler.to16k(clip).samples();
            assertTrue(Math.abs(byUs.length - bySox.length) <= 2, rate + ": " + byUs.length + " vs " + bySox.length + " samples");
            double snr = snrDb(bySox, byUs);
            double naive = snrDb(bySox, linear(clip.samples(), rate, bySox.length));
            System.out.printf("resampler vs sox, %d Hz -> 16 kHz: %.1f dB (linear interpolation: %.1f dB)%n", rate, snr, naive);
            assertTrue(naive < (rate < 16_000 ? 45 : 60), rate + " Hz: the bar must tell a naive resampler apart (" + naive + " dB)");
            // 16-bit audio holds ~96 dB. Measured from 44.1 / 48 / 22.05 kHz: 77.1 dB each; linear interpolation
            // (no anti-alias filter) 5.7 / 4.3 / 8.8 dB, as it folds the 10 kHz sound into the band; this
            // class's earlier, narrower filter (pass band 86 %) 25.8 dB, as it took the 7.3 kHz tone away.
            // 60 dB (0.1 % of the amplitude) tells them apart. Up from 8 kHz: 55.3 dB (linear: 21.0): 45 dB
            assertTrue(snr > (rate < 16_000 ? 45 : 60), rate + " Hz: appliance vs sox " + snr + " dB");
        }
    }
}
