package org.mededge.appliance.engines;

import java.util.Optional;
import java.util.logging.Logger;

import org.mededge.appliance.ApplianceConfig.EngineBinding;
import org.mededge.appliance.http.ApiException;
import org.mededge.appliance.models.InstalledModel;
import org.mededge.appliance.models.ModelRegistry;

/**
 * One engine of the appliance (vad, asr, vision, llm) and the model that serves it: resolved from
 * the registry, loaded once at start-up, closed at shutdown. Its state is what readiness reports.
 *
 * @param <T> the engine type; {@code Void}-like engines (model presence only) use a null loader
 */
public final class EngineSlot<T extends AutoCloseable> implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(EngineSlot.class.getName());

    public enum State { DISABLED, LOADING, READY, FAILED }

    /** Turns a verified model into a running engine; throws with a message a user can act on. */
    @FunctionalInterface
    public interface Loader<T> {
        T load(InstalledModel model) throws Exception;
    }

    /**
     * An engine that says more about how it runs (backend, device, why a preferred backend was
     * passed over); its line is appended to the slot's detail, which readiness and /v1/models show.
     */
    public interface Described {
        String describe();
    }

    private final EngineBinding binding;
    private final Loader<T> loader;
    private volatile State state;
    private volatile String detail;
    private volatile InstalledModel model;
    private volatile T engine;

    public EngineSlot(EngineBinding binding, Loader<T> loader) {
        this.binding = binding;
        this.loader = loader;
        this.state = binding.enabled() ? State.LOADING : State.DISABLED;
        this.detail = binding.enabled() ? "loading " + binding.model() : "disabled in configuration";
    }

    public String name() {
        return binding.engine();
    }

    public EngineBinding binding() {
        return binding;
    }

    public State state() {
        return state;
    }

    public String detail() {
        return detail;
    }

    public Optional<InstalledModel> model() {
        return Optional.ofNullable(model);
    }

    public Optional<T> engine() {
        return Optional.ofNullable(engine);
    }

    /** Resolves and loads the configured model; never throws: a failure becomes FAILED with a reason. */
    public void load(ModelRegistry registry) {
        if (!binding.enabled()) {
            return;
        }
        ModelRegistry.Resolution r = registry.resolve(binding.model(), binding.version());
        String served = "";
        if (r.model().isEmpty() && binding.fallback() != null && !registry.installed(binding.model())) {
            ModelRegistry.Resolution f = registry.resolve(binding.fallback(), null);
            if (f.model().isPresent()) {
                served = binding.model() + " is not installed, so the fallback " + binding.fallback() + " serves; ";
                r = f;
            } else {
                r = new ModelRegistry.Resolution(r.model(), r.detail() + "; nor is its fallback: " + f.detail());
            }
        }
        if (r.model().isEmpty()) {
            fail(name().toUpperCase() + " " + r.detail());
            return;
        }
        InstalledModel m = r.model().get();
        this.model = m;
        try {
            T loaded = loader == null ? null : loader.load(m);
            this.engine = loaded;
            this.detail = withoutPaths(served + m.name() + " " + m.version() + " (" + m.engine() + ") ready; " + m.detail()
                    + (loaded instanceof Described d ? "; " + d.describe() : ""));
            this.state = State.READY;
            LOG.info(() -> "engine " + name() + " ready with " + m.name() + " " + m.version());
        } catch (Exception | LinkageError e) {
            String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            fail(name().toUpperCase() + " model " + m.name() + " " + m.version() + " failed to load: " + why);
        }
    }

    private void fail(String why) {
        // readiness is open to anonymous probes: the file system layout stays in the log
        this.detail = withoutPaths(why);
        this.state = State.FAILED;
        LOG.warning(() -> "engine " + name() + " not ready: " + why);
    }

    private static final java.util.regex.Pattern ABSOLUTE_PATH = java.util.regex.Pattern.compile("(?<![\\w$])(/[^/\\s:'\"()]+)+/([^/\\s:'\"()]+)");

    /** Absolute paths in a reason become their last component ({@code …/model.onnx}). */
    static String withoutPaths(String s) {
        return s == null ? null : ABSOLUTE_PATH.matcher(s).replaceAll("…/$2");
    }

    /** The engine, or 503 with Retry-After and the reason when it is not ready. */
    public T require() {
        T e = engine;
        if (state == State.READY && e != null) {
            return e;
        }
        String code = name().toUpperCase() + "_NOT_READY";
        if (state == State.LOADING) {
            throw ApiException.unavailable(code, name() + " engine is still loading; retry shortly.", 5);
        }
        throw ApiException.unavailable(code, detail, 30);
    }

    @Override
    public void close() {
        T e = engine;
        engine = null;
        if (e != null) {
            try {
                e.close();
            } catch (Exception ex) {
                LOG.warning(() -> "engine " + name() + " did not close cleanly: " + ex.getClass().getSimpleName());
            }
        }
        if (state != State.DISABLED) {
            state = State.FAILED;
            detail = "closed";
        }
    }
}
