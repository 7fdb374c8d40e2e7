package org.mededge.llm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.Writer;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;

import org.mededge.llm.decode.Decoder;
import org.mededge.llm.ort.AdapterFile;
import org.mededge.llm.ort.OrtTextGenerator;

/**
 * LoRA adapters in ONNX Runtime's adapter format, activated per request: output with an adapter
 * equals the base model with W + (alpha/r)·B·A merged into its weights, computed here from the
 * PEFT files; requests with different adapters never affect each other; misfits are refused.
 */
class LoraTest {
    private static final int[] IDS = {1, 300, 45, 7, 260, 99, 511, 2, 17, 400};
    private static OrtTextGenerator engine;

    @BeforeAll
    static void load() {
        engine = TinyModels.load(TinyModels.FP32);
    }

    @AfterAll
    static void close() {
        engine.close();
    }

    @Test
    void adapterFilesAreReadStructurally() throws IOException {
        AdapterFile f = AdapterFile.read(TinyModels.model(TinyModels.FP32).dir().resolve("adapters/respiratory.onnx_adapter"));
        assertEquals(1, f.formatVersion());
        assertEquals(2 * 7 * 2, f.params().size());
        AdapterFile.Param a = f.params().stream().filter(p -> p.name().equals("model.layers.1.mlp.up_proj.lora_A.weight"))
                .findFirst().orElseThrow();
        assertEquals(AdapterFile.FLOAT, a.dataType());
        assertEquals(List.of(64L, 4L), List.of(a.dims()[0], a.dims()[1]));
        assertEquals(64 * 4 * 4, a.dataBytes());
        Path garbage = Files.createTempFile("not-an-adapter", ".onnx_adapter");
        Files.write(garbage, "{\"not\": \"flatbuffers\"}".getBytes());
        assertThrows(IOException.class, () -> AdapterFile.read(garbage));
        Files.delete(garbage);
    }

    /** The merged model: the exported fp32 graph with each adapted weight overridden by W + (alpha/r)·B·A. */
    private static float[][] mergedLogits(String adapter, int[] ids) throws Exception {
        Path tiny = TinyModels.builderOutputs();
        Map<String, SafeTensors.Tensor> base = SafeTensors.read(tiny.resolve("base/model.safetensors"));
        Map<String, SafeTensors.Tensor> peft = SafeTensors.read(tiny.resolve("peft/" + adapter + "/adapter_model.safetensors"));
        JsonNode config = new ObjectMapper().readTree(tiny.resolve("peft/" + adapter + "/adapter_config.json").toFile());
        double scale = config.get("lora_alpha").asDouble() / config.get("r").asDouble();
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        List<OnnxTensor> overrides = new ArrayList<>();
        try (OrtSession.SessionOptions opts = new OrtSession.SessionOptions()) {
            opts.setSessionLogLevel(ai.onnxruntime.OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR);
            int merged = 0;
            for (Map.Entry<String, SafeTensors.Tensor> e : peft.entrySet()) {
                if (!e.getKey().endsWith(".lora_A.weight")) {
                    continue;
                }
                String module = e.getKey().substring("base_model.model.".length(), e.getKey().length() - ".lora_A.weight".length());
                SafeTensors.Tensor a = e.getValue();                                       // [r, in]
                SafeTensors.Tensor b = peft.get("base_model.model." + module + ".lora_B.weight"); // [out, r]
                SafeTensors.Tensor w = base.get(module + ".weight");                          // [out, in]
                int out = w.rows();
                int in = w.cols();
                int r = a.rows();
                float[] wt = new float[in * out]; // merged, transposed to the graph's [in, out]
                for (int o = 0; o < out; o++) {
                    for (int i = 0; i < in; i++) {
                        double delta = 0;
                        for (int k = 0; k < r; k++) {
                            delta += (double) b.data()[o * r + k] * a.data()[k * in + i];
                        }
                        wt[i * out + o] = (float) (w.data()[o * in + i] + scale * delta);
                    }
                }
                OnnxTensor t = OnnxTensor.createTensor(env, FloatBuffer.wrap(wt), new long[] {in, out});
                overrides.add(t);
                opts.addInitializer(module + ".weight.T", t);
                merged++;
            }
            assertTrue(merged >= 6, "merged " + merged + " modules");
            Path model = TinyModels.model(TinyModels.FP32).dir().resolve("model.onnx");
            try (OrtSession s = env.createSession(model.toString(), opts)) {
                float[][] out = new float[ids.length][];
                for (int n = 1; n <= ids.length; n++) {
                    out[n - 1] = lastLogits(env, s, java.util.Arrays.copyOf(ids, n));
                }
                return out;
            }
        } finally {
            overrides.forEach(OnnxTensor::close);
        }
    }

