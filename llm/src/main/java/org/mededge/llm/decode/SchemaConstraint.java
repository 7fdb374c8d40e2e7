package org.mededge.llm.decode;

import org.mededge.llm.LlmError;
import org.mededge.llm.LlmException;

/**
 * Constrained decoding for one request: which tokens may come next so that the output stays a
 * prefix of JSON valid against the schema AND can still be completed within the token budget
 * (every byte has a single-byte token, so a state needing k more bytes needs at most k tokens).
 * The generation therefore always ends with a complete, valid value; it never runs out mid-value.
 */
public final class SchemaConstraint {
    private final TokenIndex tokens;
    private final int budget;
    private JsonGrammar.State state;
    private int used;

    /**
     * @param budget the most tokens the generation may produce
     * @throws LlmException LLM_INVALID_REQUEST when even the shortest valid value needs more tokens
     */
    public SchemaConstraint(JsonSchema schema, TokenIndex tokens, int budget) {
        this.tokens = tokens;
        this.budget = budget;
        this.state = JsonGrammar.start(schema);
        int need = state.minRemaining();
        if (need > budget) {
            throw new LlmException(LlmError.LLM_INVALID_REQUEST, "max_new_tokens " + budget + " is too small for the JSON"
                    + " schema: its shortest valid value needs up to " + need + " tokens");
        }
    }

    /** True once a complete value has been generated. */
    public boolean complete() {
        return state.done();
    }

    /** Would {@code token} be allowed next? (Cheap: walks one token's bytes.) */
    public boolean allows(int token) {
        byte[][] all = tokens.bytes();
        byte[] b = token >= 0 && token < all.length ? all[token] : null;
        if (b == null || b.length == 0) {
            return false;
        }
        JsonGrammar.State next = state.advance(b);
        return next != null && used + 1 + next.minRemaining() <= budget;
    }

    /** Sets the logits of every token that may not come next to -infinity. */
    public void mask(float[] logits) {
        boolean[] ok = new boolean[logits.length];
        TokenTrie.Visitor accept = (token, after) -> {
            if (token < ok.length && used + 1 + after.minRemaining() <= budget) {
                ok[token] = true;
            }
        };
        int room = state.plainRoom();
        if (room >= 0) {
            // inside a free string: plain tokens by their character count, the others through the grammar
            int rest = state.minRemaining();
            int deficit = state.minDeficit();
            int[] ids = tokens.plainIds();
            int[] chars = tokens.plainChars();
            for (int i = 0; i < ids.length; i++) {
                int k = chars[i];
                if (k <= room && ids[i] < ok.length && used + 1 + rest - Math.min(k, deficit) <= budget) {
                    ok[ids[i]] = true;
                }
            }
            tokens.special().walk(state, accept);
        } else {
            tokens.all().walk(state, accept);
        }
        for (int i = 0; i < logits.length; i++) {
            if (!ok[i]) {
                logits[i] = Float.NEGATIVE_INFINITY;
            }
        }
    }

    /** Records the chosen token (which must be allowed). */
    public void advance(int token) {
        JsonGrammar.State next = state.advance(tokens.bytes()[token]);
        if (next == null) {
            throw new IllegalStateException("token " + token + " is not allowed by the schema here");
        }
        state = next;
        used++;
    }

    @Override
    public String toString() {
        return "SchemaConstraint[used " + used + "/" + budget + " tokens, " + state.minRemaining() + " bytes to go]";
    }
}
