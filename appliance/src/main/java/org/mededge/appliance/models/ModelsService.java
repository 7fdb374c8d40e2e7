package org.mededge.appliance.models;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import org.mededge.appliance.engines.EngineSlot;
import org.mededge.appliance.engines.Engines;
import org.mededge.appliance.http.ApiService;
import org.mededge.appliance.http.ApiException;
import org.mededge.appliance.http.Json;
import org.mededge.appliance.http.Routes;

/** GET /v1/models: every installed model with its provenance, verification and the engine it serves. */
public final class ModelsService implements ApiService {
    private final Supplier<ModelRegistry> registry;
    private final Engines engines;

    public ModelsService(Supplier<ModelRegistry> registry, Engines engines) {
        this.registry = registry;
        this.engines = engines;
    }

    @Override
    public void register(Routes routes) {
        routes.get("/v1/models", (req, res) -> Json.ok(res, Map.of("models", describe())));
    }

    List<Map<String, Object>> describe() {
        ModelRegistry current = registry.get();
        if (current == null) {
            throw ApiException.unavailable("MODELS_LOADING", "Installed models are still being verified; retry shortly.", 2);
        }
        List<Map<String, Object>> out = new ArrayList<>();
        for (InstalledModel m : current.all()) {
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("name", m.name());
            d.put("version", m.version());
            d.put("role", m.role());
            d.put("engine", m.engine());
            d.put("tier", m.tier());
            d.put("sha256", m.mainSha256());
            d.put("licence", m.licence());
            d.put("source", m.source());
            d.put("description", m.description());
            d.put("verification", m.verification().name());
            d.put("detail", m.detail());
            d.put("files", m.files());
            for (EngineSlot<?> s : engines.all()) {
                if (s.model().filter(x -> x.dir().equals(m.dir())).isPresent()) {
                    d.put("servedBy", s.name());
                    d.put("state", s.state().name());
                    d.put("stateDetail", s.detail());
                }
            }
            out.add(d);
        }
        return out;
    }
}