    private static float[] lastLogits(OrtEnvironment env, OrtSession s, int[] ids) throws Exception {
        int n = ids.length;
        long[] id = new long[n];
        long[] pos = new long[n];
        long[] mask = new long[n];
        for (int i = 0; i < n; i++) {
            id[i] = ids[i];
            pos[i] = i;
            mask[i] = 1;
        }
        Map<String, OnnxTensor> in = new HashMap<>();
        try {
            in.put("input_ids", OnnxTensor.createTensor(env, LongBuffer.wrap(id), new long[] {1, n}));
            in.put("position_ids", OnnxTensor.createTensor(env, LongBuffer.wrap(pos), new long[] {1, n}));
            in.put("attention_mask", OnnxTensor.createTensor(env, LongBuffer.wrap(mask), new long[] {1, n}));
            for (int l = 0; l < 2; l++) {
                for (String kind : new String[] {"key", "value"}) {
                    in.put("past_key_values." + l + "." + kind, OnnxTensor.createTensor(env, FloatBuffer.allocate(0), new long[] {1, 2, 0, 16}));
                }
            }
            try (OrtSession.Result r = s.run(in)) {
                FloatBuffer fb = ((OnnxTensor) r.get("logits").orElseThrow()).getFloatBuffer();
                float[] last = new float[512];
                fb.position((n - 1) * 512);
                fb.get(last);
                return last;
            }
        } finally {
            in.values().forEach(OnnxTensor::close);
        }
    }

    private static float[][] engineLogits(String adapter, int[] ids) {
        float[][] out = new float[ids.length][];
        try (Decoder.Sequence s = engine.decoder().open(adapter)) {
            for (int i = 0; i < ids.length; i++) {
                out[i] = s.append(new int[] {ids[i]});
            }
        }
        return out;
    }

    private static double maxDiff(float[][] a, float[][] b) {
        double d = 0;
        for (int i = 0; i < a.length; i++) {
            for (int v = 0; v < a[i].length; v++) {
                d = Math.max(d, Math.abs(a[i][v] - b[i][v]));
            }
        }
        return d;
    }

    @Test
    void adapterOutputEqualsTheMergedWeights() throws Exception {
        float[][] base = engineLogits(null, IDS);
        for (String adapter : new String[] {"respiratory", "cardiology"}) {
            float[][] withAdapter = engineLogits(adapter, IDS);
            float[][] merged = mergedLogits(adapter, IDS);
            double d = maxDiff(withAdapter, merged);
            assertTrue(d < 1e-4, adapter + ": max |adapter - merged| = " + d);
            assertTrue(maxDiff(withAdapter, base) > 0.1, adapter + " changes the output");
        }
    }

    @Test
    void adapterOutputMatchesTheNumpyReferenceOfTheMergedModel() throws IOException {
        JsonNode golden = new ObjectMapper().readTree(TinyModels.builderOutputs().resolve("golden.json").toFile());
        JsonNode ids = golden.get("ids");
        int[] seq = new int[ids.size()];
        for (int i = 0; i < seq.length; i++) {
            seq[i] = ids.get(i).asInt();
        }
        float[][] got = engineLogits("respiratory", seq);
        JsonNode want = golden.get("logits").get("fp32+respiratory");
        double d = 0;
        for (int i = 0; i < seq.length; i++) {
            for (int v = 0; v < 512; v++) {
                d = Math.max(d, Math.abs(got[i][v] - want.get(i).get(v).asDouble()));
            }
        }
        assertTrue(d < 1e-4, "max |ORT adapter - numpy merged| = " + d);
    }

    private static GenerationRequest req(String adapter) {
        return GenerationRequest.of("You are a clinical scribe.", "Cough and fever for four days.", 24)
                .withAdapter(adapter == null ? null : new AdapterRef(adapter));
    }

