package org.mededge.llm.ort;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * What the decoder graph looks like, discovered from its inputs and outputs (the Optimum /
 * onnx-community layout; firmware-scripts/llm/README.md): number of layers, attention-cache shape,
 * vocabulary size. LoRA inputs are initializers that may be overridden, which ONNX Runtime does
 * not list among the inputs: an adapter is checked by its file's structure and a trial run.
 */
public record DecoderLayout(int layers, int kvHeads, int headDim, int vocab, boolean positionIds) {
    static final String LORA_A = ".lora_A.weight";
    static final String LORA_B = ".lora_B.weight";

    /** Input shapes by name (-1 = dynamic) and float-ness; output logits shape. Returns the layout or throws with the reason. */
    static DecoderLayout discover(Map<String, long[]> inputs, Map<String, Boolean> inputIsFloat32, long[] logitsShape,
                                  Set<String> outputs) {
        List<String> problems = new ArrayList<>();
        for (String need : List.of("input_ids", "attention_mask")) {
            if (!inputs.containsKey(need)) {
                problems.add("input '" + need + "' is missing");
            }
        }
        int layers = 0;
        while (inputs.containsKey("past_key_values." + layers + ".key")) {
            layers++;
        }
        if (layers == 0) {
            problems.add("no attention-cache inputs past_key_values.0.key/value (export the decoder with its KV cache)");
        }
        long[] kv = layers > 0 ? inputs.get("past_key_values.0.key") : new long[0];
        int kvHeads = kv.length == 4 ? (int) kv[1] : -1;
        int headDim = kv.length == 4 ? (int) kv[3] : -1;
        if (layers > 0 && (kvHeads <= 0 || headDim <= 0)) {
            problems.add("past_key_values.0.key must be [batch, kv_heads, past, head_dim] with fixed kv_heads and head_dim");
        }
        for (int i = 0; i < layers; i++) {
            for (String kind : List.of("key", "value")) {
                String in = "past_key_values." + i + "." + kind;
                if (!inputs.containsKey(in) || !Boolean.TRUE.equals(inputIsFloat32.get(in))) {
                    problems.add(in + " must be a float32 input (float16 attention caches are not supported)");
                }
                if (!outputs.contains("present." + i + "." + kind)) {
                    problems.add("output present." + i + "." + kind + " is missing");
                }
            }
        }
        if (logitsShape == null) {
            problems.add("output 'logits' is missing");
        }
        int vocab = logitsShape != null && logitsShape.length == 3 ? (int) logitsShape[2] : -1;
        if (logitsShape != null && vocab <= 0) {
            problems.add("output 'logits' must be [batch, sequence, vocab] with a fixed vocab");
        }
        Set<String> other = new TreeSet<>();
        for (Map.Entry<String, long[]> e : inputs.entrySet()) {
            String n = e.getKey();
            if (!n.equals("input_ids") && !n.equals("attention_mask") && !n.equals("position_ids")
                    && !n.startsWith("past_key_values.")) {
                other.add(n);
            }
        }
        if (!other.isEmpty()) {
            problems.add("unexpected inputs " + other + " (a merged decoder with use_cache_branch is not supported; "
                    + "export the with-past decoder)");
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", problems));
        }
        return new DecoderLayout(layers, kvHeads, headDim, vocab, inputs.containsKey("position_ids"));
    }

    /** Why an adapter file cannot be a LoRA adapter for this layout's convention, or null (the model itself checks the shapes). */
    static String misfit(AdapterFile adapter) {
        if (adapter.formatVersion() != 1) {
            return "adapter format version " + adapter.formatVersion() + " is not supported (ONNX Runtime reads version 1)";
        }
        if (adapter.params().isEmpty()) {
            return "the adapter has no parameters";
        }
        Map<String, Long> rankA = new HashMap<>();
        Map<String, Long> rankB = new HashMap<>();
        for (AdapterFile.Param p : adapter.params()) {
            boolean isA = p.name().endsWith(LORA_A);
            if (!isA && !p.name().endsWith(LORA_B)) {
                return "parameter " + p.name() + " is not named <module>" + LORA_A + " or <module>" + LORA_B;
            }
            if (p.dataType() != AdapterFile.FLOAT) {
                return "parameter " + p.name() + " has element type " + p.dataType() + "; LoRA inputs are float32";
            }
            long[] d = p.dims();
            if (d.length != 2 || d[0] < 1 || d[1] < 1 || p.dataBytes() != 4 * d[0] * d[1]) {
                return "parameter " + p.name() + " has shape " + java.util.Arrays.toString(d) + " and " + p.dataBytes()
                        + " bytes of data, not a float32 matrix";
            }
            String module = p.name().substring(0, p.name().length() - LORA_A.length());
            (isA ? rankA : rankB).put(module, d[isA ? 1 : 0]);
        }
        if (!rankA.keySet().equals(rankB.keySet())) {
            return "LoRA A and B parameters do not pair up (modules with only one of them)";
        }
        for (Map.Entry<String, Long> e : rankA.entrySet()) {
            if (!e.getValue().equals(rankB.get(e.getKey()))) {
                return "module " + e.getKey() + " has LoRA rank " + e.getValue() + " in A but " + rankB.get(e.getKey()) + " in B";
            }
        }
        return null;
    }
}
