package org.mededge.llm.decode;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;

import org.mededge.llm.decode.JsonSchema.Arr;
import org.mededge.llm.decode.JsonSchema.Lit;
import org.mededge.llm.decode.JsonSchema.Node;
import org.mededge.llm.decode.JsonSchema.Num;
import org.mededge.llm.decode.JsonSchema.Obj;
import org.mededge.llm.decode.JsonSchema.Str;

/**
 * A byte-level recognizer for compact JSON that satisfies a {@link JsonSchema}. A {@link State} is
 * immutable (a persistent stack of frames), so the token trie can be walked from one state into
 * many. Every state also knows the fewest bytes that complete the value ({@link State#minRemaining()}),
 * which lets the sampler keep a generation finishable within its token budget.
 */
public final class JsonGrammar {
    /** Numbers are limited to 15 integer and 6 fraction digits. */
    static final int MAX_INT_DIGITS = 15;
    static final int MAX_FRACTION_DIGITS = 6;
    private static final int MAX_NUMBER_CHARS = 1 + MAX_INT_DIGITS + 1 + MAX_FRACTION_DIGITS;

    private JsonGrammar() {
    }

    /** The state before the first byte of a value of the schema's root. */
    public static State start(JsonSchema schema) {
        return new State(new ValueFrame(schema.root()), State.DONE);
    }

    /** A position in the value being generated: the frame on top and the frames below it. */
    public static final class State {
        static final State DONE = new State(null, null);
        private final Frame top;
        private final State below;

        State(Frame top, State below) {
            this.top = top;
            this.below = below;
        }

        /** True when a complete value has been read. */
        public boolean done() {
            return top == null;
        }

        /** The state after byte {@code b} (0..255), or null when the byte cannot come next. */
        public State advance(int b) {
            return top == null ? null : top.advance(b, below);
        }

        /** The state after all of {@code bytes}, or null. */
        public State advance(byte[] bytes) {
            State s = this;
            for (int i = 0; i < bytes.length && s != null; i++) {
                s = s.advance(bytes[i] & 0xFF);
            }
            return s;
        }

        /** The fewest bytes that complete the value from here. */
        public int minRemaining() {
            int n = 0;
            for (State s = this; s.top != null; s = s.below) {
                n += s.top.remaining();
            }
            return n;
        }

        /**
         * Inside a string at a character boundary (no escape or UTF-8 sequence pending): how many
         * more characters fit (maxLength), else -1. Then any run of plain characters (no quote,
         * backslash or control character) of at most that many characters is accepted, and leaves
         * {@link #minRemaining()} lower by {@code min(k, minDeficit())}: the fast path of the mask.
         */
        public int plainRoom() {
            return top instanceof StrFrame f && f.utf8() == 0 && !f.escape() ? f.s().maxChars() - f.chars() : -1;
        }

        /** Characters still needed to reach minLength, when {@link #plainRoom()} applies. */
        public int minDeficit() {
            return top instanceof StrFrame f ? Math.max(0, f.s().minChars() - f.chars()) : 0;
        }
    }

    private interface Frame {
        State advance(int b, State below);

        int remaining();
    }

    private record ValueFrame(Node node) implements Frame {
        @Override
        public State advance(int b, State below) {
            return switch (node) {
                case Obj o -> b == '{' ? new State(new ObjFrame(o, 0, ObjFrame.OPEN, null, 0), below) : null;
                case Arr a -> b == '[' ? new State(new ArrFrame(a, 0, ArrFrame.OPEN), below) : null;
                case Str s -> b == '"' ? new State(new StrFrame(s, 0, false, 0, 0, 0), below) : null;
                case Lit l -> LitFrame.all(l).advance(b, below);
                case Num n -> new NumFrame(n, "").advance(b, below);
            };
        }

        @Override
        public int remaining() {
            return node.minLength();
        }
    }

    /** An object: phase OPEN (after '{'), AFTER (after a member), COMMA, KEY (inside a key), COLON. */
    private record ObjFrame(Obj o, int next, int phase, int[] candidates, int pos) implements Frame {
        static final int OPEN = 0;
        static final int AFTER = 1;
        static final int COMMA = 2;
        static final int KEY = 3;
        static final int COLON = 4;

