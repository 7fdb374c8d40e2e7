package org.mededge.appliance;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.helidon.config.Config;
import io.helidon.config.ConfigSources;

import org.mededge.appliance.http.ApiService;

/** Starts a real appliance on a free port with the default application.yaml plus overrides. */
public final class TestAppliance {
    private TestAppliance() {
    }

    public static ApplianceConfig config(Path home, Map<String, String> overrides) {
        Map<String, String> props = new java.util.HashMap<>(overrides);
        props.put("mededge.home", home.toString());
        props.put("mededge.port", "0");
        props.put("mededge.shutdown.grace-seconds", props.getOrDefault("mededge.shutdown.grace-seconds", "10"));
        // feature tests run without tokens; the auth tests turn it on
        props.putIfAbsent("mededge.auth.enabled", "false");
        Config config = Config.builder()
                .disableEnvironmentVariablesSource()
                .disableSystemPropertiesSource()
                .sources(ConfigSources.create(props), ConfigSources.classpath("application.yaml"))
                .build();
        return ApplianceConfig.from(config);
    }

    public static Appliance start(Path home, Map<String, String> overrides, ApiService... extra) {
        Appliance a = Appliance.start(config(home, overrides), List.of(extra));
        try {
            if (!a.awaitLoaded(5, TimeUnit.MINUTES)) {
                throw new IllegalStateException("models did not load in 5 minutes");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        return a;
    }
}