    @Test
    void consecutiveAndConcurrentRequestsEachGetTheirOwnAdapter() throws Exception {
        Map<String, String> alone = new LinkedHashMap<>();
        for (String a : new String[] {null, "respiratory", "cardiology"}) {
            alone.put(String.valueOf(a), engine.generate(req(a)).text());
        }
        assertEquals(3, alone.values().stream().distinct().count(), "each adapter gives its own output: " + alone);
        String[] order = {"respiratory", "cardiology", null, "respiratory", null, "cardiology", "cardiology", "respiratory"};
        for (String a : order) {
            Generation g = engine.generate(req(a));
            assertEquals(alone.get(String.valueOf(a)), g.text(), "consecutive request with adapter " + a);
            assertEquals(a, g.adapter());
        }
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            List<Future<Generation>> futures = new ArrayList<>();
            List<String> asked = new ArrayList<>();
            for (int i = 0; i < 12; i++) {
                String a = order[i % order.length];
                asked.add(a);
                futures.add(pool.submit(() -> engine.generate(req(a))));
            }
            for (int i = 0; i < futures.size(); i++) {
                assertEquals(alone.get(String.valueOf(asked.get(i))), futures.get(i).get().text(), "concurrent request " + i);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void provenanceNamesTheAdapterAndItsChecksum() {
        Generation g = engine.generate(req("cardiology"));
        assertEquals("cardiology", g.adapter());
        AdapterInfo info = engine.adapterInfo().stream().filter(a -> a.name().equals("cardiology")).findFirst().orElseThrow();
        assertEquals(info.sha256(), g.adapterSha256());
        assertEquals(64, g.modelSha256().length());
        assertEquals(TinyModels.FP32, g.model());
        assertTrue(g.device().startsWith("cpu (onnxruntime 1.29"), g.device());
        assertEquals("cardiology", info.specialty());
        assertEquals(8, info.rank());
        assertEquals(List.of("q_proj", "v_proj", "down_proj"), info.targetModules());
        assertEquals(List.of("respiratory", "cardiology"), engine.adapters());
    }

    @Test
    void unknownAdapterIsAClearError() {
        LlmException e = assertThrows(LlmException.class, () -> engine.generate(req("dermatology")));
        assertEquals(LlmError.LLM_UNKNOWN_ADAPTER, e.error());
        assertTrue(e.getMessage().contains("respiratory"), e.getMessage());
    }

    @Test
    void misfitUnpinnedAndForeignAdaptersAreRefusedAndNeverUsed(@TempDir Path dir) throws IOException {
        LlmModel installed = TinyModels.model(TinyModels.FP32);
        for (String f : new String[] {"model.onnx", "tokenizer.json", "adapters/respiratory.onnx_adapter", "adapters/cardiology.onnx_adapter"}) {
            Files.createDirectories(dir.resolve(f).getParent());
            Files.copy(installed.dir().resolve(f), dir.resolve(f));
        }
        Files.copy(TinyModels.builderOutputs().resolve("testdata/misfit.onnx_adapter"), dir.resolve("adapters/misfit.onnx_adapter"));
        // an adapter file no sha256 pins: the engine takes only files whose bytes the model registry verified
        Files.copy(dir.resolve("adapters/cardiology.onnx_adapter"), dir.resolve("adapters/unpinned.onnx_adapter"));

        Map<String, Object> spec = new LinkedHashMap<>(TinyModels.readYaml(installed.dir().resolve("model.yaml")));
        @SuppressWarnings("unchecked")
        List<Object> files = new ArrayList<>((List<Object>) spec.get("files"));
        files.add(Map.of("path", "adapters/misfit.onnx_adapter", "sha256", sha(dir.resolve("adapters/misfit.onnx_adapter"))));
        spec.put("files", files);
        @SuppressWarnings("unchecked")
        List<Object> adapters = new ArrayList<>((List<Object>) spec.get("adapters"));
        adapters.add(Map.of("name", "wide", "file", "adapters/misfit.onnx_adapter", "baseModel", "mededge-tiny-decoder-1"));
        adapters.add(Map.of("name", "unpinned", "file", "adapters/unpinned.onnx_adapter", "baseModel", "mededge-tiny-decoder-1"));
        adapters.add(Map.of("name", "foreign", "file", "adapters/respiratory.onnx_adapter", "baseModel", "qwen2.5-0.5b"));
        adapters.add(Map.of("name", "escape", "file", "../../etc/passwd", "baseModel", "mededge-tiny-decoder-1"));
        spec.put("adapters", adapters);
        try (Writer w = Files.newBufferedWriter(dir.resolve("model.yaml"))) {
            new Yaml().dump(spec, w);
        }
        try (OrtTextGenerator g = OrtTextGenerator.load(LlmModel.from("tiny-copy", "1", dir, TinyModels.readYaml(dir.resolve("model.yaml"))),
                LlmConfig.DEFAULTS)) {
            Map<String, AdapterInfo> byName = new HashMap<>();
            g.adapterInfo().forEach(a -> byName.put(a.name(), a));
            assertEquals(AdapterInfo.State.LOADED, byName.get("respiratory").state());
            assertEquals(AdapterInfo.State.LOADED, byName.get("cardiology").state());
            assertRefused(byName.get("wide"), "does not take this adapter");
            assertRefused(byName.get("unpinned"), "has no pinned sha256");
            assertRefused(byName.get("foreign"), "declared for base 'qwen2.5-0.5b'");
            assertRefused(byName.get("escape"), "leaves the model directory");
            assertEquals(List.of("respiratory", "cardiology"), g.adapters());
            LlmException e = assertThrows(LlmException.class, () -> g.generate(req("wide")));
            assertEquals(LlmError.LLM_ADAPTER_MISMATCH, e.error());
            // the good adapters still work and still equal the installed engine's output
            assertEquals(engine.generate(req("respiratory")).text(), g.generate(req("respiratory")).text());
            assertNotEquals(g.generate(req(null)).text(), g.generate(req("respiratory")).text());
        }
    }

    private static void assertRefused(AdapterInfo a, String reason) {
        assertEquals(AdapterInfo.State.REFUSED, a.state(), a.toString());
        assertTrue(a.detail().contains(reason), a.detail());
    }

    private static String sha(Path p) throws IOException {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
