package org.mededge.asr;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

import org.mededge.asr.audio.SileroVad;
import org.mededge.asr.stream.StreamConfig;
import org.mededge.asr.stream.StreamingDictation;
import org.mededge.asr.text.DictationText;
import org.mededge.asr.whisper.WhisperRecognizer;

/**
 * Benchmark, not a test (runs only with -Dbenchmark=true): live dictation with the demo Whisper and the
 * engine's default settings (AsrConfig.defaults(): 2 decoder states, 1 thread each on 2 cores), audio
 * fed in 100 ms chunks at real-time pace. Each stream dictates the four English (or the four Mandarin)
 * held-out clips one after another with 2 s of silence between them (about 45 s), while 1, 2 or 3
 * streams run at once (a chunk is sent when its last sample would have been spoken). Prints, per number of streams: first-partial latency after a segment's speech
 * starts and finalization latency after the VAD's endpoint (p50/p95 over all segments), how long stop()
 * takes, each stream's real-time factor (its worker's time per second of audio) and largest backlog,
 * the streamed-vs-batch WER of the same audio, and how many stable words a final changed.
 *
 * <pre>mvn -o -pl asr -am test -Dtest=StreamBenchmark -Dbenchmark=true -Dsurefire.failIfNoSpecifiedTests=false</pre>
 * (-Dbenchmark.streams=1,2,3 is the default list of concurrent stream counts).
 */
@Tag("benchmark")
@EnabledIfSystemProperty(named = "benchmark", matches = "true")
class StreamBenchmark {
    private static final int CHUNK = 1600;

    /** One stream's events with their wall times, relative to the moment its first chunk was sent. */
    private static final class Timed implements StreamingDictation.Listener {
        final List<Object> events = new CopyOnWriteArrayList<>();
        final List<Long> at = new CopyOnWriteArrayList<>();
        volatile long t0;

        @Override
        public void partial(StreamingDictation.Partial p) {
            events.add(p);
            at.add((System.nanoTime() - t0) / 1_000_000);
        }

        @Override
        public void finalSegment(StreamingDictation.Final f) {
            events.add(f);
            at.add((System.nanoTime() - t0) / 1_000_000);
        }
    }

    /** What one stream measured. */
    private record Run(List<Long> firstPartialMs, List<Long> finalMs, long stopMs, double rtf, long maxBacklogMs, double wer,
                       int stableWords, int stableChanged, StreamingDictation.Stats stats) {
    }

