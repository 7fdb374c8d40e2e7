package org.mededge.llm.ort;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.logging.Logger;

import org.mededge.llm.AdapterInfo;
import org.mededge.llm.Generation;
import org.mededge.llm.GenerationRequest;
import org.mededge.llm.LlmConfig;
import org.mededge.llm.LlmError;
import org.mededge.llm.LlmException;
import org.mededge.llm.LlmModel;
import org.mededge.llm.TextGenerator;
import org.mededge.llm.decode.Generator;
import org.mededge.llm.text.ChatTemplate;
import org.mededge.llm.text.HfTokenizer;
import org.mededge.llm.text.Vocabulary;

/**
 * The language engine on ONNX Runtime: a decoder in the Optimum layout, its tokenizer.json, the
 * chat template and the LoRA adapters its model.yaml declares (each checked against its sha256,
 * its declared base and the model's LoRA inputs, then loaded once; a refused adapter is listed
 * with the reason and never used). Thread-safe: each request gets its own sequence and run options.
 */
public final class OrtTextGenerator implements TextGenerator {
    private static final Logger LOG = Logger.getLogger(OrtTextGenerator.class.getName());

    private final LlmModel model;
    private final LlmConfig config;
    private final OrtDecoder decoder;
    private final HfTokenizer tokenizer;
    private final Vocabulary vocab;
    private final ChatTemplate template;
    private final Generator generator;
    private final List<AdapterInfo> adapterInfo;
    private final String modelSha256;
    private final String device;
    private volatile boolean closed;

    private OrtTextGenerator(LlmModel model, LlmConfig config, OrtDecoder decoder, HfTokenizer tokenizer, Vocabulary vocab,
                             ChatTemplate template, Generator generator, List<AdapterInfo> adapterInfo, String modelSha256) {
        this.model = model;
        this.config = config;
        this.decoder = decoder;
        this.tokenizer = tokenizer;
        this.vocab = vocab;
        this.template = template;
        this.generator = generator;
        this.adapterInfo = List.copyOf(adapterInfo);
        this.modelSha256 = modelSha256;
        this.device = "cpu (onnxruntime " + decoder.runtimeVersion() + ")";
    }

    /** Loads the model, tokenizer and adapters; throws LlmException with a reason a user can act on. */
    public static OrtTextGenerator load(LlmModel model, LlmConfig config) {
        Map<String, Object> spec = model.spec();
        Path dir = model.dir();
        Path modelFile = inside(dir, str(spec, "modelFile", "model.onnx"), "modelFile");
        Path tokenizerFile = inside(dir, str(spec, "tokenizer", "tokenizer.json"), "tokenizer");
        if (!(spec.get("contextLength") instanceof Number ctx) || ctx.intValue() < 16) {
            throw new LlmException(LlmError.LLM_MODEL_INVALID, "model.yaml of " + model.name()
                    + " must declare contextLength (the longest prompt plus output the model takes)");
        }
        Vocabulary vocab = Vocabulary.read(tokenizerFile);
        ChatTemplate template = ChatTemplate.of(str(spec, "chatTemplate", null), vocab, str(spec, "defaultSystem", null));
        List<Integer> ends = new ArrayList<>();
        for (String t : strings(spec.get("eosTokens"), List.of("<|im_end|>", "<|endoftext|>"))) {
            OptionalInt id = vocab.specialId(t);
            id.ifPresent(ends::add);
        }
        if (ends.isEmpty()) {
            throw new LlmException(LlmError.LLM_MODEL_INVALID, "none of the end-of-sequence tokens in model.yaml eosTokens"
                    + " is a special token of tokenizer.json");
        }
        HfTokenizer tokenizer = HfTokenizer.open(tokenizerFile);
        OrtDecoder decoder = null;
        Generator generator = null;
        try {
            decoder = OrtDecoder.open(modelFile, config, ((Number) spec.get("contextLength")).intValue());
            if (decoder.vocabSize() < vocab.size()) {
                throw new LlmException(LlmError.LLM_MODEL_INVALID, "the model's logits have " + decoder.vocabSize()
                        + " entries but tokenizer.json defines " + vocab.size() + " tokens: they do not belong together");
            }
            List<AdapterInfo> adapters = loadAdapters(model, decoder);
            byte[][] tokenBytes = new byte[vocab.size()][];
            for (int i = 0; i < tokenBytes.length; i++) {
                tokenBytes[i] = vocab.bytes(i);
            }
            generator = new Generator(decoder, tokenBytes, ends.stream().mapToInt(Integer::intValue).toArray());
            return new OrtTextGenerator(model, config, decoder, tokenizer, vocab, template, generator, adapters,
                    declaredSha256(spec, dir.relativize(modelFile).toString()));
        } catch (RuntimeException e) {
            tokenizer.close();
            if (decoder != null) {
                decoder.close();
            }
            if (generator != null) {
                generator.close();
            }
            throw e;
        }
    }