        /** Properties that may come next: from {@code next} up to and including the first required one. */
        int[] allowed() {
            List<Integer> out = new ArrayList<>();
            for (int j = next; j < o.props().size(); j++) {
                out.add(j);
                if (o.props().get(j).required()) {
                    break;
                }
            }
            return out.stream().mapToInt(Integer::intValue).toArray();
        }

        boolean mayClose() {
            return o.requiredAfter()[next] == 0;
        }

        @Override
        public State advance(int b, State below) {
            switch (phase) {
                case OPEN, AFTER -> {
                    if (b == '}' && mayClose()) {
                        return below;
                    }
                    int[] keys = allowed();
                    if (keys.length == 0) {
                        return null;
                    }
                    if (phase == OPEN && b == '"') {
                        return new State(new ObjFrame(o, next, KEY, keys, 1), below);
                    }
                    if (phase == AFTER && b == ',') {
                        return new State(new ObjFrame(o, next, COMMA, null, 0), below);
                    }
                    return null;
                }
                case COMMA -> {
                    return b == '"' ? new State(new ObjFrame(o, next, KEY, allowed(), 1), below) : null;
                }
                case KEY -> {
                    int[] keep = new int[candidates.length];
                    int n = 0;
                    int complete = -1;
                    for (int j : candidates) {
                        byte[] key = o.props().get(j).key();
                        if (pos < key.length && (key[pos] & 0xFF) == b) {
                            keep[n++] = j;
                            if (pos + 1 == key.length) {
                                complete = j;
                            }
                        }
                    }
                    if (n == 0) {
                        return null;
                    }
                    if (complete >= 0) {
                        return new State(new ObjFrame(o, complete, COLON, null, 0), below);
                    }
                    return new State(new ObjFrame(o, next, KEY, java.util.Arrays.copyOf(keep, n), pos + 1), below);
                }
                default -> {
                    if (b != ':') {
                        return null;
                    }
                    State after = new State(new ObjFrame(o, next + 1, AFTER, null, 0), below);
                    return new State(new ValueFrame(o.props().get(next).value()), after);
                }
            }
        }

        private int memberCost(int j, int keyBytesLeft) {
            return keyBytesLeft + 1 + o.props().get(j).value().minLength() + o.requiredAfter()[j + 1] + 1;
        }

        @Override
        public int remaining() {
            return switch (phase) {
                case OPEN -> o.minLength() - 1;
                case AFTER -> o.closeCostFrom(next);
                case COMMA -> {
                    int best = Integer.MAX_VALUE;
                    for (int j : allowed()) {
                        best = Math.min(best, memberCost(j, o.props().get(j).key().length));
                    }
                    yield best;
                }
                case KEY -> {
                    int best = Integer.MAX_VALUE;
                    for (int j : candidates) {
                        best = Math.min(best, memberCost(j, o.props().get(j).key().length - pos));
                    }
                    yield best;
                }
                default -> 1 + o.props().get(next).value().minLength() + o.closeCostFrom(next + 1);
            };
        }
    }

    /** An array: phase OPEN (after '['), AFTER (after an item), ITEM (after ','). */
    private record ArrFrame(Arr a, int count, int phase) implements Frame {
        static final int OPEN = 0;
        static final int AFTER = 1;
        static final int ITEM = 2;

        @Override
        public State advance(int b, State below) {
            if (phase == OPEN && b == ']' && a.minItems() == 0) {
                return below;
            }
            if (phase == AFTER) {
                if (b == ']' && count >= a.minItems()) {
                    return below;
                }
                return b == ',' && count < a.maxItems() ? new State(new ArrFrame(a, count, ITEM), below) : null;
            }
            if (count >= a.maxItems()) {
                return null;
            }
            State after = new State(new ArrFrame(a, count + 1, AFTER), below);
            return new ValueFrame(a.items()).advance(b, after);
        }

        @Override
        public int remaining() {
            int item = a.items().minLength();
            return switch (phase) {
                case OPEN -> a.minLength() - 1;
                case AFTER -> Math.max(0, a.minItems() - count) * (1 + item) + 1;
                default -> item + Math.max(0, a.minItems() - count - 1) * (1 + item) + 1;
            };
        }
    }

