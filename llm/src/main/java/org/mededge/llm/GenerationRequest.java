package org.mededge.llm;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * One generation request. The engine applies the model's chat template to {@code system} and
 * {@code user}.
 *
 * @param adapter      the LoRA adapter to apply, or null for the base model
 * @param jsonSchema   a JSON schema the output must satisfy (constrained decoding), or null; the
 *                     text then parses and validates whenever the finish reason is STOP
 * @param stop         stop strings (not with a schema: there the JSON value decides the end)
 * @param deadline     time allowed from the start of generation; then it ends with DEADLINE
 * @param onToken      receives each piece of text as it is generated (streaming), or null; the
 *                     pieces concatenate to {@link Generation#text()}
 * @param cancellation stops the generation from another thread, or null
 */
public record GenerationRequest(
        String system,
        String user,
        AdapterRef adapter,
        String jsonSchema,
        int maxNewTokens,
        Sampling sampling,
        List<String> stop,
        Duration deadline,
        Consumer<String> onToken,
        Cancellation cancellation) {

    public GenerationRequest {
        Objects.requireNonNull(user, "user");
        if (maxNewTokens < 1) {
            throw new IllegalArgumentException("maxNewTokens must be >= 1");
        }
        sampling = sampling == null ? Sampling.GREEDY : sampling;
        stop = stop == null ? List.of() : List.copyOf(stop);
        deadline = deadline == null ? Duration.ofSeconds(60) : deadline;
        if (deadline.isNegative() || deadline.isZero()) {
            throw new IllegalArgumentException("deadline must be positive");
        }
    }

    /** The request without cancellation (the original form of this record). */
    public GenerationRequest(String system, String user, AdapterRef adapter, String jsonSchema, int maxNewTokens,
                             Sampling sampling, List<String> stop, Duration deadline, Consumer<String> onToken) {
        this(system, user, adapter, jsonSchema, maxNewTokens, sampling, stop, deadline, onToken, null);
    }

    /** A greedy request with no schema, adapter or streaming. */
    public static GenerationRequest of(String system, String user, int maxNewTokens) {
        return new GenerationRequest(system, user, null, null, maxNewTokens, Sampling.GREEDY, List.of(), null, null, null);
    }

    public GenerationRequest withAdapter(AdapterRef a) {
        return new GenerationRequest(system, user, a, jsonSchema, maxNewTokens, sampling, stop, deadline, onToken, cancellation);
    }

    public GenerationRequest withSchema(String schema) {
        return new GenerationRequest(system, user, adapter, schema, maxNewTokens, sampling, stop, deadline, onToken, cancellation);
    }

    public GenerationRequest withSampling(Sampling s) {
        return new GenerationRequest(system, user, adapter, jsonSchema, maxNewTokens, s, stop, deadline, onToken, cancellation);
    }

    public GenerationRequest withStop(List<String> s) {
        return new GenerationRequest(system, user, adapter, jsonSchema, maxNewTokens, sampling, s, deadline, onToken, cancellation);
    }

    public GenerationRequest withDeadline(Duration d) {
        return new GenerationRequest(system, user, adapter, jsonSchema, maxNewTokens, sampling, stop, d, onToken, cancellation);
    }

    public GenerationRequest withOnToken(Consumer<String> c) {
        return new GenerationRequest(system, user, adapter, jsonSchema, maxNewTokens, sampling, stop, deadline, c, cancellation);
    }

    public GenerationRequest withCancellation(Cancellation c) {
        return new GenerationRequest(system, user, adapter, jsonSchema, maxNewTokens, sampling, stop, deadline, onToken, c);
    }
}
