package org.mededge.appliance.language;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.prometheus.client.Collector;

import org.mededge.appliance.engines.EngineSlot;
import org.mededge.appliance.http.ApiService;
import org.mededge.appliance.http.Json;
import org.mededge.appliance.http.Routes;
import org.mededge.appliance.metrics.Metrics;
import org.mededge.appliance.models.InstalledModel;
import org.mededge.llm.AdapterInfo;
import org.mededge.llm.LlmModel;
import org.mededge.llm.TextGenerator;
import org.mededge.llm.ort.OrtTextGenerator;

/**
 * The language feature: how the "llm" slot loads its model (behind the bounded
 * {@link GenerationQueue}, so every feature using the slot is queued), GET /v1/adapters (the
 * specialty adapters with provenance), and the queue's metrics in the appliance's registry.
 */
public final class LanguageService implements ApiService {
    private static final LanguageMetrics IDLE = new LanguageMetrics(() -> 0, () -> 0);
    private final EngineSlot<TextGenerator> slot;

    public LanguageService(EngineSlot<TextGenerator> slot, Metrics metrics) {
        this.slot = slot;
        new Collector() {
            @Override
            public List<MetricFamilySamples> collect() {
                return new ArrayList<>(slot.engine().filter(GenerationQueue.class::isInstance).map(GenerationQueue.class::cast)
                        .map(GenerationQueue::metrics).orElse(IDLE).collect());
            }
        }.register(metrics.registry());
    }

    /** How the "llm" engine slot loads its model: the ONNX Runtime engine behind the bounded queue. */
    public static EngineSlot.Loader<TextGenerator> loader(LanguageSettings settings) {
        return m -> new GenerationQueue(OrtTextGenerator.load(LlmModel.from(m.name(), m.version(), m.dir(), m.spec()),
                settings.engine()), m.name(), settings);
    }

    @Override
    public void register(Routes routes) {
        routes.get("/v1/adapters", (req, res) -> {
            TextGenerator engine = slot.require();
            InstalledModel m = slot.model().orElseThrow();
            Map<String, Object> model = new LinkedHashMap<>();
            model.put("name", m.name());
            model.put("version", m.version());
            model.put("sha256", m.mainSha256());
            model.put("loraBase", m.spec().get("loraBase"));
            Json.ok(res, Map.of("model", model, "adapters", describe(engine.adapterInfo())));
        });
    }

    static List<Map<String, Object>> describe(List<AdapterInfo> adapters) {
        return adapters.stream().map(a -> {
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("name", a.name());
            d.put("specialty", a.specialty());
            d.put("version", a.version());
            d.put("state", a.state().name());
            d.put("detail", a.detail());
            d.put("file", a.file());
            d.put("sha256", a.sha256());
            d.put("baseModel", a.baseModel());
            d.put("rank", a.rank());
            d.put("alpha", a.alpha());
            d.put("targetModules", a.targetModules());
            d.put("source", a.source());
            d.put("licence", a.licence());
            d.put("description", a.description());
            return d;
        }).toList();
    }
}
