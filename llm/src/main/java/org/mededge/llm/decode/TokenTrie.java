package org.mededge.llm.decode;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The tokens' byte strings in a trie, so that a grammar state can be walked once per shared prefix
 * instead of once per token (Qwen2.5 has 151k tokens). Built once per tokenizer; immutable.
 */
public final class TokenTrie {
    private final byte[][] keys;    // per node: child bytes, ascending
    private final int[][] children; // per node: child node ids, parallel to keys
    private final int[][] tokens;   // per node: token ids whose bytes end here

    private TokenTrie(byte[][] keys, int[][] children, int[][] tokens) {
        this.keys = keys;
        this.children = children;
        this.tokens = tokens;
    }

    /** @param bytes per token id its bytes; null entries (special or undefined tokens) are left out */
    public static TokenTrie build(byte[][] bytes) {
        List<Map<Integer, Integer>> edges = new ArrayList<>();
        List<List<Integer>> ends = new ArrayList<>();
        edges.add(new HashMap<>());
        ends.add(new ArrayList<>());
        for (int id = 0; id < bytes.length; id++) {
            byte[] b = bytes[id];
            if (b == null || b.length == 0) {
                continue;
            }
            int node = 0;
            for (byte x : b) {
                Integer next = edges.get(node).get(x & 0xFF);
                if (next == null) {
                    next = edges.size();
                    edges.get(node).put(x & 0xFF, next);
                    edges.add(new HashMap<>());
                    ends.add(new ArrayList<>());
                }
                node = next;
            }
            ends.get(node).add(id);
        }
        int n = edges.size();
        byte[][] keys = new byte[n][];
        int[][] children = new int[n][];
        int[][] tokens = new int[n][];
        for (int i = 0; i < n; i++) {
            int[] k = edges.get(i).keySet().stream().mapToInt(Integer::intValue).sorted().toArray();
            keys[i] = new byte[k.length];
            children[i] = new int[k.length];
            for (int j = 0; j < k.length; j++) {
                keys[i][j] = (byte) k[j];
                children[i][j] = edges.get(i).get(k[j]);
            }
            tokens[i] = ends.get(i).stream().mapToInt(Integer::intValue).toArray();
        }
        return new TokenTrie(keys, children, tokens);
    }

    public int nodes() {
        return keys.length;
    }

    /** Receives each (token id, grammar state after it) that the grammar accepts. */
    @FunctionalInterface
    public interface Visitor {
        void accept(int token, JsonGrammar.State after);
    }

    /** Walks every token the grammar accepts from {@code start}, sharing work across common prefixes. */
    public void walk(JsonGrammar.State start, Visitor visitor) {
        walk(0, start, visitor);
    }

    private void walk(int node, JsonGrammar.State state, Visitor visitor) {
        byte[] k = keys[node];
        for (int j = 0; j < k.length; j++) {
            JsonGrammar.State next = state.advance(k[j] & 0xFF);
            if (next == null) {
                continue;
            }
            int child = children[node][j];
            for (int t : tokens[child]) {
                visitor.accept(t, next);
            }
            if (!next.done() && keys[child].length > 0) {
                walk(child, next, visitor);
            }
        }
    }

    @Override
    public String toString() {
        return "TokenTrie[" + keys.length + " nodes, " + Arrays.stream(tokens).mapToInt(t -> t.length).sum() + " tokens]";
    }
}
