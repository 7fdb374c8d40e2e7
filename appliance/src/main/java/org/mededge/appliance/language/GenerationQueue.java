package org.mededge.appliance.language;

import java.time.Duration;
import java.util.List;

import org.mededge.appliance.engines.Admission;
import org.mededge.llm.AdapterInfo;
import org.mededge.llm.Generation;
import org.mededge.llm.GenerationRequest;
import org.mededge.llm.LlmError;
import org.mededge.llm.LlmException;
import org.mededge.llm.TextGenerator;

/**
 * The language engine as the appliance serves it (the "llm" engine slot holds this): at most
 * {@code concurrency} generations run, at most {@code queueCapacity} wait, first come first
 * served; one more is refused at once with LLM_BUSY (503 + Retry-After). Time spent waiting counts
 * against the request's deadline; a request whose deadline passes while it waits gets
 * LLM_DEADLINE_EXCEEDED (504). Each generation runs with its own adapter and run options, so
 * requests with different adapters never share a run (there is no cross-request batching).
 */
public final class GenerationQueue implements TextGenerator {
    private final TextGenerator engine;
    private final String model;
    private final LanguageSettings settings;
    private final Admission admission;
    private final LanguageMetrics metrics;

    public GenerationQueue(TextGenerator engine, String model, LanguageSettings settings) {
        this.engine = engine;
        this.model = model;
        this.settings = settings;
        this.admission = new Admission(settings.concurrency(), settings.queueCapacity());
        this.metrics = new LanguageMetrics(admission::waiting, admission::running);
    }

    public LanguageMetrics metrics() {
        return metrics;
    }

    public LanguageSettings settings() {
        return settings;
    }

    public TextGenerator engine() {
        return engine;
    }

    public int waiting() {
        return admission.waiting();
    }

    public int running() {
        return admission.running();
    }

    @Override
    public Generation generate(GenerationRequest request) {
        String adapter = request.adapter() == null ? null : request.adapter().name();
        long t0 = System.nanoTime();
        Admission.Ticket ticket;
        try {
            ticket = admission.enter(request.deadline());
        } catch (Admission.Refused r) {
            if (r.why() == Admission.Refused.Why.FULL) {
                metrics.failed(model, adapter, LlmError.LLM_BUSY.name());
                throw new LlmException(LlmError.LLM_BUSY, "the language model is busy (" + settings.concurrency()
                        + " generation(s) running, " + settings.queueCapacity() + " waiting); retry in "
                        + org.mededge.appliance.http.ErrorMapping.BUSY_RETRY_SECONDS + " s");
            }
            metrics.failed(model, adapter, LlmError.LLM_DEADLINE_EXCEEDED.name());
            throw new LlmException(LlmError.LLM_DEADLINE_EXCEEDED, "no generation slot became free within the request's"
                    + " deadline of " + request.deadline().toMillis() + " ms");
        }
        try (ticket) {
            long waited = System.nanoTime() - t0;
            metrics.waited(adapter, waited);
            Duration left = request.deadline().minusNanos(waited);
            if (left.isNegative() || left.isZero()) {
                throw new LlmException(LlmError.LLM_DEADLINE_EXCEEDED, "the request's deadline of "
                        + request.deadline().toMillis() + " ms passed while it waited");
            }
            Generation g = engine.generate(request.withDeadline(left));
            metrics.finished(g);
            return g;
        } catch (LlmException ex) {
            metrics.failed(model, adapter, ex.error().name());
            throw ex;
        }
    }

    @Override
    public List<String> adapters() {
        return engine.adapters();
    }

    @Override
    public List<AdapterInfo> adapterInfo() {
        return engine.adapterInfo();
    }

    @Override
    public void close() {
        engine.close();
    }
}
