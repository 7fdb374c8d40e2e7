package org.mededge.asr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;

import org.mededge.asr.audio.AudioDecoder;

/** Every WAV variant the issue lists, the compressed formats browsers and phones send, and a corpus of bad uploads. */
class AudioDecoderTest {
    private static final long TEN_MIN = 600_000;

    private static AudioClip decode(byte[] b, String type) {
        return AudioDecoder.decode(b, type, TEN_MIN);
    }

    @Test
    void everyPcmVariantDecodesToTheSameSignal() {
        float[] tone = TestAudio.tone(440, 0.5, 22050, 0.5);
        float[] silent = new float[tone.length];
        Map<String, byte[]> variants = new LinkedHashMap<>();
        variants.put("8-bit", TestAudio.wav(22050, 8, 1, false, tone));
        variants.put("16-bit", TestAudio.wav(22050, 16, 1, false, tone));
        variants.put("24-bit", TestAudio.wav(22050, 24, 1, false, tone));
        variants.put("32-bit int", TestAudio.wav(22050, 32, 1, false, tone));
        variants.put("32-bit float", TestAudio.wav(22050, 32, 3, false, tone));
        variants.put("64-bit float", TestAudio.wav(22050, 64, 3, false, tone));
        variants.put("extensible 24-bit", TestAudio.wav(22050, 24, 1, true, tone));
        variants.put("extensible float", TestAudio.wav(22050, 32, 3, true, tone));
        for (var v : variants.entrySet()) {
            AudioClip c = decode(v.getValue(), "audio/wav");
            assertEquals(22050, c.sampleRate(), v.getKey());
            assertEquals(tone.length, c.samples().length, v.getKey());
            double tolerance = v.getKey().startsWith("8-bit") ? 1.0 / 120 : 1e-4;
            for (int i = 0; i < tone.length; i++) {
                assertEquals(tone[i], c.samples()[i], tolerance, v.getKey() + " sample " + i);
            }
        }
        // stereo is averaged to mono: tone on the left, silence on the right gives half the tone
        AudioClip stereo = decode(TestAudio.wav(22050, 16, 1, false, tone, silent), "audio/x-wav");
        assertEquals(tone[100] / 2, stereo.samples()[100], 1e-4);
        for (int rate : new int[] {8000, 16000, 44100, 48000}) {
            assertEquals(rate, decode(TestAudio.wav16(rate, new float[rate]), "audio/wav").sampleRate());
        }
    }

    @Test
    void compressedUploadsFromBrowsersAndPhones() {
        // the same espeak sentence, 6.0 s with 0.5 s padding each side, encoded by make-test-audio.sh
        for (String name : new String[] {"note-en.ogg", "note-en.webm", "note-en.m4a", "note-en.mp3", "note-en-mulaw.wav"}) {
            String type = name.endsWith(".ogg") ? "audio/ogg" : name.endsWith(".webm") ? "audio/webm"
                    : name.endsWith(".m4a") ? "audio/mp4" : name.endsWith(".mp3") ? "audio/mpeg" : "audio/wav";
            AudioClip c = decode(TestAudio.resource(name), type);
            double seconds = c.samples().length / (double) c.sampleRate();
            assertTrue(seconds > 4 && seconds < 7.5, name + " lasts " + seconds + " s");
            double rms = Math.sqrt(Arrays.stream(toDouble(c.samples())).map(x -> x * x).sum() / c.samples().length);
            assertTrue(rms > 0.01, name + " is not silent (rms " + rms + ")");
            // octet-stream lets the bytes decide
            assertEquals(c.samples().length, decode(TestAudio.resource(name), "application/octet-stream").samples().length);
        }
        assertEquals(48000, decode(TestAudio.resource("note-en.webm"), "audio/webm").sampleRate(), "Opus decodes at 48 kHz");
    }

    @Test
    void theDurationLimitHoldsForWavAndCompressedAudio() {
        byte[] elevenSeconds = TestAudio.wav16(8000, new float[8000 * 11]);
        assertEquals(AsrError.ASR_AUDIO_TOO_LONG, code(() -> AudioDecoder.decode(elevenSeconds, "audio/wav", 10_000)));
        // compressed audio is stopped while decoding, before it is all in memory
        assertEquals(AsrError.ASR_AUDIO_TOO_LONG, code(() -> AudioDecoder.decode(TestAudio.resource("note-en.ogg"), "audio/ogg", 2_000)));
        assertEquals(AsrError.ASR_AUDIO_TOO_LONG, code(() -> AudioDecoder.decode(TestAudio.resource("note-en.webm"), "audio/webm", 2_000)));
    }

