package org.mededge.appliance;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

import io.helidon.config.Config;

/**
 * The appliance's typed configuration, built once from Helidon Config (application.yaml, then
 * environment variables such as MEDEDGE_PORT, MEDEDGE_HOST, MEDEDGE_HOME) and validated here.
 *
 * @param settings the whole {@code mededge} node, from which each feature reads its own section
 *                 ({@link #section}); null when not built from Helidon Config
 */
public record ApplianceConfig(
        String host,
        int port,
        Path home,
        int maxJsonBytes,
        long maxUploadBytes,
        Duration shutdownGrace,
        List<EngineBinding> engines,
        Auth auth,
        Store store,
        Tls tls,
        Config settings) {

    /**
     * API tokens and roles. {@code tokensFile} ("role token" lines) seeds tokens at start-up.
     * Health and metrics can be left open to unauthenticated callers (probes, Prometheus).
     */
    public record Auth(boolean enabled, Path tokensFile, boolean openHealth, boolean openMetrics, int ratePerMinute,
                       int burst, int failuresPerMinute, int failureBurst) {
        public Auth {
            if (ratePerMinute < 1 || burst < 1) {
                throw new IllegalArgumentException("mededge.auth.rate-per-minute and burst must be at least 1");
            }
            if (failuresPerMinute < 1 || failureBurst < 1) {
                throw new IllegalArgumentException("mededge.auth.failures-per-minute and failure-burst must be at least 1");
            }
        }
    }

    /**
     * Durable reports: retention in days (0 keeps everything), whether raw audio/images are kept, and
     * whether start-up refuses a data folder that is not on an encrypted volume (else it warns).
     */
    public record Store(int retentionDays, boolean keepRawInputs, boolean requireEncryptedVolume) {
        public Store {
            if (retentionDays < 0) {
                throw new IllegalArgumentException("mededge.store.retention-days must be >= 0");
            }
        }
    }

    /** TLS from a PKCS#12 keystore; disabled when {@code keystore} is null. */
    public record Tls(Path keystore, String password) {
        public boolean enabled() {
            return keystore != null;
        }
    }

    /** Which installed model serves an engine (vad, asr, vision, llm), and whether readiness waits for it. */
    /**
     * @param fallback a model served when {@code model} is not installed at all (the project's demo model
     *                 where the production one cannot be obtained), never when it is installed but refused
     *                 (an altered production model stays an alarm); null for none
     */
    public record EngineBinding(String engine, boolean enabled, boolean required, String model, String version,
                                String fallback) {
        public EngineBinding {
            Objects.requireNonNull(engine, "engine");
            if (enabled && (model == null || model.isBlank())) {
                throw new IllegalArgumentException("mededge.engines." + engine + ".model must name an installed model");
            }
            fallback = fallback == null || fallback.isBlank() || fallback.equals(model) ? null : fallback.strip();
        }

        public EngineBinding(String engine, boolean enabled, boolean required, String model, String version) {
            this(engine, enabled, required, model, version, null);
        }
    }

    public ApplianceConfig {
        Objects.requireNonNull(host, "host");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("mededge.port must be 0..65535, was " + port);
        }
        Objects.requireNonNull(home, "home");
        if (maxJsonBytes < 1024) {
            throw new IllegalArgumentException("mededge.http.max-json-bytes must be at least 1024");
        }
        if (maxUploadBytes < 1024) {
            throw new IllegalArgumentException("mededge.http.max-upload-bytes must be at least 1024");
        }
        engines = List.copyOf(engines);
        home = home.toAbsolutePath().normalize();
        Objects.requireNonNull(auth, "auth");
        Objects.requireNonNull(store, "store");
        Objects.requireNonNull(tls, "tls");
        if (tls.enabled() && !java.nio.file.Files.isReadable(tls.keystore())) {
            throw new IllegalArgumentException("mededge.tls.keystore " + tls.keystore() + " is not readable");
        }
    }

    public Path modelsDir() {
        return home.resolve("models");
    }

    public Path dataDir() {
        return home.resolve("data");
    }

    public EngineBinding engine(String name) {
        return engines.stream().filter(e -> e.engine().equals(name)).findFirst()
                .orElse(new EngineBinding(name, false, false, null, null));
    }

    /** Reads the {@code mededge} node of the given config. */
    public static ApplianceConfig from(Config root) {
        Config c = root.get("mededge");
        List<EngineBinding> engines = new ArrayList<>();
        Config e = c.get("engines");
        for (Config node : e.asNodeList().orElse(List.of())) {
            String name = node.name().toLowerCase(Locale.ROOT);
            engines.add(new EngineBinding(name,
                    node.get("enabled").asBoolean().orElse(true),
                    node.get("required").asBoolean().orElse(true),
                    node.get("model").asString().orElse(null),
                    node.get("version").asString().orElse(null),
                    node.get("fallback").asString().orElse(null)));
        }
        return new ApplianceConfig(
                c.get("host").asString().orElse("127.0.0.1"),
                c.get("port").asInt().orElse(8080),
                Path.of(c.get("home").asString().orElse("./var")),
                c.get("http.max-json-bytes").asInt().orElse(65536),
                c.get("http.max-upload-bytes").asLong().orElse(128L << 20),
                Duration.ofSeconds(c.get("shutdown.grace-seconds").asLong().orElse(30L)),
                engines,
                new Auth(c.get("auth.enabled").asBoolean().orElse(true),
                        c.get("auth.tokens-file").asString().filter(v -> !v.isBlank())
                                .or(() -> c.get("tokens.file").asString().filter(v -> !v.isBlank()))
                                .map(Path::of).orElse(null),
                        c.get("auth.open-health").asBoolean().orElse(true),
                        c.get("auth.open-metrics").asBoolean().orElse(false),
                        c.get("auth.rate-per-minute").asInt().orElse(600),
                        c.get("auth.burst").asInt().orElse(60),
                        c.get("auth.failures-per-minute").asInt().orElse(10),
                        c.get("auth.failure-burst").asInt().orElse(10)),
                new Store(c.get("store.retention-days").asInt().orElse(0),
                        c.get("store.keep-raw-inputs").asBoolean().orElse(false),
                        c.get("store.require-encrypted-volume").asBoolean().orElse(false)),
                new Tls(c.get("tls.keystore").asString().filter(v -> !v.isBlank()).map(Path::of).orElse(null),
                        c.get("tls.password").asString().orElse("")),
                c);
    }

    /**
     * A feature's own section of the {@code mededge} node (vision, ...), from which the feature builds
     * and validates its typed config record; empty when this config was not read from Helidon Config.
     */
    public Config section(String name) {
        return settings == null ? Config.empty() : settings.get(name);
    }
}
