package org.mededge.llm;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import org.mededge.llm.decode.JsonSchema;
import org.mededge.llm.decode.SchemaConstraint;
import org.mededge.llm.decode.TokenIndex;
import org.mededge.llm.ort.OrtTextGenerator;

/**
 * Benchmarks (tag "benchmark", excluded by default):
 * <ul>
 * <li>this machine's memory bandwidth (a vectorized streaming read of 512 MiB from Java, best of 10);</li>
 * <li>decode tokens/s of the engine on a larger random model (firmware-scripts/llm/build_tiny_models.py
 * --bench llm/target/bench-model) against the bandwidth bound: bandwidth / bytes of weights read per
 * token (the model file less its embedding table, which is read one row per token);</li>
 * <li>LoRA overhead per token: the same model with and without a rank-16 adapter on all seven modules,
 * interleaved in one run, plus the graph without LoRA inputs;</li>
 * <li>the cost of one JSON-constrained mask for a vocabulary of Qwen2.5's size (synthetic tokens).</li>
 * </ul>
 * Run: mvn -o -pl llm test -Dllm.skipGroups=none -Dgroups=benchmark -Dtest=DecodeBenchmark
 */
@Tag("benchmark")
class DecodeBenchmark {
    private static final Path BENCH = Path.of(System.getProperty("llm.benchModel",
            TinyModels.repo().resolve("llm/target/bench-model").toString()));
    private static final String PROMPT = "Patient reports chest pain for three hours, radiating to the left arm, with sweating.";