    /** Each bad upload gives its stable code; none escapes as another exception. */
    @Test
    void badUploadsGiveStableCodes() {
        byte[] good = TestAudio.wav16(16000, TestAudio.tone(440, 0.5, 16000, 1));
        Map<String, Object[]> corpus = new LinkedHashMap<>();
        corpus.put("empty", new Object[] {new byte[0], "audio/wav", AsrError.ASR_AUDIO_EMPTY});
        corpus.put("RIFF only", new Object[] {"RIFF".getBytes(), "audio/wav", AsrError.ASR_AUDIO_TRUNCATED});
        corpus.put("header cut in fmt", new Object[] {Arrays.copyOf(good, 30), "audio/wav", AsrError.ASR_AUDIO_TRUNCATED});
        corpus.put("header without data chunk", new Object[] {Arrays.copyOf(good, 36), "audio/wav", AsrError.ASR_AUDIO_TRUNCATED});
        corpus.put("data cut short", new Object[] {Arrays.copyOf(good, good.length / 2), "audio/wav", AsrError.ASR_AUDIO_TRUNCATED});
        corpus.put("no samples", new Object[] {Arrays.copyOf(TestAudio.wav16(16000, new float[0]), 44), "audio/wav", AsrError.ASR_AUDIO_EMPTY});
        corpus.put("one sample", new Object[] {TestAudio.wav16(16000, new float[] {0.1f}), "audio/wav", AsrError.ASR_AUDIO_EMPTY});
        corpus.put("99 ms", new Object[] {TestAudio.wav16(16000, new float[1584]), "audio/wav", AsrError.ASR_AUDIO_EMPTY});
        float[] nan = TestAudio.tone(440, 0.5, 16000, 1);
        nan[4000] = Float.NaN;
        corpus.put("a NaN sample", new Object[] {TestAudio.wav(16000, 32, 3, false, nan), "audio/wav", AsrError.ASR_AUDIO_UNREADABLE});
        float[] inf = new float[16000];
        Arrays.fill(inf, Float.POSITIVE_INFINITY);
        corpus.put("infinite samples", new Object[] {TestAudio.wav(16000, 32, 3, false, inf), "audio/wav", AsrError.ASR_AUDIO_UNREADABLE});
        corpus.put("lying block align", new Object[] {patch(good, 32, (short) 4), "audio/wav", AsrError.ASR_AUDIO_UNREADABLE});
        corpus.put("lying byte rate", new Object[] {patchInt(good, 28, 1234), "audio/wav", AsrError.ASR_AUDIO_UNREADABLE});
        corpus.put("odd data size", new Object[] {patchInt(good, 40, 31999), "audio/wav", AsrError.ASR_AUDIO_UNREADABLE});
        corpus.put("zero channels", new Object[] {patch(good, 22, (short) 0), "audio/wav", AsrError.ASR_AUDIO_UNREADABLE});
        corpus.put("96 kHz", new Object[] {TestAudio.wav16(96000, new float[9600]), "audio/wav", AsrError.ASR_AUDIO_UNSUPPORTED});
        corpus.put("12-bit", new Object[] {patch(good, 34, (short) 12), "audio/wav", AsrError.ASR_AUDIO_UNSUPPORTED});
        corpus.put("16 channels", new Object[] {patch(good, 22, (short) 16), "audio/wav", AsrError.ASR_AUDIO_UNSUPPORTED});
        corpus.put("PNG sent as wav", new Object[] {TestAudio.sample("img-mnist-3.jpg"), "audio/wav", AsrError.ASR_AUDIO_UNREADABLE});
        corpus.put("JPEG sent as ogg", new Object[] {TestAudio.sample("img-mnist-3.jpg"), "audio/ogg", AsrError.ASR_AUDIO_UNREADABLE});
        corpus.put("text sent as webm", new Object[] {"hello, this is not audio at all".repeat(20).getBytes(), "audio/webm", AsrError.ASR_AUDIO_UNREADABLE});
        corpus.put("random bytes", new Object[] {random(5000), "application/octet-stream", AsrError.ASR_AUDIO_UNREADABLE});
        corpus.put("ogg cut to its first page", new Object[] {Arrays.copyOf(TestAudio.resource("note-en.ogg"), 200), "audio/ogg", null});
        corpus.put("webm cut in half", new Object[] {Arrays.copyOf(TestAudio.resource("note-en.webm"), 9000), "audio/webm", null});
        corpus.put("m4a cut in half", new Object[] {Arrays.copyOf(TestAudio.resource("note-en.m4a"), 19000), "audio/mp4", null});
        corpus.put("text/plain", new Object[] {good, "text/plain", AsrError.ASR_AUDIO_UNSUPPORTED});
        corpus.put("no content type", new Object[] {good, "", AsrError.ASR_AUDIO_UNSUPPORTED});
        for (var c : corpus.entrySet()) {
            byte[] body = (byte[]) c.getValue()[0];
            String type = (String) c.getValue()[1];
            AsrError expected = (AsrError) c.getValue()[2];
            try {
                AudioClip clip = decode(body, type);
                if (expected != null) {
                    fail(c.getKey() + ": decoded " + clip.samples().length + " samples instead of " + expected);
                }
            } catch (AsrException e) {
                if (expected == null) {
                    // a cut compressed file may decode partially or be refused, but only as a 4xx
                    assertTrue(e.error().status() >= 400 && e.error().status() < 500, c.getKey() + ": " + e.error());
                } else {
                    assertEquals(expected, e.error(), c.getKey() + ": " + e.getMessage());
                }
            }
        }
    }

    @Test
    void theShortestAcceptedAudioIsOneHundredMilliseconds() {
        assertEquals(1600, decode(TestAudio.wav16(16000, new float[1600]), "audio/wav").samples().length);
        assertEquals(AsrError.ASR_AUDIO_EMPTY, code(() -> decode(TestAudio.wav16(16000, new float[1599]), "audio/wav")));
    }

    private static AsrError code(Runnable r) {
        return assertThrows(AsrException.class, r::run).error();
    }

    private static byte[] patch(byte[] b, int at, short v) {
        byte[] c = b.clone();
        ByteBuffer.wrap(c).order(ByteOrder.LITTLE_ENDIAN).putShort(at, v);
        return c;
    }

    private static byte[] patchInt(byte[] b, int at, int v) {
        byte[] c = b.clone();
        ByteBuffer.wrap(c).order(ByteOrder.LITTLE_ENDIAN).putInt(at, v);
        return c;
    }

    private static byte[] random(int n) {
        byte[] b = new byte[n];
        new java.util.Random(42).nextBytes(b);
        return b;
    }

    private static double[] toDouble(float[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            d[i] = f[i];
        }
        return d;
    }
}
