package org.mededge.asr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import org.mededge.asr.audio.Resampler;

/** The band-limited resampler, measured with single-frequency probes (amplitude by quadrature correlation). */
class ResamplerTest {

    /** Amplitude of the {@code hz} component of x (ignoring 0.1 s at each edge). */
    static double amplitude(float[] x, int rate, double hz) {
        int from = rate / 10;
        int to = x.length - rate / 10;
        double s = 0;
        double c = 0;
        for (int i = from; i < to; i++) {
            s += x[i] * Math.sin(2 * Math.PI * hz * i / rate);
            c += x[i] * Math.cos(2 * Math.PI * hz * i / rate);
        }
        return 2 * Math.hypot(s, c) / (to - from);
    }

    static double rms(float[] x, int rate) {
        double sum = 0;
        int from = rate / 10;
        int to = x.length - rate / 10;
        for (int i = from; i < to; i++) {
            sum += x[i] * x[i];
        }
        return Math.sqrt(sum / (to - from));
    }

    @Test
    void oneKilohertzAt44100KeepsFrequencyAndAmplitude() {
        AudioClip in = new AudioClip(TestAudio.tone(1000, 0.5, 44100, 2), 44100);
        AudioClip out = Resampler.to16k(in);
        assertEquals(16000, out.sampleRate());
        assertEquals(32000, out.samples().length, 1);
        double a = amplitude(out.samples(), 16000, 1000);
        assertEquals(0.5, a, 0.005, "amplitude within 1 %");
        System.out.printf("resampler: 1 kHz amplitude 0.5 -> %.5f%n", a);
        // the energy is at 1 kHz: the 1 kHz component carries (almost) all of the RMS
        assertEquals(a / Math.sqrt(2), rms(out.samples(), 16000), 0.001);
        assertTrue(amplitude(out.samples(), 16000, 990) < 0.05 && amplitude(out.samples(), 16000, 1010) < 0.05);
    }

    @Test
    void theTopOfTheBandPassesAndWhatLiesAboveItDoesNotFoldBack() {
        // the pass band is sox's (95 % of 8 kHz): 7.3 kHz passes as it did in the training audio
        AudioClip top = Resampler.to16k(new AudioClip(TestAudio.tone(7300, 0.5, 44100, 2), 44100));
        double pass = 20 * Math.log10(rms(top.samples(), 16000) / (0.5 / Math.sqrt(2)));
        assertTrue(Math.abs(pass) < 0.1, "7.3 kHz changed by " + pass + " dB");
        // 8.4 kHz would fold onto 7.6 kHz: stopped
        AudioClip over = Resampler.to16k(new AudioClip(TestAudio.tone(8400, 0.5, 44100, 2), 44100));
        double db = 20 * Math.log10(rms(over.samples(), 16000) / (0.5 / Math.sqrt(2)));
        assertTrue(db <= -60, "8.4 kHz attenuated by " + db + " dB");
        System.out.printf("resampler at 44.1 kHz: 7.3 kHz %.2f dB, 8.4 kHz %.1f dB%n", pass, db);
        // above the output Nyquist a tone would alias to 16000 - f: 12 kHz would land on 4 kHz
        AudioClip high = Resampler.to16k(new AudioClip(TestAudio.tone(12000, 0.5, 44100, 2), 44100));
        assertTrue(amplitude(high.samples(), 16000, 4000) < 0.005, "12 kHz does not fold onto 4 kHz");
    }

    @Test
    void otherRatesUpAndDown() {
        for (int rate : new int[] {8000, 11025, 22050, 24000, 32000, 48000}) {
            AudioClip out = Resampler.to16k(new AudioClip(TestAudio.tone(440, 0.5, rate, 1), rate));
            assertEquals(16000, out.samples().length, 1, "length at " + rate);
            assertEquals(0.5, amplitude(out.samples(), 16000, 440), 0.005, "440 Hz amplitude from " + rate + " Hz");
        }
        AudioClip same = new AudioClip(new float[16000], 16000);
        assertSame(same, Resampler.to16k(same));
    }
}