    /**
     * Streaming-read bandwidth in bytes/s with {@code threads} threads: the vectorized
     * Arrays.mismatch intrinsic over two equal 256 MiB arrays (512 MiB read per round), best of 10
     * rounds, since on a shared machine the best round is the least disturbed.
     */
    static double bandwidth(int threads) throws Exception {
        long[] x = new long[32 << 20];
        long[] y = new long[32 << 20];
        Arrays.parallelSetAll(x, i -> i * 31L);
        Arrays.parallelSetAll(y, i -> i * 31L);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            double best = 0;
            for (int round = 0; round < 11; round++) {
                long t0 = System.nanoTime();
                List<Future<Integer>> parts = new ArrayList<>();
                int chunk = x.length / threads;
                for (int t = 0; t < threads; t++) {
                    int from = t * chunk;
                    int to = t == threads - 1 ? x.length : from + chunk;
                    parts.add(pool.submit(() -> Arrays.mismatch(x, from, to, y, from, to)));
                }
                int sink = 0;
                for (Future<Integer> f : parts) {
                    sink += f.get();
                }
                double s = (System.nanoTime() - t0) / 1e9;
                if (round > 0 && sink == -threads) { // the first round warms up; -1 per slice: equal arrays
                    best = Math.max(best, 2.0 * x.length * 8 / s);
                }
            }
            return best;
        } finally {
            pool.shutdownNow();
        }
    }

    private static LlmModel benchModel(String file) throws IOException {
        Map<String, Object> spec = new HashMap<>();
        spec.put("modelFile", file);
        spec.put("chatTemplate", "chatml");
        spec.put("contextLength", 4096);
        spec.put("loraBase", "bench");
        List<Object> files = new ArrayList<>();
        List<Object> adapters = new ArrayList<>();
        for (String name : new String[] {"bench", "bench-r8-attn"}) {
            String f = "adapters/" + name + ".onnx_adapter";
            files.add(Map.of("path", f, "sha256", sha(BENCH.resolve(f))));
            adapters.add(Map.of("name", name, "file", f, "baseModel", "bench"));
        }
        spec.put("files", files);
        spec.put("adapters", adapters);
        return LlmModel.from("bench-" + file, "1", BENCH, spec);
    }

    private static String sha(Path p) throws IOException {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static double median(List<Double> v) {
        List<Double> s = new ArrayList<>(v);
        s.sort(null);
        return s.get(s.size() / 2);
    }

    /** Decode seconds per token (after the first token) of one greedy generation. */
    private static double secondsPerToken(OrtTextGenerator g, String adapter, int tokens) {
        Generation r = g.generate(GenerationRequest.of(null, PROMPT, tokens).withAdapter(adapter == null ? null : new AdapterRef(adapter)));
        if (r.generatedTokens() < tokens) {
            throw new IllegalStateException("stopped early: " + r.finishReason());
        }
        return (r.totalMs() - r.timeToFirstTokenMs()) / 1e3 / (r.generatedTokens() - 1);
    }

    /** Milliseconds per decode step of the model (one token through the cache, after the prompt). */
    private static double stepMs(OrtTextGenerator g, String adapter, int[] prompt, int steps) {
        try (org.mededge.llm.decode.Decoder.Sequence s = g.decoder().open(adapter)) {
            s.append(prompt);
            long t0 = System.nanoTime();
            for (int i = 0; i < steps; i++) {
                s.append(new int[] {100 + i});
            }
            return (System.nanoTime() - t0) / 1e6 / steps;
        }
    }

    @Test
    void decodeVersusBandwidthAndLoraOverhead() throws Exception {
        assumeTrue(Files.isRegularFile(BENCH.resolve("model-int4.onnx")), "no benchmark model at " + BENCH
                + ": /usr/bin/python3 firmware-scripts/llm/build_tiny_models.py --bench " + BENCH);
        int cores = Runtime.getRuntime().availableProcessors();
        StringBuilder out = new StringBuilder();
        JsonNode cfg = new ObjectMapper().readTree(BENCH.resolve("config.json").toFile());
        long embedBytes = 4L * cfg.get("vocab_size").asLong() * cfg.get("hidden_size").asLong();
        out.append(String.format(Locale.ROOT, "model: hidden %d, %d layers, %d heads (%d kv), intermediate %d, vocab %d;"
                + " adapters: rank %d on all 7 modules (r16-all), rank 8 on q/k/v/o (r8-attn); %d cores%n",
                cfg.get("hidden_size").asInt(), cfg.get("num_hidden_layers").asInt(), cfg.get("num_attention_heads").asInt(),
                cfg.get("num_key_value_heads").asInt(), cfg.get("intermediate_size").asInt(), cfg.get("vocab_size").asInt(),
                cfg.get("adapter_rank").asInt(), cores));
        out.append("Decode steps of 12 tokens after a ~40-token prompt, base and adapters interleaved; best (min) and median of"
                + " the rounds. bound = best streaming-read bandwidth / weight bytes read per token.\n");
        out.append("| weights | threads | MB read/token | bandwidth GB/s | bound tok/s | base tok/s best (median) | ratio best |"
                + " r16-all overhead best (median) | r8-attn overhead best (median) | engine tok/s (greedy, 33 tokens) | load avg |\n");
        // -Dllm.benchVariants=int4-acc4,int8 -Dllm.benchThreads=1 -Dllm.benchRounds=30 narrow a run
        String[] variants = System.getProperty("llm.benchVariants", "int4-nolora,int4,int4-acc4,int8,fp32").split(",");
        int[] threadCounts = System.getProperty("llm.benchThreads") != null
                ? new int[] {Integer.parseInt(System.getProperty("llm.benchThreads"))} : new int[] {1, cores};
        for (int threads : threadCounts) {
            for (String variant : variants) {
                String file = "model-" + variant + ".onnx";
                long weightBytes = Files.size(BENCH.resolve(file)) - embedBytes;
                double bw = bandwidth(threads);
                double bound = bw / weightBytes;
                int rounds = Integer.getInteger("llm.benchRounds", variant.equals("fp32") ? 8 : 20);
                try (OrtTextGenerator g = OrtTextGenerator.load(benchModel(file), new LlmConfig(threads, 2048, 128))) {
                    int[] prompt = g.promptIds(null, PROMPT);
                    List<String> names = new ArrayList<>();
                    names.add(null);
                    names.addAll(g.adapters());
                    Map<String, List<Double>> ms = new HashMap<>();
                    for (String n : names) {
                        stepMs(g, n, prompt, 4);
                        ms.put(String.valueOf(n), new ArrayList<>());
                    }
                    for (int r = 0; r < rounds; r++) {
                        for (String n : names) {
                            ms.get(String.valueOf(n)).add(stepMs(g, n, prompt, 12));
                        }
                    }
                    double bMin = ms.get("null").stream().mapToDouble(Double::doubleValue).min().orElseThrow();
                    double bMed = median(ms.get("null"));
                    String[] cols = new String[2];
                    String[] adapterNames = {"bench", "bench-r8-attn"};
                    for (int i = 0; i < 2; i++) {
                        List<Double> t = ms.get(adapterNames[i]);
                        cols[i] = t == null ? "n/a" : String.format(Locale.ROOT, "%+.1f %% (%+.1f %%)",
                                (t.stream().mapToDouble(Double::doubleValue).min().orElseThrow() - bMin) / bMin * 100,
                                (median(t) - bMed) / bMed * 100);
                    }
                    double engine = 1 / secondsPerToken(g, null, 33);
                    out.append(String.format(Locale.ROOT, "| %s | %d | %.1f | %.2f | %.2f | %.2f (%.2f) | %.2f | %s | %s | %.2f | %.1f |%n",
                            variant, threads, weightBytes / 1e6, bw / 1e9, bound, 1000 / bMin, 1000 / bMed, (1000 / bMin) / bound,
                            cols[0], cols[1], engine,
                            java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage()));
                }
            }
        }
        System.out.println(out);
        Files.writeString(TinyModels.repo().resolve("llm/target/benchmark-decode.txt"), out.toString(), StandardCharsets.UTF_8);
    }

    @Test
    void constrainedMaskAtQwenVocabularySize() throws Exception {
        // 151,643 synthetic byte strings shaped like a byte-level BPE vocabulary: the 256 bytes, then
        // words with and without a leading space, digits, punctuation runs and CJK characters
        SplittableRandom rnd = new SplittableRandom(7);
        int n = 151_643;
        byte[][] tokens = new byte[n][];
        for (int b = 0; b < 256; b++) {
            tokens[b] = new byte[] {(byte) b};
        }
        String letters = "etaoinshrdlcumwfgypbvkjxqz";
        for (int i = 256; i < n; i++) {
            StringBuilder s = new StringBuilder();
            int kind = rnd.nextInt(10);
            if (kind < 6) {
                if (rnd.nextBoolean()) {
                    s.append(' ');
                }
                int len = 2 + rnd.nextInt(8);
                for (int k = 0; k < len; k++) {
                    s.append(letters.charAt(Math.min(25, (int) Math.abs(rnd.nextGaussian() * 7))));
                }
            } else if (kind < 7) {
                s.append(rnd.nextInt(1000));
            } else if (kind < 8) {
                int len = 1 + rnd.nextInt(3);
                for (int k = 0; k < len; k++) {
                    s.append("{}[]\":,.-_ \n".charAt(rnd.nextInt(12)));
                }
            } else {
                int len = 1 + rnd.nextInt(3);
                for (int k = 0; k < len; k++) {
                    s.append((char) (0x4E00 + rnd.nextInt(3000)));
                }
            }
            tokens[i] = s.toString().getBytes(StandardCharsets.UTF_8);
        }
        long t0 = System.nanoTime();
        TokenIndex index = new TokenIndex(tokens);
        double buildMs = (System.nanoTime() - t0) / 1e6;
        JsonSchema schema = JsonSchema.compile(JsonSchemaTest.ASSESSMENT);
        float[] logits = new float[n];
        StringBuilder out = new StringBuilder(String.format(Locale.ROOT,
                "token index for %d tokens (%d plain): built in %.0f ms%n", n, index.plainCount(), buildMs));
        String[][] states = {
            {"object start (only '{')", ""},
            {"inside a free string (reason)", "{\"diagnosis\":\"asthma\",\"confidence\":0.5,\"reason\":\"fever and"},
            {"inside the diagnosis enum", "{\"diagnosis\":\"pulm"},
            {"inside a number", "{\"diagnosis\":\"asthma\",\"confidence\":0."},
        };
        for (String[] st : states) {
            SchemaConstraint c = new SchemaConstraint(schema, index, 512);
            for (byte b : st[1].getBytes(StandardCharsets.UTF_8)) {
                c.advance(b & 0xFF);
            }
            for (int w = 0; w < 3; w++) {
                c.mask(logits);
            }
            List<Double> ms = new ArrayList<>();
            for (int r = 0; r < 9; r++) {
                Arrays.fill(logits, 0f);
                long s = System.nanoTime();
                c.mask(logits);
                ms.add((System.nanoTime() - s) / 1e6);
            }
            long allowed = 0;
            for (float f : logits) {
                if (f == 0f) {
                    allowed++;
                }
            }
            out.append(String.format(Locale.ROOT, "mask %-32s median %.2f ms, %d tokens allowed%n", st[0], median(ms), allowed));
        }
        System.out.println(out);
        Files.writeString(TinyModels.repo().resolve("llm/target/benchmark-mask.txt"), out.toString(), StandardCharsets.UTF_8);
    }
}
