package org.mededge.llm.text;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;

import org.mededge.llm.LlmError;
import org.mededge.llm.LlmException;

/**
 * The one gateway to DJL's Hugging Face tokenizers (Rust natives shipped in the jar). Always opened
 * from a local tokenizer.json: loading by name would call the Hugging Face Hub.
 */
public final class HfTokenizer implements AutoCloseable {
    private final HuggingFaceTokenizer tokenizer;
    private volatile boolean closed;

    private HfTokenizer(HuggingFaceTokenizer tokenizer) {
        this.tokenizer = tokenizer;
    }

    public static HfTokenizer open(Path tokenizerJson) {
        if (!Files.isRegularFile(tokenizerJson)) {
            throw new LlmException(LlmError.LLM_MODEL_INVALID, "tokenizer file " + tokenizerJson + " is missing");
        }
        try {
            // no truncation, no padding, no special tokens added: the chat template places them
            return new HfTokenizer(HuggingFaceTokenizer.newInstance(tokenizerJson,
                    Map.of("addSpecialTokens", "false", "truncation", "false", "padding", "false")));
        } catch (IOException | RuntimeException | UnsatisfiedLinkError e) {
            throw new LlmException(LlmError.LLM_MODEL_INVALID, "tokenizer " + tokenizerJson.getFileName()
                    + " could not be loaded: " + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()), e);
        }
    }

    /** Token ids of {@code text}; special-token strings inside it come back as their special ids. */
    public int[] encode(String text) {
        if (closed) {
            throw new IllegalStateException("tokenizer is closed");
        }
        if (text.isEmpty()) {
            return new int[0];
        }
        long[] ids = tokenizer.encode(text, false, false).getIds();
        int[] out = new int[ids.length];
        for (int i = 0; i < ids.length; i++) {
            out[i] = Math.toIntExact(ids[i]);
        }
        return out;
    }

    /** The library's own decoding, for cross-checks in tests. */
    public String decode(int[] ids) {
        long[] l = new long[ids.length];
        for (int i = 0; i < ids.length; i++) {
            l[i] = ids[i];
        }
        return tokenizer.decode(l, false);
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            tokenizer.close();
        }
    }
}
