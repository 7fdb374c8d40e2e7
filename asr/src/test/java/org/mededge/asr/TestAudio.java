package org.mededge.asr;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Test inputs: ../shared samples, committed clips, generated WAVs, and models installed by the project's installer. */
public final class TestAudio {
    private TestAudio() {
    }

    public static Path repo() {
        String r = System.getenv("MEDEDGE_REPO");
        return r != null ? Path.of(r) : Path.of("..").toAbsolutePath().normalize();
    }

    public static Path shared() {
        String s = System.getenv("MEDEDGE_SHARED");
        return s != null ? Path.of(s) : repo().resolve("../shared").normalize();
    }

    public static byte[] sample(String name) {
        try {
            return Files.readAllBytes(shared().resolve("samples").resolve(name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A clip committed under src/test/resources/audio (made by make-test-audio.sh). */
    public static byte[] resource(String name) {
        try (InputStream in = TestAudio.class.getResourceAsStream("/audio/" + name)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource audio/" + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A sine tone. */
    public static float[] tone(double hz, double amplitude, int rate, double seconds) {
        float[] x = new float[(int) Math.round(rate * seconds)];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (amplitude * Math.sin(2 * Math.PI * hz * i / rate));
        }
        return x;
    }

    /** Seeded white noise. */
    public static float[] noise(double amplitude, int rate, double seconds, long seed) {
        java.util.Random r = new java.util.Random(seed);
        float[] x = new float[(int) Math.round(rate * seconds)];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (amplitude * (2 * r.nextDouble() - 1));
        }
        return x;
    }

    /**
     * A WAV file: {@code tag} 1 (integer PCM) or 3 (float), any bit depth, channels given as separate
     * arrays; {@code extensible} writes a WAVE_FORMAT_EXTENSIBLE header.
     */
    public static byte[] wav(int rate, int bits, int tag, boolean extensible, float[]... channels) {
        int ch = channels.length;
        int frames = channels[0].length;
        int block = ch * bits / 8;
        int fmtSize = extensible ? 40 : 16;
        ByteBuffer b = ByteBuffer.allocate(12 + 8 + fmtSize + 8 + frames * block).order(ByteOrder.LITTLE_ENDIAN);
        b.put("RIFF".getBytes(StandardCharsets.US_ASCII)).putInt(b.capacity() - 8).put("WAVE".getBytes(StandardCharsets.US_ASCII));
        b.put("fmt ".getBytes(StandardCharsets.US_ASCII)).putInt(fmtSize);
        b.putShort((short) (extensible ? 0xFFFE : tag)).putShort((short) ch).putInt(rate).putInt(rate * block)
                .putShort((short) block).putShort((short) bits);
        if (extensible) {
            b.putShort((short) 22).putShort((short) bits).putInt(ch == 1 ? 4 : 3);
            b.putShort((short) tag).put(new byte[] {0, 0, 0, 0, 0x10, 0, (byte) 0x80, 0, 0, (byte) 0xAA, 0, 0x38, (byte) 0x9B, 0x71});
        }
        b.put("data".getBytes(StandardCharsets.US_ASCII)).putInt(frames * block);
        for (int i = 0; i < frames; i++) {
            for (float[] c : channels) {
                double v = Float.isFinite(c[i]) ? Math.max(-1, Math.min(1, c[i])) : c[i]; // damaged input stays damaged
                if (tag == 3 && bits == 32) {
                    b.putFloat((float) v);
                } else if (tag == 3) {
                    b.putDouble(v);
                } else if (bits == 8) {
                    b.put((byte) (Math.round(v * 127) + 128));
                } else if (bits == 16) {
                    b.putShort((short) Math.round(v * 32767));
                } else if (bits == 24) {
                    int s = (int) Math.round(v * 8388607);
                    b.put((byte) s).put((byte) (s >> 8)).put((byte) (s >> 16));
                } else {
                    b.putInt((int) Math.round(v * 2147483647.0));
                }
            }
        }
        return b.array();
    }

    public static byte[] wav16(int rate, float[] mono) {
        return wav(rate, 16, 1, false, mono);
    }

    /** 16 kHz mono PCM16 samples of a WAV from ../shared (the header is checked by the decoder under test elsewhere). */
    public static float[] pcm16k(String sample) {
        return org.mededge.asr.audio.WavDecoder.decode(sample(sample), Long.MAX_VALUE).samples();
    }

    /** Installs catalog models into target/test-home with ../shared/models as the mirror; the installer's exit code and output. */
    public static Installed install(String... models) {
        Path home = repo().resolve("asr/target/test-home");
        List<String> cmd = new ArrayList<>(List.of("bash", repo().resolve("firmware-scripts/install-models.sh").toString(),
                "--mirror", shared().resolve("models").toString()));
        for (String m : models) {
            cmd.add("--only");
            cmd.add(m);
        }
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("MEDEDGE_HOME", home.toString());
        try {
            Process p = pb.start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(5, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new IllegalStateException("installer timed out");
            }
            return new Installed(p.exitValue(), out, home.resolve("models"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** An installer run. */
    public record Installed(int exit, String output, Path modelsDir) {
        public Path model(String name, String version) {
            return modelsDir.resolve(name).resolve(version);
        }

        public Installed require() {
            if (exit != 0) {
                throw new IllegalStateException("installer failed:\n" + output);
            }
            return this;
        }
    }
}
