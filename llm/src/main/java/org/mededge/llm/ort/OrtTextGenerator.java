package org.mededge.llm.ort;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
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
 * chat template and the LoRA adapters its model.yaml declares (each pinned by a verified sha256,
 * checked against its declared base and the model's LoRA inputs, then loaded once; a refused
 * adapter is listed with the reason and never used). Thread-safe: each request gets its own sequence and run options.
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
        Vocabulary vocab = Vocabulary.read(model.tokenizer());
        ChatTemplate template = ChatTemplate.of(model.chatTemplate(), vocab, model.defaultSystem());
        List<Integer> ends = new ArrayList<>();
        for (String t : model.eosTokens()) {
            OptionalInt id = vocab.specialId(t);
            id.ifPresent(ends::add);
        }
        if (ends.isEmpty()) {
            throw new LlmException(LlmError.LLM_MODEL_INVALID, "none of the end-of-sequence tokens in model.yaml eosTokens"
                    + " is a special token of tokenizer.json");
        }
        HfTokenizer tokenizer = HfTokenizer.open(model.tokenizer());
        OrtDecoder decoder = null;
        Generator generator = null;
        try {
            decoder = OrtDecoder.open(model.modelFile(), config, model.contextLength());
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
                    model.sha256Of(model.modelFile()));
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

    /**
     * Each declared adapter, loaded or refused with the reason: its file must be inside the model,
     * present and pinned by a verified sha256 (the registry checked the bytes), declared for this
     * model's base, unique by name, and fit the decoder's LoRA inputs.
     */
    private static List<AdapterInfo> loadAdapters(LlmModel model, OrtDecoder decoder) {
        List<AdapterInfo> out = new ArrayList<>();
        for (LlmModel.Adapter a : model.adapters()) {
            String why = a.problem();
            String sha = a.path() == null ? null : model.sha256Of(a.path());
            if (why == null && (a.baseModel() == null || !a.baseModel().equals(model.loraBase()))) {
                why = "declared for base '" + a.baseModel() + "' but this model is '" + model.loraBase() + "' (model.yaml loraBase)";
            }
            if (why == null && !Files.isRegularFile(a.path())) {
                why = "file " + a.file() + " is missing";
            }
            if (why == null && sha == null) {
                why = "file " + a.file() + " has no pinned sha256 in model.yaml files";
            }
            if (why == null && out.stream().anyMatch(x -> x.name().equals(a.name()))) {
                why = "another adapter is already named '" + a.name() + "'";
            }
            if (why == null) {
                why = decoder.loadAdapter(a.name(), a.path());
            }
            why = why == null ? null : why.replaceAll("\\s+", " ").trim();
            AdapterInfo.State state = why == null ? AdapterInfo.State.LOADED : AdapterInfo.State.REFUSED;
            if (why != null) {
                String reason = why;
                LOG.warning(() -> "adapter " + a.name() + " of " + model.name() + " refused: " + reason);
            }
            out.add(new AdapterInfo(a.name(), a.specialty(), a.version(), a.file(), sha, a.baseModel(), a.rank(), a.alpha(),
                    a.targetModules(), a.source(), a.licence(), a.description(), state, why == null ? "loaded" : why));
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
}
