package org.mededge.llm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.mededge.llm.decode.Decoder;
import org.mededge.llm.ort.DecoderLayout;
import org.mededge.llm.ort.OrtDecoder;
import org.mededge.llm.ort.OrtTextGenerator;

/**
 * The decoder graph through ONNX Runtime against the builder's independent numpy reference
 * (firmware-scripts/llm/reference.py, golden.json), and cached decoding against recomputation.
 */
class DecoderTest {
    private static JsonNode golden;

    @BeforeAll
    static void readGolden() throws IOException {
        golden = new ObjectMapper().readTree(TinyModels.builderOutputs().resolve("golden.json").toFile());
    }

    private static int[] goldenIds() {
        int[] ids = new int[golden.get("ids").size()];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = golden.get("ids").get(i).asInt();
        }
        return ids;
    }

    private static double maxDiff(float[] got, JsonNode want) {
        assertEquals(want.size(), got.length);
        double d = 0;
        for (int i = 0; i < got.length; i++) {
            d = Math.max(d, Math.abs(got[i] - want.get(i).asDouble()));
        }
        return d;
    }

    /** Logits at every position, one token at a time through the attention cache. */
    private static float[][] stepwise(Decoder decoder, String adapter, int[] ids) {
        float[][] out = new float[ids.length][];
        try (Decoder.Sequence s = decoder.open(adapter)) {
            for (int i = 0; i < ids.length; i++) {
                out[i] = s.append(new int[] {ids[i]});
            }
        }
        return out;
    }

    private static float[] oneShot(Decoder decoder, String adapter, int[] ids) {
        try (Decoder.Sequence s = decoder.open(adapter)) {
            return s.append(ids);
        }
    }

    @Test
    void layoutIsDiscoveredFromTheGraph() {
        try (OrtTextGenerator g = TinyModels.load(TinyModels.FP32)) {
            DecoderLayout l = g.decoder().layout();
            assertEquals(2, l.layers());
            assertEquals(2, l.kvHeads());
            assertEquals(16, l.headDim());
            assertEquals(512, l.vocab());
            assertTrue(l.positionIds());
        }
    }

    @Test
    void fp32AndInt4MatchTheNumpyReferenceAtEveryPositionThroughTheCache() {
        int[] ids = goldenIds();
        for (Map.Entry<String, Double> c : Map.of(TinyModels.FP32, 1e-4, TinyModels.INT4, 1e-4).entrySet()) {
            String q = c.getKey().equals(TinyModels.FP32) ? "fp32" : "int4";
            try (OrtTextGenerator g = TinyModels.load(c.getKey())) {
                float[][] steps = stepwise(g.decoder(), null, ids);
                for (int i = 0; i < ids.length; i++) {
                    double d = maxDiff(steps[i], golden.get("logits").get(q).get(i));
                    assertTrue(d < c.getValue(), q + " position " + i + ": max |ORT - reference| = " + d);
                }
            }
        }
    }

    @Test
    void int8MatchesTheReferenceWithinQuantizationNoise() {
        int[] ids = goldenIds();
        try (OrtTextGenerator g = TinyModels.load(TinyModels.INT8)) {
            // one run over the whole sequence: activations are quantized per tensor, as in the reference
            float[] last = oneShot(g.decoder(), null, ids);
            JsonNode want = golden.get("logits").get("int8").get(ids.length - 1);
            double d = maxDiff(last, want);
            System.out.println("int8 max |ORT - reference| = " + d);
            // The weights use 7 bits (decoder_onnx.py INT8_WEIGHT_MAX), so every x86-64 kernel (AVX2
            // vpmaddubsw, AVX-512, VNNI) computes the same exact integer sums and what is left between ORT
            // and the numpy reference is fp32 rounding: 7.2e-7 measured on Intel AVX-512 VNNI and on an
            // emulated AMD EPYC (AVX2, no VNNI: qemu-x86_64 -cpu EPYC). 1e-3 leaves room for other fp32
            // kernels; 8-bit weights saturate on the AVX2 kernel and were off by 1.247 there.
            assertTrue(d < 1e-3, "int8 max |ORT - reference| = " + d);
            JsonNode fp32 = golden.get("logits").get("fp32").get(ids.length - 1);
            assertTrue(maxDiff(last, fp32) > 10 * d, "the int8 model really is quantized (differs from fp32 more than from its reference)");
        }
    }

    @Test
    void cachedDecodingEqualsRecomputingTheWholeSequence() {
        int[] ids = {1, 300, 45, 7, 260, 99, 511, 2, 17, 400, 33, 5};
        for (String name : new String[] {TinyModels.FP32, TinyModels.INT4}) {
            try (OrtTextGenerator g = TinyModels.load(name)) {
                for (String adapter : new String[] {null, "respiratory"}) {
                    float[][] steps = stepwise(g.decoder(), adapter, ids);
                    for (int n = 1; n <= ids.length; n++) {
                        float[] full = oneShot(g.decoder(), adapter, java.util.Arrays.copyOf(ids, n));
                        double d = 0;
                        for (int v = 0; v < full.length; v++) {
                            d = Math.max(d, Math.abs(full[v] - steps[n - 1][v]));
                        }
                        assertTrue(d < 1e-4, name + " adapter " + adapter + " length " + n + ": cached vs recomputed " + d);
                    }
                }
            }
        }
    }

    @Test
    void chunkedPromptReadingEqualsOneRun() {
        int[] ids = {1, 300, 45, 7, 260, 99, 511, 2, 17, 400, 33};
        LlmModel m = TinyModels.model(TinyModels.FP32);
        try (OrtTextGenerator whole = OrtTextGenerator.load(m, LlmConfig.DEFAULTS);
             OrtTextGenerator chunked = OrtTextGenerator.load(m, new LlmConfig(0, 2048, 3))) {
            float[] a = oneShot(whole.decoder(), null, ids);
            float[] b = oneShot(chunked.decoder(), null, ids);
            for (int v = 0; v < a.length; v++) {
                assertEquals(a[v], b[v], 1e-4);
            }
        }
    }

    @Test
    void aSequenceRefusesToGrowPastTheContextAndClosesTwice() {
        try (OrtTextGenerator g = TinyModels.load(TinyModels.FP32)) {
            OrtDecoder d = g.decoder();
            Decoder.Sequence s = d.open(null);
            LlmException e = assertThrows(LlmException.class, () -> s.append(new int[d.contextLength() + 1]));
            assertEquals(LlmError.LLM_INVALID_REQUEST, e.error());
            s.close();
            s.close();
            assertThrows(Decoder.Aborted.class, () -> s.append(new int[] {1}));
        }
    }
}
