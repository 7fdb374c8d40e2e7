package org.mededge.llm.decode;

import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.mededge.llm.Cancellation;
import org.mededge.llm.FinishReason;
import org.mededge.llm.GenerationRequest;
import org.mededge.llm.LlmError;
import org.mededge.llm.LlmException;
import org.mededge.llm.text.Utf8Accumulator;

/**
 * The decoding loop: reads the prompt, then picks one token at a time (masks, repetition penalty,
 * schema constraint, greedy or seeded sampling) until an end-of-sequence token, a stop string, a
 * complete JSON value, max new tokens, the deadline or cancellation. The attention cache is reused
 * between steps. Deadline and cancellation also abort a model run in progress.
 */
public final class Generator implements AutoCloseable {
    private final Decoder decoder;
    private final byte[][] tokenBytes;
    private final boolean[] endIds;
    private final TokenIndex index;
    private final ScheduledExecutorService timer;

    /** What one generation produced; times in nanoseconds from the start of {@link #run}. */
    public record Result(String text, FinishReason finishReason, int generatedTokens, long firstTokenNanos, long totalNanos) {
    }

    /**
     * @param tokenBytes per token id its bytes (null: special or undefined, never generated)
     * @param endIds     end-of-sequence token ids
     */
    public Generator(Decoder decoder, byte[][] tokenBytes, int[] endIds) {
        this.decoder = decoder;
        this.tokenBytes = tokenBytes;
        this.endIds = new boolean[Math.max(decoder.vocabSize(), tokenBytes.length)];
        for (int id : endIds) {
            this.endIds[id] = true;
        }
        this.index = new TokenIndex(tokenBytes);
        ScheduledThreadPoolExecutor t = new ScheduledThreadPoolExecutor(1, r -> {
            Thread th = new Thread(r, "mededge-llm-deadlines");
            th.setDaemon(true);
            return th;
        });
        t.setRemoveOnCancelPolicy(true);
        this.timer = t;
    }

    /** Checks a request's schema and stop strings before any model work; returns the compiled schema or null. */
    public JsonSchema check(GenerationRequest req, int maxNewTokens) {
        if (req.jsonSchema() == null) {
            return null;
        }
        if (!req.stop().isEmpty()) {
            throw new LlmException(LlmError.LLM_INVALID_REQUEST, "stop strings cannot be combined with a JSON schema:"
                    + " generation ends when the JSON value is complete");
        }
        JsonSchema schema = JsonSchema.compile(req.jsonSchema());
        new SchemaConstraint(schema, index, maxNewTokens);
        return schema;
    }

    /** Generates from {@code prompt} with the named adapter (null: base model). */
    public Result run(int[] prompt, String adapter, GenerationRequest req, int maxNewTokens) {
        long t0 = System.nanoTime();
        JsonSchema schema = check(req, maxNewTokens);
        SchemaConstraint constraint = schema == null ? null : new SchemaConstraint(schema, index, maxNewTokens);
        Sampler sampler = new Sampler(req.sampling());
        StopStrings stops = new StopStrings(req.stop());
        int[] history = new int[prompt.length + maxNewTokens];
        System.arraycopy(prompt, 0, history, 0, prompt.length);
        int count = prompt.length;
        StringBuilder text = new StringBuilder();
        Utf8Accumulator utf8 = new Utf8Accumulator();
        int emitted = 0;
        int generated = 0;
        long first = -1;
        FinishReason reason = null;
        boolean cut = false;
        AtomicReference<FinishReason> stopped = new AtomicReference<>();
        try (Decoder.Sequence seq = decoder.open(adapter)) {
            long left = req.deadline().toNanos() - (System.nanoTime() - t0);
            ScheduledFuture<?> deadline = timer.schedule(() -> {
                stopped.compareAndSet(null, FinishReason.DEADLINE);
                seq.abort();
            }, Math.max(0, left), TimeUnit.NANOSECONDS);
            Cancellation cancel = req.cancellation();
            Cancellation.Subscription sub = cancel == null ? null : cancel.onCancel(() -> {
                stopped.compareAndSet(null, FinishReason.CANCELLED);
                seq.abort();
            });
            try {
                float[] logits = seq.append(prompt);
                while (reason == null) {
                    if (stopped.get() != null) {
                        reason = stopped.get();
                        break;
                    }
                    maskUngeneratable(logits, constraint != null);
                    sampler.penalize(logits, history, count);
                    int token;
                    if (constraint == null) {
                        token = sampler.choose(logits);
                    } else if (req.sampling().greedy()) {
                        token = Sampler.argmax(logits);
                        if (!constraint.allows(token)) {
                            constraint.mask(logits);
                            token = Sampler.argmax(logits);
                        }
                    } else {
                        constraint.mask(logits);
                        token = sampler.choose(logits);
                    }
                    if (token < 0) {
                        throw new LlmException(LlmError.LLM_FAILED, "no token is allowed at step " + generated);
                    }
                    if (first < 0) {
                        first = System.nanoTime() - t0;
                    }
                    generated++;
                    if (endIds[token]) {
                        reason = FinishReason.STOP;
                        break;
                    }
                    history[count++] = token;
                    text.append(utf8.add(tokenBytes[token]));
                    if (constraint != null) {
                        constraint.advance(token);
                        if (constraint.complete()) {
                            reason = FinishReason.STOP;
                        }
                    } else {
                        int at = stops.find(text, emitted);
                        if (at >= 0) {
                            text.setLength(at);
                            reason = FinishReason.STOP;
                            cut = true;
                        }
                    }
                    if (reason == null && generated >= maxNewTokens) {
                        reason = FinishReason.LENGTH;
                    }
                    if (reason == null) {
                        emitted = stream(req, text, stops.safeLength(text), emitted);
                        if (emitted < 0) {
                            reason = FinishReason.CANCELLED; // the streaming consumer failed (client gone)
                            break;
                        }
                        logits = seq.append(new int[] {token});
                    }
                }
            } catch (Decoder.Aborted e) {
                reason = stopped.get() != null ? stopped.get() : FinishReason.CANCELLED;
            } finally {
                deadline.cancel(false);
                if (sub != null) {
                    sub.close();
                }
            }
        }
        if (!cut) {
            text.append(utf8.flush());
        }
        if (emitted >= 0) {
            stream(req, text, text.length(), emitted);
        }
        return new Result(text.toString(), reason, generated, first < 0 ? System.nanoTime() - t0 : first, System.nanoTime() - t0);
    }

    /** Tokens the model may never produce: ids the tokenizer lacks, special tokens other than the end ones. */
    private void maskUngeneratable(float[] logits, boolean constrained) {
        for (int i = 0; i < logits.length; i++) {
            boolean end = i < endIds.length && endIds[i];
            boolean text = i < tokenBytes.length && tokenBytes[i] != null;
            if (constrained ? !text : !(text || end)) {
                logits[i] = Float.NEGATIVE_INFINITY;
            }
        }
    }

    /** Hands text[emitted, upTo) to the request's consumer; returns the new mark, or -1 when the consumer failed. */
    private static int stream(GenerationRequest req, StringBuilder text, int upTo, int emitted) {
        if (upTo <= emitted) {
            return emitted;
        }
        if (req.onToken() != null) {
            try {
                req.onToken().accept(text.substring(emitted, upTo));
            } catch (RuntimeException e) {
                return -1;
            }
        }
        return upTo;
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
