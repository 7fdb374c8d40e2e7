package org.mededge.llm.text;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalInt;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.mededge.llm.LlmError;
import org.mededge.llm.LlmException;

/**
 * The bytes each token id stands for, read from a Hugging Face tokenizer.json with a byte-level BPE
 * model (Qwen2.5, GPT-2, Llama 3). Decoding, streaming and JSON-constrained decoding work on these
 * bytes, so a multi-byte character split across tokens is never emitted half.
 */
public final class Vocabulary {
    private final byte[][] bytes;
    private final boolean[] special;
    private final Map<String, Integer> specialIds;

    private Vocabulary(byte[][] bytes, boolean[] special, Map<String, Integer> specialIds) {
        this.bytes = bytes;
        this.special = special;
        this.specialIds = Map.copyOf(specialIds);
    }

    /** Reads tokenizer.json; refuses, with the reason, a tokenizer this engine cannot decode byte-exactly. */
    public static Vocabulary read(Path tokenizerJson) {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(tokenizerJson.toFile());
        } catch (IOException e) {
            throw new LlmException(LlmError.LLM_MODEL_INVALID, "tokenizer " + tokenizerJson.getFileName()
                    + " cannot be read as JSON: " + e.getClass().getSimpleName());
        }
        JsonNode model = root.path("model");
        if (!"BPE".equals(model.path("type").asText())) {
            throw new LlmException(LlmError.LLM_MODEL_INVALID, "tokenizer model type '" + model.path("type").asText()
                    + "' is not supported: this engine needs a byte-level BPE tokenizer.json (Qwen2.5, GPT-2, Llama 3)");
        }
        if (!byteLevel(root.path("decoder"))) {
            throw new LlmException(LlmError.LLM_MODEL_INVALID, "tokenizer decoder '" + root.path("decoder").path("type").asText()
                    + "' is not ByteLevel: this engine needs a byte-level BPE tokenizer.json (Qwen2.5, GPT-2, Llama 3)");
        }
        Map<Character, Integer> byteOf = unicodeToByte();
        int size = 0;
        for (Map.Entry<String, JsonNode> e : model.path("vocab").properties()) {
            size = Math.max(size, e.getValue().asInt() + 1);
        }
        for (JsonNode t : root.path("added_tokens")) {
            size = Math.max(size, t.path("id").asInt() + 1);
        }
        byte[][] bytes = new byte[size][];
        boolean[] special = new boolean[size];
        for (Map.Entry<String, JsonNode> e : model.path("vocab").properties()) {
            String s = e.getKey();
            byte[] b = new byte[s.length()];
            boolean ok = true;
            for (int i = 0; i < s.length(); i++) {
                Integer v = byteOf.get(s.charAt(i));
                if (v == null) {
                    ok = false;
                    break;
                }
                b[i] = (byte) (int) v;
            }
            bytes[e.getValue().asInt()] = ok ? b : null;
        }
        Map<String, Integer> specialIds = new HashMap<>();
        for (JsonNode t : root.path("added_tokens")) {
            int id = t.path("id").asInt();
            String content = t.path("content").asText();
            if (t.path("special").asBoolean(false)) {
                special[id] = true;
                bytes[id] = null;
                specialIds.put(content, id);
            } else {
                bytes[id] = content.getBytes(StandardCharsets.UTF_8);
            }
        }
        return new Vocabulary(bytes, special, specialIds);
    }

    private static boolean byteLevel(JsonNode decoder) {
        if ("ByteLevel".equals(decoder.path("type").asText())) {
            return true;
        }
        for (JsonNode d : decoder.path("decoders")) {
            if ("ByteLevel".equals(d.path("type").asText())) {
                return true;
            }
        }
        return false;
    }

    /** The inverse of GPT-2's byte-to-printable-character map that ByteLevel uses. */
    static Map<Character, Integer> unicodeToByte() {
        Map<Character, Integer> m = new HashMap<>();
        int n = 0;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            if (printable) {
                m.put((char) b, b);
            } else {
                m.put((char) (256 + n++), b);
            }
        }
        return m;
    }

    /** Number of token ids the tokenizer defines (the model's vocabulary may be larger). */
    public int size() {
        return bytes.length;
    }

    /** The bytes of a token, or null for a special token or an id the tokenizer does not define. */
    public byte[] bytes(int id) {
        return id >= 0 && id < bytes.length ? bytes[id] : null;
    }

    public boolean isSpecial(int id) {
        return id >= 0 && id < special.length && special[id];
    }

    public OptionalInt specialId(String content) {
        Integer id = specialIds.get(content);
        return id == null ? OptionalInt.empty() : OptionalInt.of(id);
    }

    public Map<String, Integer> specialTokens() {
        return specialIds;
    }
}
