package org.mededge.appliance;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.websocket.WsRouting;

import org.mededge.appliance.store.AuditLog;
import org.mededge.appliance.auth.AccessPolicy;
import org.mededge.appliance.auth.Authenticator;
import org.mededge.appliance.auth.RateLimiter;
import org.mededge.appliance.auth.TokenStore;
import org.mededge.appliance.auth.TokensService;
import org.mededge.appliance.dictation.AsrSettings;
import org.mededge.appliance.dictation.DictationService;
import org.mededge.appliance.dictation.DictationWiring;
import org.mededge.appliance.dictation.LiveDictationService;
import org.mededge.appliance.dictation.StreamMetrics;
import org.mededge.appliance.dictation.StreamSettings;
import org.mededge.appliance.engines.EngineSlot;
import org.mededge.appliance.engines.Engines;
import org.mededge.appliance.health.HealthService;
import org.mededge.appliance.health.Readiness;
import org.mededge.appliance.http.ApiService;
import org.mededge.appliance.http.ErrorMapping;
import org.mededge.appliance.http.RequestFilter;
import org.mededge.appliance.http.Routes;
import org.mededge.appliance.http.TransportErrors;
import org.mededge.appliance.http.ServerTls;
import org.mededge.appliance.language.LanguageService;
import org.mededge.appliance.language.LanguageSettings;
import org.mededge.appliance.metrics.Metrics;
import org.mededge.appliance.metrics.MetricsService;
import org.mededge.appliance.models.ModelRegistry;
import org.mededge.appliance.models.ModelsService;
import org.mededge.appliance.notes.FusionSettings;
import org.mededge.appliance.notes.NotesService;
import org.mededge.appliance.reports.AuditService;
import org.mededge.appliance.reports.FeedbackService;
import org.mededge.appliance.radiology.RadiologyService;
import org.mededge.appliance.radiology.ReadingRoomService;
import org.mededge.appliance.reports.Refusion;
import org.mededge.appliance.reports.ReportPublisher;
import org.mededge.appliance.reports.ReportsService;
import org.mededge.appliance.reports.SignService;
import org.mededge.appliance.store.DataAtRest;
import org.mededge.appliance.store.Database;
import org.mededge.appliance.store.FeedbackStore;
import org.mededge.appliance.store.ReportStore;
import org.mededge.appliance.studies.StudiesService;
import org.mededge.appliance.studies.StudyEngine;
import org.mededge.appliance.studies.VisionSettings;
import org.mededge.appliance.web.WebService;
import org.mededge.fusion.ReportAssembler;
import org.mededge.asr.Dictation;
import org.mededge.llm.TextGenerator;

/**
 * The running appliance: the HTTP server starts first (answering 503 on readiness), then models are
 * verified and engines load in the background; {@link #close()} drains requests in flight.
 */
