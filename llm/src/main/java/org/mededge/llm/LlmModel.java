package org.mededge.llm;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * An installed language model as the engine receives it, read once from its model.yaml (see
 * firmware-scripts/llm/README.md) and validated here, so a wrong declaration fails at start-up with
 * the key named. The files' sha256 values are the ones the caller (the appliance's model registry)
 * has already checked against the files on disk; the engine does not hash them again.
 *
 * @param modelFile     the decoder, inside {@code dir}
 * @param tokenizer     tokenizer.json, inside {@code dir}
 * @param chatTemplate  the template's name (chatml, ...), or null for the default
 * @param contextLength the longest prompt plus output the model takes
 * @param loraBase      the base adapters must be declared for, or null when the model takes none
 * @param sha256        verified sha256 by file path relative to {@code dir}
 */
public record LlmModel(
        String name,
        String version,
        Path dir,
        Path modelFile,
        Path tokenizer,
        String chatTemplate,
        String defaultSystem,
        List<String> eosTokens,
        int contextLength,
        String loraBase,
        List<Adapter> adapters,
        Map<String, String> sha256) {

    /**
     * An adapter as model.yaml declares it; {@code problem} is why it cannot be used (a file outside
     * the model directory), checked again with its base and file when the engine loads it.
     */
    public record Adapter(String name, String file, Path path, String specialty, String version, String baseModel, int rank,
                          double alpha, List<String> targetModules, String source, String licence, String description,
                          String problem) {
    }

    public LlmModel {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(dir, "dir");
        eosTokens = List.copyOf(eosTokens);
        adapters = List.copyOf(adapters);
        sha256 = Map.copyOf(sha256);
    }

    /** The verified sha256 of a file of the model (path relative to {@code dir}), or null when none is pinned. */
    public String sha256Of(Path file) {
        return sha256.get(dir.normalize().relativize(file.normalize()).toString());
    }

    /**
     * Reads the parsed model.yaml.
     *
     * @throws LlmException LLM_MODEL_INVALID naming the key that is wrong
     */
    public static LlmModel from(String name, String version, Path dir, Map<String, Object> yaml) {
        Map<String, Object> spec = yaml == null ? Map.of() : yaml;
        Path modelFile = inside(dir, str(spec, "modelFile", "model.onnx"), "modelFile");
        Path tokenizer = inside(dir, str(spec, "tokenizer", "tokenizer.json"), "tokenizer");
        if (!(spec.get("contextLength") instanceof Number ctx) || ctx.intValue() < 16) {
            throw new LlmException(LlmError.LLM_MODEL_INVALID, "model.yaml of " + name
                    + " must declare contextLength (the longest prompt plus output the model takes)");
        }
        Map<String, String> sha = new java.util.LinkedHashMap<>();
        if (spec.get("files") instanceof List<?> files) {
            for (Object o : files) {
                if (o instanceof Map<?, ?> f && f.get("path") != null && f.get("sha256") != null) {
                    String s = String.valueOf(f.get("sha256")).toLowerCase(Locale.ROOT);
                    if (s.matches("[0-9a-f]{64}")) {
                        sha.put(String.valueOf(f.get("path")), s);
                    }
                }
            }
        }
        return new LlmModel(name, version, dir, modelFile, tokenizer, str(spec, "chatTemplate", null),
                str(spec, "defaultSystem", null), strings(spec.get("eosTokens"), List.of("<|im_end|>", "<|endoftext|>")),
                ctx.intValue(), str(spec, "loraBase", null), adapters(dir, spec.get("adapters")), sha);
    }

    private static List<Adapter> adapters(Path dir, Object declared) {
        List<Adapter> out = new ArrayList<>();
        if (declared == null) {
            return out;
        }
        if (!(declared instanceof List<?> list)) {
            throw new LlmException(LlmError.LLM_MODEL_INVALID, "model.yaml adapters must be a list");
        }
        for (Object o : list) {
            if (!(o instanceof Map<?, ?> m) || m.get("name") == null || m.get("file") == null) {
                throw new LlmException(LlmError.LLM_MODEL_INVALID, "each model.yaml adapter needs a name and a file");
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> a = (Map<String, Object>) m;
            String file = String.valueOf(a.get("file"));
            Path path = null;
            String problem = null;
            try {
                path = inside(dir, file, "adapter file");
            } catch (LlmException e) {
                problem = e.getMessage();
            }
            out.add(new Adapter(String.valueOf(a.get("name")), file, path, str(a, "specialty", null), str(a, "version", null),
                    str(a, "baseModel", null), a.get("rank") instanceof Number r ? r.intValue() : 0,
                    a.get("alpha") instanceof Number al ? al.doubleValue() : 0, strings(a.get("targetModules"), List.of()),
                    str(a, "source", null), str(a, "licence", null), str(a, "description", null), problem));
        }
        return out;
    }

    private static Path inside(Path dir, String relative, String what) {
        Path p = dir.resolve(relative).normalize();
        if (!p.startsWith(dir.normalize())) {
            throw new LlmException(LlmError.LLM_MODEL_INVALID, "model.yaml " + what + " '" + relative + "' leaves the model directory");
        }
        return p;
    }

    private static String str(Map<String, Object> spec, String key, String dflt) {
        Object v = spec.get(key);
        return v == null ? dflt : String.valueOf(v);
    }

    private static List<String> strings(Object v, List<String> dflt) {
        if (v instanceof List<?> l) {
            return l.stream().map(String::valueOf).toList();
        }
        return dflt;
    }
}
