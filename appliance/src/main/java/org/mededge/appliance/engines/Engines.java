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
        for (ApplianceConfig.EngineBinding b : config.engines()) {
            slots.put(b.engine(), slot(b, loaders.get(b.engine())));
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