    @Test
    void liveDictationAtRealTimePace() throws Exception {
        TestAudio.Installed installed = TestAudio.install("silero-vad", "whisper-demo").require();
        AsrConfig config = AsrConfig.defaults();
        SileroVad vad = SileroVad.load(installed.model("silero-vad", "6.2").resolve("silero_vad.onnx"));
        WhisperRecognizer whisper = WhisperRecognizer.load(TestEngines.whisperSpec(installed.model("whisper-demo", "4")), config);
        try (Dictation dictation = new Dictation(config, vad, whisper, DictationText.load(null))) {
            AsrOptions en = new AsrOptions("en", "general", 1, true);
            AsrOptions zh = new AsrOptions("zh", "general", 1, true);
            float[] enAudio = dictation("en");
            float[] zhAudio = dictation("zh");
            String enBatch = dictation.transcribe(TestAudio.wav(16000, 32, 3, false, enAudio), "audio/wav", en).transcript().text();
            String zhBatch = dictation.transcribe(TestAudio.wav(16000, 32, 3, false, zhAudio), "audio/wav", zh).transcript().text();
            System.out.printf(Locale.ROOT, "BENCH stream: demo Whisper, %s, %d cores, %d decoder states x %d threads; dictations of"
                            + " %.1f s (en) and %.1f s (zh)%n", System.getProperty("os.arch"), Runtime.getRuntime().availableProcessors(),
                    config.states(), config.threadsPerState(), enAudio.length / 16000.0, zhAudio.length / 16000.0);
            // warm-up: one stream as fast as possible
            try (StreamingDictation s = dictation.stream(en, StreamConfig.defaults().withMaxBacklogMs(120_000), new Timed())) {
                for (int at = 0; at < enAudio.length; at += CHUNK) {
                    s.accept(Arrays.copyOfRange(enAudio, at, Math.min(enAudio.length, at + CHUNK)));
                }
                s.stop();
            }
            for (String count : System.getProperty("benchmark.streams", "1,2,3").split(",")) {
                int n = Integer.parseInt(count.trim());
                List<CompletableFuture<Run>> runs = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    boolean english = i % 2 == 0;
                    long delayMs = i * 1000L / n;   // streams do not start in lockstep
                    runs.add(CompletableFuture.supplyAsync(() -> stream(dictation, english ? en : zh, english ? enAudio : zhAudio,
                            english ? enBatch : zhBatch, delayMs), r -> Thread.ofPlatform().start(r)));
                }
                List<Run> done = new ArrayList<>();
                for (CompletableFuture<Run> r : runs) {
                    done.add(r.get());
                }
                List<Long> first = new ArrayList<>();
                List<Long> fin = new ArrayList<>();
                int stable = 0;
                int changed = 0;
                for (Run r : done) {
                    first.addAll(r.firstPartialMs());
                    fin.addAll(r.finalMs());
                    stable += r.stableWords();
                    changed += r.stableChanged();
                }
                System.out.printf(Locale.ROOT, "BENCH %d stream(s): first partial after speech start p50 %d ms, p95 %d ms (%d segments);"
                                + " final after the VAD endpoint p50 %d ms, p95 %d ms (%d finals); stable words a final changed: %d of %d%n",
                        n, pct(first, 50), pct(first, 95), first.size(), pct(fin, 50), pct(fin, 95), fin.size(), changed, stable);
                for (int i = 0; i < done.size(); i++) {
                    Run r = done.get(i);
                    System.out.printf(Locale.ROOT, "BENCH   stream %d (%s): real-time factor %.3f, largest backlog %d ms, stop() %d ms,"
                                    + " WER streamed vs batch %.2f %%, %s%n", i + 1, i % 2 == 0 ? "en" : "zh", r.rtf(), r.maxBacklogMs(),
                            r.stopMs(), r.wer(), r.stats());
                }
            }
        }
    }

    private static Run stream(Dictation dictation, AsrOptions options, float[] audio, String batch, long delayMs) {
        try {
            Thread.sleep(delayMs);
            Timed events = new Timed();
            long maxBacklog = 0;
            long stopMs;
            String text;
            StreamingDictation.Stats stats;
            try (StreamingDictation s = dictation.stream(options, events)) {
                long t0 = System.nanoTime();
                events.t0 = t0;
                for (int at = 0; at < audio.length; at += CHUNK) {
                    // a microphone's chunk exists once its last sample was spoken
                    int end = Math.min(audio.length, at + CHUNK);
                    long wait = t0 + (long) end * 1_000_000_000L / 16000 - System.nanoTime();
                    if (wait > 0) {
                        Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                    }
                    maxBacklog = Math.max(maxBacklog, s.backlogMs());
                    s.accept(Arrays.copyOfRange(audio, at, end));
                }
                long t1 = System.nanoTime();
                text = s.stop().text();
                stopMs = (System.nanoTime() - t1) / 1_000_000;
                stats = s.stats();
            }
            // per segment: its first partial after its start; its finals after their endpoint (those decided before stop)
            List<Long> first = new ArrayList<>();
            List<Long> fin = new ArrayList<>();
            long segment = -1;
            String lastStable = "";
            StringBuilder finalText = new StringBuilder();
            int stableWords = 0;
            int changed = 0;
            long audioMs = audio.length * 1000L / 16000;
            for (int i = 0; i < events.events.size(); i++) {
                Object e = events.events.get(i);
                long when = events.at.get(i);
                if (e instanceof StreamingDictation.Partial p) {
                    if (p.segmentStartMs() != segment) {
                        int[] c = compare(lastStable, finalText.toString());
                        stableWords += c[0];
                        changed += c[1];
                        finalText.setLength(0);
                        segment = p.segmentStartMs();
                        first.add(when - p.segmentStartMs());
                    }
                    lastStable = p.stable();
                } else if (e instanceof StreamingDictation.Final f) {
                    finalText.append(' ').append(f.segment().text());
                    if (f.endpointMs() < audioMs) {
                        fin.add(when - f.endpointMs());
                    }
                }
            }
            int[] c = compare(lastStable, finalText.toString());
            return new Run(first, fin, stopMs, stats.realTimeFactor(), maxBacklog, StreamingDictationTest.wer(batch, text),
                    stableWords + c[0], changed + c[1], stats);
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Words of a segment's last stable prefix, and how many of them its finals have otherwise (position by position). */
    private static int[] compare(String stable, String finals) {
        List<String> s = StreamingDictationTest.units(stable);
        List<String> f = StreamingDictationTest.units(finals);
        int changed = 0;
        for (int i = 0; i < s.size(); i++) {
            if (i >= f.size() || !s.get(i).equals(f.get(i))) {
                changed++;
            }
        }
        return new int[] {s.size(), changed};
    }

    /** The four held-out clips of a language one after another, with 1 s of silence before and 2 s between and after. */
    private static float[] dictation(String language) {
        List<float[]> parts = new ArrayList<>();
        parts.add(new float[16000]);
        for (int i = 1; i <= 4; i++) {
            parts.add(StreamingDictationTest.samples16k("heldout-" + language + "-" + i + ".wav"));
            parts.add(new float[32000]);
        }
        float[] out = new float[parts.stream().mapToInt(p -> p.length).sum()];
        int at = 0;
        for (float[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }

    private static long pct(List<Long> values, int p) {
        if (values.isEmpty()) {
            return -1;
        }
        List<Long> s = values.stream().sorted().toList();
        return s.get(Math.max(0, (int) Math.ceil(p / 100.0 * s.size()) - 1));
    }
}
