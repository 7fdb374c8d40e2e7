package org.mededge.llm.decode;

/**
 * A causal language model as the decoding loop sees it: sequences that take token ids and give
 * the logits of the next token, keeping their attention cache between calls.
 */
public interface Decoder {

    /** Size of the logits vector (may exceed the tokenizer's vocabulary). */
    int vocabSize();

    /** Longest sequence (prompt plus generated tokens) the model takes. */
    int contextLength();

    /** A new sequence with the named adapter active (null: the base model). */
    Sequence open(String adapter);

    /** One sequence's state (attention cache, run options); used by one thread at a time. */
    interface Sequence extends AutoCloseable {
        /**
         * Appends tokens and returns the logits after the last one.
         *
         * @throws Aborted when {@link #abort()} stopped the run
         */
        float[] append(int[] tokens);

        /** Tokens appended so far. */
        int length();

        /** Stops a run in progress from another thread; later calls to append fail with {@link Aborted}. */
        void abort();

        @Override
        void close();
    }

    /** The run was stopped by {@link Sequence#abort()}. */
    final class Aborted extends RuntimeException {
        public Aborted() {
            super("aborted", null, false, false);
        }
    }
}
