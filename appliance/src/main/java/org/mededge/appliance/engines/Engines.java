package org.mededge.appliance.engines;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.mededge.appliance.ApplianceConfig;
import org.mededge.appliance.models.ModelRegistry;

/** The appliance's engine slots, in configuration order. */
public final class Engines implements AutoCloseable {
    private final Map<String, EngineSlot<?>> slots = new LinkedHashMap<>();

    /**
     * @param loaders engine name to loader; an engine without a loader only checks that its model is
     *                installed and verified
     */
    public Engines(ApplianceConfig config, Map<String, EngineSlot.Loader<? extends AutoCloseable>> loaders) {
        // load in the loaders' declared order, then any configured engine that only checks its model
        for (String name : loaders.keySet()) {
            config.engines().stream().filter(b -> b.engine().equals(name)).findFirst()
                    .ifPresent(b -> slots.put(name, slot(b, loaders.get(name))));
        }
        for (ApplianceConfig.EngineBinding b : config.engines()) {
            slots.putIfAbsent(b.engine(), slot(b, null));
        }
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static EngineSlot<?> slot(ApplianceConfig.EngineBinding b, EngineSlot.Loader<? extends AutoCloseable> loader) {
        return new EngineSlot(b, loader);
    }

    public List<EngineSlot<?>> all() {
        return new ArrayList<>(slots.values());
    }

    public Optional<EngineSlot<?>> get(String name) {
        return Optional.ofNullable(slots.get(name));
    }

    /**
     * The slot of an engine by name, typed; a slot that is not configured comes back DISABLED, so a
     * route using it answers 503 with the reason rather than failing.
     */
    @SuppressWarnings("unchecked")
    public <T extends AutoCloseable> EngineSlot<T> slot(String name, Class<T> type) {
        EngineSlot<?> s = slots.get(name);
        if (s == null) {
            s = new EngineSlot<>(new ApplianceConfig.EngineBinding(name, false, false, null, null), null);
        }
        return (EngineSlot<T>) s;
    }

    /** Loads every enabled engine in turn; failures are recorded in the slots, never thrown. */
    public void loadAll(ModelRegistry registry) {
        for (EngineSlot<?> s : slots.values()) {
            s.load(registry);
        }
    }

    @Override
    public void close() {
        for (EngineSlot<?> s : slots.values()) {
            s.close();
        }
    }
}
