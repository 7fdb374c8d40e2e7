package org.mededge.llm;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * One generation request. The engine applies the model's chat template to {@code system} and
 * {@code user}.
 *
 * @param adapter    the LoRA adapter to apply, or null for the base model
 * @param jsonSchema a JSON schema the output must satisfy (constrained decoding), or null
 * @param onToken    receives each piece of text as it is generated (streaming), or null
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
        Consumer<String> onToken) {

    public GenerationRequest {
        Objects.requireNonNull(user, "user");
        if (maxNewTokens < 1) {
            throw new IllegalArgumentException("maxNewTokens must be >= 1");
        }
        sampling = sampling == null ? Sampling.GREEDY : sampling;
        stop = stop == null ? List.of() : List.copyOf(stop);
        deadline = deadline == null ? Duration.ofSeconds(60) : deadline;
    }

    /** A greedy request with no schema, adapter or streaming. */
    public static GenerationRequest of(String system, String user, int maxNewTokens) {
        return new GenerationRequest(system, user, null, null, maxNewTokens, Sampling.GREEDY, List.of(), null, null);
    }

    public GenerationRequest withAdapter(AdapterRef a) {
        return new GenerationRequest(system, user, a, jsonSchema, maxNewTokens, sampling, stop, deadline, onToken);
    }

    public GenerationRequest withSchema(String schema) {
        return new GenerationRequest(system, user, adapter, schema, maxNewTokens, sampling, stop, deadline, onToken);
    }
}
