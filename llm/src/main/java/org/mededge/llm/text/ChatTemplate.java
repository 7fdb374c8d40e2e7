package org.mededge.llm.text;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.mededge.llm.LlmError;
import org.mededge.llm.LlmException;

/**
 * The chat template a model declares in model.yaml ({@code chatTemplate}), turning system and user
 * text into prompt token ids. ChatML (Qwen2.5):
 * {@code <|im_start|>system\n{system}<|im_end|>\n<|im_start|>user\n{user}<|im_end|>\n<|im_start|>assistant\n}.
 * Text and control tokens are encoded separately, so text can never inject a control token: text
 * that spells one out is refused.
 */
public final class ChatTemplate {
    private final int imStart;
    private final int imEnd;
    private final String defaultSystem;

    private ChatTemplate(int imStart, int imEnd, String defaultSystem) {
        this.imStart = imStart;
        this.imEnd = imEnd;
        this.defaultSystem = defaultSystem;
    }

    /** @param defaultSystem used when a request has no system text (null: the system turn is left out) */
    public static ChatTemplate of(String name, Vocabulary vocab, String defaultSystem) {
        if (!"chatml".equals(name == null ? "" : name.toLowerCase(Locale.ROOT))) {
            throw new LlmException(LlmError.LLM_MODEL_INVALID, "chat template '" + name
                    + "' is not supported (model.yaml chatTemplate: chatml)");
        }
        int start = vocab.specialId("<|im_start|>").orElseThrow(() -> missing("<|im_start|>"));
        int end = vocab.specialId("<|im_end|>").orElseThrow(() -> missing("<|im_end|>"));
        return new ChatTemplate(start, end, defaultSystem);
    }

    private static LlmException missing(String token) {
        return new LlmException(LlmError.LLM_MODEL_INVALID, "chat template chatml needs the special token " + token
                + ", which tokenizer.json does not define");
    }

    public int[] prompt(String system, String user, HfTokenizer tokenizer, Vocabulary vocab) {
        List<int[]> parts = new ArrayList<>();
        String sys = system != null ? system : defaultSystem;
        if (sys != null) {
            parts.add(new int[] {imStart});
            parts.add(text("system\n" + sys, "system", tokenizer, vocab));
            parts.add(new int[] {imEnd});
            parts.add(text("\n", "template", tokenizer, vocab));
        }
        parts.add(new int[] {imStart});
        parts.add(text("user\n" + user, "user", tokenizer, vocab));
        parts.add(new int[] {imEnd});
        parts.add(text("\n", "template", tokenizer, vocab));
        parts.add(new int[] {imStart});
        parts.add(text("assistant\n", "template", tokenizer, vocab));
        int n = parts.stream().mapToInt(p -> p.length).sum();
        int[] out = new int[n];
        int at = 0;
        for (int[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }

    private static int[] text(String s, String what, HfTokenizer tokenizer, Vocabulary vocab) {
        int[] ids = tokenizer.encode(s);
        for (int id : ids) {
            if (vocab.isSpecial(id)) {
                throw new LlmException(LlmError.LLM_INVALID_REQUEST, "the " + what
                        + " text contains the model's control token " + controlName(vocab, id)
                        + "; remove it (control tokens cannot appear in clinical text)");
            }
        }
        return ids;
    }

    private static String controlName(Vocabulary vocab, int id) {
        return vocab.specialTokens().entrySet().stream().filter(e -> e.getValue() == id).map(java.util.Map.Entry::getKey)
                .findFirst().orElse("#" + id);
    }
}