    private static List<AdapterInfo> loadAdapters(LlmModel model, OrtDecoder decoder) {
        List<AdapterInfo> out = new ArrayList<>();
        Object declared = model.spec().get("adapters");
        if (declared == null) {
            return out;
        }
        if (!(declared instanceof List<?> list)) {
            throw new LlmException(LlmError.LLM_MODEL_INVALID, "model.yaml adapters must be a list");
        }
        String base = str(model.spec(), "loraBase", null);
        for (Object o : list) {
            if (!(o instanceof Map<?, ?> m) || m.get("name") == null || m.get("file") == null) {
                throw new LlmException(LlmError.LLM_MODEL_INVALID, "each model.yaml adapter needs a name and a file");
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> a = (Map<String, Object>) m;
            String name = String.valueOf(a.get("name"));
            String file = String.valueOf(a.get("file"));
            String sha = declaredSha256(model.spec(), file);
            String why = null;
            Path path = null;
            try {
                path = inside(model.dir(), file, "adapter file");
            } catch (LlmException e) {
                why = e.getMessage();
            }
            String adapterBase = str(a, "baseModel", null);
            if (why == null && (adapterBase == null || !adapterBase.equals(base))) {
                why = "declared for base '" + adapterBase + "' but this model is '" + base + "' (model.yaml loraBase)";
            }
            if (why == null && !Files.isRegularFile(path)) {
                why = "file " + file + " is missing";
            }
            if (why == null && sha == null) {
                why = "file " + file + " has no pinned sha256 in model.yaml files";
            }
            if (why == null && !sha.equals(sha256(path))) {
                why = "file " + file + " does not match its sha256 " + sha;
            }
            if (why == null && out.stream().anyMatch(x -> x.name().equals(name))) {
                why = "another adapter is already named '" + name + "'";
            }
            if (why == null) {
                why = decoder.loadAdapter(name, path);
            }
            why = why == null ? null : why.replaceAll("\\s+", " ").trim();
            AdapterInfo.State state = why == null ? AdapterInfo.State.LOADED : AdapterInfo.State.REFUSED;
            if (why != null) {
                String reason = why;
                LOG.warning(() -> "adapter " + name + " of " + model.name() + " refused: " + reason);
            }
            out.add(new AdapterInfo(name, str(a, "specialty", null), str(a, "version", null), file, sha, adapterBase,
                    a.get("rank") instanceof Number r ? r.intValue() : 0,
                    a.get("alpha") instanceof Number al ? al.doubleValue() : 0,
                    strings(a.get("targetModules"), List.of()), str(a, "source", null), str(a, "licence", null),
                    str(a, "description", null), state, why == null ? "loaded" : why));
        }
        return out;
    }

    @Override
    public Generation generate(GenerationRequest request) {
        Objects.requireNonNull(request, "request");
        if (closed) {
            throw new LlmException(LlmError.LLM_FAILED, "the language engine is shut down");
        }
        String adapter = null;
        String adapterSha = null;
        if (request.adapter() != null) {
            String name = request.adapter().name();
            AdapterInfo a = adapterInfo.stream().filter(x -> x.name().equals(name)).findFirst().orElseThrow(() ->
                    new LlmException(LlmError.LLM_UNKNOWN_ADAPTER, "adapter '" + name + "' is not installed with "
                            + model.name() + " " + model.version() + "; installed: " + adapters()));
            if (!a.loaded()) {
                throw new LlmException(LlmError.LLM_ADAPTER_MISMATCH, "adapter '" + name + "' was refused at start-up: " + a.detail());
            }
            adapter = name;
            adapterSha = a.sha256();
        }
        int max = request.maxNewTokens();
        if (max > config.maxNewTokens()) {
            throw new LlmException(LlmError.LLM_INVALID_REQUEST, "max_new_tokens " + max + " exceeds this appliance's limit of "
                    + config.maxNewTokens());
        }
        generator.check(request, max);
        int[] prompt = template.prompt(request.system(), request.user(), tokenizer, vocab);
        if (prompt.length + max > decoder.contextLength()) {
            throw new LlmException(LlmError.LLM_INVALID_REQUEST, "the prompt is " + prompt.length + " tokens and max_new_tokens "
                    + max + "; the model takes at most " + decoder.contextLength() + " in all: shorten the input or ask for fewer tokens");
        }
        Generator.Result r = generator.run(prompt, adapter, request, max);
        return new Generation(r.text(), r.finishReason(), prompt.length, r.generatedTokens(), r.firstTokenNanos() / 1_000_000,
                r.totalNanos() / 1_000_000, model.name(), model.version(), adapter, modelSha256, adapterSha, device);
    }

    /** Token ids of a chat prompt, as the engine would feed them (for tests and tools). */
    public int[] promptIds(String system, String user) {
        return template.prompt(system, user, tokenizer, vocab);
    }

    public OrtDecoder decoder() {
        return decoder;
    }

    public Vocabulary vocabulary() {
        return vocab;
    }

    public HfTokenizer tokenizer() {
        return tokenizer;
    }

    public LlmModel model() {
        return model;
    }

    @Override
    public List<String> adapters() {
        return adapterInfo.stream().filter(AdapterInfo::loaded).map(AdapterInfo::name).toList();
    }

    @Override
    public List<AdapterInfo> adapterInfo() {
        return adapterInfo;
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        generator.close();
        decoder.close();
        tokenizer.close();
    }

    // ---- model.yaml helpers ----

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

    /** The sha256 model.yaml's files list pins for {@code path}, or null. */
    static String declaredSha256(Map<String, Object> spec, String path) {
        if (spec.get("files") instanceof List<?> files) {
            for (Object o : files) {
                if (o instanceof Map<?, ?> f && path.equals(String.valueOf(f.get("path")))) {
                    Object sha = f.get("sha256");
                    String s = sha == null ? null : String.valueOf(sha).toLowerCase(java.util.Locale.ROOT);
                    return s != null && s.matches("[0-9a-f]{64}") ? s : null;
                }
            }
        }
        return null;
    }

    static String sha256(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (IOException e) {
            return "unreadable";
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
