package org.mededge.appliance.dictation;

import java.nio.file.Path;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

import org.mededge.appliance.Appliance;
import org.mededge.appliance.Http;
import org.mededge.appliance.TestAppliance;
import org.mededge.appliance.TestModels;
import org.mededge.asr.AudioClip;
import org.mededge.asr.audio.Resampler;
import org.mededge.asr.audio.WavDecoder;

/**
 * Benchmark, not a test (runs only with -Dbenchmark=true): for 30 s of real speech (jfk-en.wav
 * repeated), the share of a dictation's wall time, seen by an HTTP client, spent outside whisper:
 * decode + resample + VAD + post-processing + HTTP. Target: at most 5 %. Uses whisper-demo when the
 * installer can install it, else whisper.cpp's weightless test model (a lower bound on whisper's time,
 * so an upper bound on the share).
 *
 * <pre>mvn -o -pl appliance -am test -Dtest=DictationBenchmark -Dbenchmark=true -Dsurefire.failIfNoSpecifiedTests=false</pre>
 */
@Tag("benchmark")
@EnabledIfSystemProperty(named = "benchmark", matches = "true")
class DictationBenchmark {
    private static final int RUNS = 3;

    @Test
    void outsideWhisperShare() throws Exception {
        String model = TestModels.installer(TestModels.repo().resolve("appliance/target/test-home"), "--mirror",
                TestModels.mirror().toString(), "--only", "whisper-demo").exit() == 0 ? "whisper-demo" : "whisper-for-tests";
        Path home = TestModels.sharedHome("silero-vad", model);
        float[] jfk = WavDecoder.decode(DictationHttpTest.sample("jfk-en.wav"), Long.MAX_VALUE).samples();
        float[] speech = new float[16000 * 30];
        for (int i = 0; i < speech.length; i++) {
            speech[i] = jfk[i % jfk.length];
        }
        float[] speech44 = Resampler.resample(new AudioClip(speech, 16000), 44100).samples();
        try (Appliance a = TestAppliance.start(home, Map.of("mededge.engines.asr.model", model))) {
            Http http = new Http(a.port());
            for (var input : Map.of("WAV 16 kHz PCM16", wav(speech, 16000), "WAV 44.1 kHz PCM16", wav(speech44, 44100)).entrySet()) {
                http.post("/v1/dictations?language=en", "audio/wav", input.getValue()); // warm-up
                double total = 0;
                double whisper = 0;
                double decode = 0;
                double vad = 0;
                double post = 0;
                double server = 0;
                for (int r = 0; r < RUNS; r++) {
                    long t0 = System.nanoTime();
                    Http.Response res = http.post("/v1/dictations?language=en", "audio/wav", input.getValue());
                    double wall = (System.nanoTime() - t0) / 1e6;
                    if (res.status() != 200) {
                        throw new AssertionError(res.body());
                    }
                    JsonNode t = res.json().get("timings");
                    total += wall;
                    whisper += t.get("asrMs").asLong();
                    decode += t.get("decodeMs").asLong();
                    vad += t.get("vadMs").asLong();
                    post += t.get("postMs").asLong() + t.get("fusionMs").asLong();
                    server += t.get("totalMs").asLong();
                }
                double outside = total - whisper;
                System.out.printf(java.util.Locale.ROOT, "BENCH %s, model %s, %d runs of 30 s: wall %.0f ms, whisper %.0f ms,"
                                + " outside whisper %.0f ms = %.2f %% (decode+resample %.0f, VAD %.0f, post+fusion %.0f,"
                                + " HTTP+JSON %.0f ms per run)%n", input.getKey(), model, RUNS, total / RUNS, whisper / RUNS,
                        outside / RUNS, 100 * outside / total, decode / RUNS, vad / RUNS, post / RUNS, (total - server) / RUNS);
            }
        }
    }

    static byte[] wav(float[] x, int rate) {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(44 + 2 * x.length).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        b.put("RIFF".getBytes()).putInt(36 + 2 * x.length).put("WAVEfmt ".getBytes()).putInt(16).putShort((short) 1)
                .putShort((short) 1).putInt(rate).putInt(rate * 2).putShort((short) 2).putShort((short) 16)
                .put("data".getBytes()).putInt(2 * x.length);
        for (float v : x) {
            b.putShort((short) Math.round(Math.max(-1, Math.min(1, v)) * 32767));
        }
        return b.array();
    }
}