    /**
     * Inside a string: characters so far, after a backslash, UTF-8 continuation bytes still due and
     * the range the next one must be in (well-formed UTF-8 only, RFC 3629: no overlong forms, no
     * surrogates, nothing above U+10FFFF), so the text decodes to exactly the characters counted.
     */
    private record StrFrame(Str s, int chars, boolean escape, int utf8, int lo, int hi) implements Frame {
        @Override
        public State advance(int b, State below) {
            if (utf8 > 0) {
                return b >= lo && b <= hi ? new State(new StrFrame(s, chars, false, utf8 - 1, 0x80, 0xBF), below) : null;
            }
            if (escape) {
                return "\"\\/bfnrt".indexOf(b) >= 0 ? new State(new StrFrame(s, chars, false, 0, 0, 0), below) : null;
            }
            if (b == '"') {
                return chars >= s.minChars() ? below : null;
            }
            if (b < 0x20 || chars >= s.maxChars()) {
                return null;
            }
            if (b == '\\') {
                return new State(new StrFrame(s, chars + 1, true, 0, 0, 0), below);
            }
            if (b < 0x80) {
                return new State(new StrFrame(s, chars + 1, false, 0, 0, 0), below);
            }
            int more;
            int first0 = 0x80;
            int first1 = 0xBF;
            if (b >= 0xC2 && b <= 0xDF) {
                more = 1;
            } else if (b >= 0xE0 && b <= 0xEF) {
                more = 2;
                first0 = b == 0xE0 ? 0xA0 : 0x80;
                first1 = b == 0xED ? 0x9F : 0xBF;
            } else if (b >= 0xF0 && b <= 0xF4) {
                more = 3;
                first0 = b == 0xF0 ? 0x90 : 0x80;
                first1 = b == 0xF4 ? 0x8F : 0xBF;
            } else {
                return null;
            }
            return new State(new StrFrame(s, chars + 1, false, more, first0, first1), below);
        }

        @Override
        public int remaining() {
            return utf8 + (escape ? 1 : 0) + Math.max(0, s.minChars() - chars) + 1;
        }
    }

    /** Inside one of a closed set of literal values; {@code cands} are those still matching the first {@code pos} bytes. */
    private record LitFrame(Lit l, int[] cands, int pos) implements Frame {
        static LitFrame all(Lit l) {
            int[] c = new int[l.values().size()];
            for (int i = 0; i < c.length; i++) {
                c[i] = i;
            }
            return new LitFrame(l, c, 0);
        }

        private boolean complete() {
            for (int c : cands) {
                if (l.values().get(c).length == pos) {
                    return true;
                }
            }
            return false;
        }

        @Override
        public State advance(int b, State below) {
            int[] keep = new int[cands.length];
            int n = 0;
            boolean allEnd = true;
            for (int c : cands) {
                byte[] v = l.values().get(c);
                if (pos < v.length && (v[pos] & 0xFF) == b) {
                    keep[n++] = c;
                    allEnd &= v.length == pos + 1;
                }
            }
            if (n == 0) {
                // a complete literal that another one extends (1 vs 10) ends at the next delimiter
                return complete() ? below.advance(b) : null;
            }
            if (allEnd) {
                return below;
            }
            return new State(new LitFrame(l, java.util.Arrays.copyOf(keep, n), pos + 1), below);
        }

        @Override
        public int remaining() {
            int best = Integer.MAX_VALUE;
            for (int c : cands) {
                best = Math.min(best, l.values().get(c).length - pos);
            }
            return best;
        }
    }

    /** Inside a number: the text so far; it ends at the first byte that cannot continue it. */
    private record NumFrame(Num n, String text) implements Frame {
        @Override
        public State advance(int b, State below) {
            if (b == '-' || b == '.' || (b >= '0' && b <= '9')) {
                String t = text + (char) b;
                return syntaxOk(n, t) && extraChars(n, t) >= 0 ? new State(new NumFrame(n, t), below) : null;
            }
            return inRange(n, text) ? below.advance(b) : null;
        }