public final class Appliance implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(Appliance.class.getName());

    private final ApplianceConfig config;
    private final Engines engines;
    private final Metrics metrics;
    private final RequestFilter filter;
    private final Readiness readiness;
    private final WebServer server;
    private final CountDownLatch loaded = new CountDownLatch(1);
    private volatile ModelRegistry registry;
    private volatile boolean closed;

    private final List<ApiService> extraServices;
    private final Database database;
    private final DataAtRest.Status dataAtRest;
    private final AuditLog audit;
    private final ReportStore reports;
    private final TokenStore tokens;
    private final Authenticator authenticator;
    private final List<ApiService> features;
    private Routes routes;

    private Appliance(ApplianceConfig config, List<ApiService> extraServices) {
        this.config = config;
        this.extraServices = List.copyOf(extraServices);
        this.engines = new Engines(config, engineLoaders());
        this.metrics = new Metrics(() -> engines.all().stream()
                .filter(s -> s.state() != EngineSlot.State.DISABLED)
                .map(s -> new Metrics.ModelState(s.model().map(m -> m.name()).orElse(s.binding().model()), s.name(),
                        s.state() == EngineSlot.State.READY))
                .toList());
        this.filter = new RequestFilter(metrics);
        this.database = new Database(config.dataDir().resolve("mededge.db"));
        this.dataAtRest = DataAtRest.check(config.dataDir());
        if (!dataAtRest.encrypted()) {
            if (config.store().requireEncryptedVolume()) {
                database.close();
                throw new IllegalStateException("mededge.store.require-encrypted-volume is set, but " + dataAtRest.detail()
                        + ": put $MEDEDGE_HOME/data on the device's encrypted volume (provision-jetson.sh)");
            }
            LOG.warning(() -> "clinical data at rest is not encrypted: " + dataAtRest.detail()
                    + "; put $MEDEDGE_HOME/data on the device's encrypted volume (provision-jetson.sh)");
        }
        this.audit = new AuditLog(database);
        this.reports = new ReportStore(database, audit);
        this.tokens = new TokenStore(database);
        if (config.auth().tokensFile() != null) {
            try {
                int added = tokens.seed(config.auth().tokensFile());
                LOG.info(() -> added + " API token(s) seeded from the tokens file");
            } catch (RuntimeException e) {
                database.close();
                throw e;
            }
        }
        this.authenticator = new Authenticator(config.auth().enabled(), tokens,
                new AccessPolicy(config.auth().openHealth(), config.auth().openMetrics()),
                new RateLimiter(config.auth().ratePerMinute(), config.auth().burst()),
                new RateLimiter(config.auth().failuresPerMinute(), config.auth().failureBurst()));
        this.readiness = new Readiness(engines, filter::draining, dataAtRest.encrypted());
        this.features = featureServices();
        WsRouting.Builder sockets = WsRouting.builder();
        features.forEach(s -> s.registerSockets(sockets));
        var builder = WebServer.builder()
                .host(config.host())
                .port(config.port())
                .shutdownHook(false)
                .maxPayloadSize(config.maxUploadBytes())
                .directHandlers(TransportErrors.handlers())
                .routing(this::routing)
                .addRouting(sockets);
        if (config.tls().enabled()) {
            builder.tls(ServerTls.from(config.tls()));
        }
        this.server = builder.build();
    }

    private void routing(HttpRouting.Builder rules) {
        rules.addFilter(filter);
        ErrorMapping.register(rules);
        Routes routes = new Routes(rules, authenticator, audit);
        this.routes = routes;
        new HealthService(readiness).register(routes);
        new MetricsService(metrics).register(routes);
        new ModelsService(this::registry, engines).register(routes);
        new ReportsService(reports).register(routes);
        new AuditService(audit).register(routes);
        new TokensService(tokens).register(routes);
        new WebService().register(routes);
        features.forEach(s -> s.register(routes));
        extraServices.forEach(s -> s.register(routes));
        routes.fallback();
    }

    /**
     * How each engine turns its verified model into a running engine, by engine name. An engine
     * configured without a loader here only checks that its model is installed and verified.
     * Each feature adds its engine on one line.
     */
    private Map<String, EngineSlot.Loader<? extends AutoCloseable>> engineLoaders() {
        Map<String, EngineSlot.Loader<? extends AutoCloseable>> loaders = new LinkedHashMap<>();
        StudyEngine.createOrtEnvironmentFirst(); // before any engine: DJL's ONNX Runtime must own the OrtEnvironment
        loaders.put("vision", StudyEngine.loader(VisionSettings.from(config.section("vision"))));
        loaders.put("asr", DictationWiring.loader(AsrSettings.from(config.section("asr")), config.engine("vad"), this::registry));
        loaders.put("llm", LanguageService.loader(LanguageSettings.from(config.section("llm"))));
        return loaders;
    }

    /** The feature routes (notes, dictations, studies, ...): each feature adds its service on one line. */
    private List<ApiService> featureServices() {
        ReportAssembler fusion = new ReportAssembler(FusionSettings.from(config.section("fusion")));
        ReportPublisher publisher = new ReportPublisher(reports, config.store().keepRawInputs(), fusion.config().validateFhir(), metrics);
        List<ApiService> services = new ArrayList<>();
        services.add(NotesService.create(config, engines, metrics, fusion, publisher));
        services.add(new RadiologyService(metrics, config.maxJsonBytes(), fusion.config().maxTextBytes()));
        services.add(new ReadingRoomService(reports, engines.slot("llm", TextGenerator.class), engines.slot("asr", Dictation.class),
                AsrSettings.from(config.section("asr")), publisher, metrics, config.maxJsonBytes(), config.maxUploadBytes(),
                fusion.config().maxTextBytes()));
        services.add(new LanguageService(engines.slot("llm", TextGenerator.class), metrics));
        services.add(new StudiesService(engines.slot("vision", StudyEngine.class), VisionSettings.from(config.section("vision")),
                config.maxUploadBytes(), metrics, publisher,
                new Refusion(reports, fusion, engines.slot("llm", TextGenerator.class), publisher)));
        DictationService dictation = DictationService.create(config, engines, metrics, fusion, publisher);
        services.add(dictation);
        services.add(new LiveDictationService(engines, AsrSettings.from(config.section("asr")),
                StreamSettings.from(config.section("asr").get("stream")), dictation, tokens, config.auth().enabled(),
                new StreamMetrics(metrics.registry())));
        FeedbackStore feedback = new FeedbackStore(database);
        services.add(new SignService(reports, feedback, publisher));
        services.add(new FeedbackService(feedback));
        return services;
    }

    /** Starts listening at once and loads models in the background. */
    public static Appliance start(ApplianceConfig config) {
        return start(config, List.of());
    }

    /** As {@link #start(ApplianceConfig)}, with further routes (an embedding host's, or a test's). */
    public static Appliance start(ApplianceConfig config, List<ApiService> extraServices) {
        Appliance a = new Appliance(config, extraServices);
        a.server.start();
        Thread.ofPlatform().name("mededge-model-loader").daemon(true).start(a::loadModels);
        return a;
    }

    private void loadModels() {
        long t0 = System.nanoTime();
        try {
            registry = ModelRegistry.scan(config.modelsDir());
            metrics.observeStage("model_verify", null, "ok", (System.nanoTime() - t0) / 1e9);
            engines.loadAll(registry);
        } finally {
            loaded.countDown();
            LOG.info(() -> "models checked and engines loaded in " + (System.nanoTime() - t0) / 1_000_000 + " ms");
        }
    }

    /** The installed models, or null until the start-up scan has finished. */
    public ModelRegistry registry() {
        return registry;
    }

    public int port() {
        return server.port();
    }

    public ApplianceConfig config() {
        return config;
    }

    public Readiness readiness() {
        return readiness;
    }

    public List<EngineSlot<?>> engines() {
        return engines.all();
    }

    public Metrics metrics() {
        return metrics;
    }

    public ReportStore reports() {
        return reports;
    }

    public AuditLog audit() {
        return audit;
    }

    public TokenStore tokens() {
        return tokens;
    }

    /** Method and template of every route, for checking them against the access policy. */
    public List<String> routes() {
        return routes.registered();
    }

    public Authenticator authenticator() {
        return authenticator;
    }

    /** Waits until start-up loading has finished (whatever its outcome). */
    public boolean awaitLoaded(long timeout, TimeUnit unit) throws InterruptedException {
        return loaded.await(timeout, unit);
    }

    /** Graceful stop: new requests get 503, requests in flight finish (up to the grace period), engines close. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        boolean drained = filter.drain(config.shutdownGrace().toMillis());
        if (!drained) {
            LOG.warning(() -> filter.inFlight() + " request(s) still in flight after the grace period; stopping anyway");
        }
        server.stop();
        engines.close();
        database.close();
    }
}