        @Override
        public int remaining() {
            return extraChars(n, text);
        }
    }

    // ---- numbers: exact search over decimal prefixes, pruned by the interval a prefix can still reach ----

    /** The shortest number text extending {@code prefix} within the bounds, or null. */
    static String shortestNumber(Num n, String prefix) {
        for (int k = 0; k <= MAX_NUMBER_CHARS - prefix.length(); k++) {
            String s = within(n, prefix, k);
            if (s != null) {
                return s;
            }
        }
        return null;
    }

    /** Fewest characters to add to {@code prefix} for a complete number within the bounds; -1 if impossible. */
    static int extraChars(Num n, String prefix) {
        String s = shortestNumber(n, prefix);
        return s == null ? -1 : s.length() - prefix.length();
    }

    private static String within(Num n, String t, int budget) {
        if (inRange(n, t)) {
            return t;
        }
        if (budget == 0 || !reachable(n, t, budget)) {
            return null;
        }
        for (char c : "0123456789.-".toCharArray()) {
            String u = t + c;
            if (syntaxOk(n, u)) {
                String r = within(n, u, budget - 1);
                if (r != null) {
                    return r;
                }
            }
        }
        return null;
    }

    /** Is {@code t} a prefix of -?(0|[1-9][0-9]*)(.[0-9]+)? within the digit limits? */
    static boolean syntaxOk(Num n, String t) {
        int i = t.startsWith("-") ? 1 : 0;
        if (t.indexOf('-', i) >= 0) {
            return false;
        }
        String body = t.substring(i);
        int dot = body.indexOf('.');
        String ip = dot < 0 ? body : body.substring(0, dot);
        String fp = dot < 0 ? "" : body.substring(dot + 1);
        if (dot >= 0 && (n.integer() || ip.isEmpty() || fp.indexOf('.') >= 0)) {
            return false;
        }
        if (ip.length() > 1 && ip.charAt(0) == '0') {
            return false;
        }
        return ip.length() <= MAX_INT_DIGITS && fp.length() <= MAX_FRACTION_DIGITS;
    }

    /** Is {@code t} a complete number within the bounds? */
    static boolean inRange(Num n, String t) {
        if (t.isEmpty() || t.equals("-") || t.endsWith(".")) {
            return false;
        }
        BigDecimal v = new BigDecimal(t);
        if (n.min() != null) {
            int c = v.compareTo(n.min());
            if (c < 0 || (c == 0 && n.minExclusive())) {
                return false;
            }
        }
        if (n.max() != null) {
            int c = v.compareTo(n.max());
            return c < 0 || (c == 0 && !n.maxExclusive());
        }
        return true;
    }

    /** Can a number of at most {@code budget} more characters after {@code t} fall within the (closed) bounds? */
    private static boolean reachable(Num n, String t, int budget) {
        boolean neg = t.startsWith("-");
        String body = neg ? t.substring(1) : t;
        BigDecimal lo;
        BigDecimal hi;
        if (body.isEmpty()) {
            hi = BigDecimal.TEN.pow(Math.min(budget, MAX_INT_DIGITS));
            lo = BigDecimal.ZERO;
        } else if (body.indexOf('.') >= 0) {
            String fp = body.substring(body.indexOf('.') + 1);
            lo = new BigDecimal(body.endsWith(".") ? body + "0" : body);
            hi = lo.add(BigDecimal.ONE.movePointLeft(fp.length()));
        } else if (body.equals("0")) {
            lo = BigDecimal.ZERO;
            hi = BigDecimal.ONE;
        } else {
            lo = new BigDecimal(body);
            hi = lo.add(BigDecimal.ONE).multiply(BigDecimal.TEN.pow(Math.min(budget, MAX_INT_DIGITS - body.length())));
        }
        if (neg) {
            BigDecimal l = hi.negate();
            hi = lo.negate();
            lo = l;
        } else if (body.isEmpty() && !t.startsWith("-")) {
            lo = hi.negate(); // nothing typed yet: either sign
        }
        return (n.min() == null || hi.compareTo(n.min()) >= 0) && (n.max() == null || lo.compareTo(n.max()) <= 0);
    }
}
