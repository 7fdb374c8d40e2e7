package org.mededge.appliance;

import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

import io.helidon.config.Config;
import io.helidon.logging.common.LogConfig;

/** Starts the appliance with application.yaml and environment overrides, and stops it gracefully on SIGTERM. */
public final class Main {
    private static final Logger LOG = Logger.getLogger(Main.class.getName());

    private Main() {
    }

    public static void main(String[] args) throws InterruptedException {
        LogConfig.configureRuntime();
        long t0 = System.nanoTime();
        ApplianceConfig config = ApplianceConfig.from(Config.create());
        if (args.length > 0) {
            System.exit(AdminCommand.run(config, args));
        }
        Appliance appliance = Appliance.start(config);
        Runtime.getRuntime().addShutdownHook(new Thread(appliance::close, "mededge-shutdown"));
        String base = "http://" + config.host() + ":" + appliance.port();
        System.out.println("MedEdge appliance listening on " + base + " (home " + config.home() + ")");
        appliance.awaitLoaded(10, TimeUnit.MINUTES);
        var report = appliance.readiness().evaluate();
        long ms = (System.nanoTime() - t0) / 1_000_000;
        System.out.println("Readiness " + report.status() + " after " + ms + " ms:");
        report.checks().forEach(c -> System.out.println("  " + c.name() + ": " + c.status() + " - " + c.detail()));
        System.out.println("Try:");
        System.out.println("  curl -s " + base + "/health/ready");
        System.out.println("  curl -s " + base + "/v1/models");
        System.out.println("  curl -s " + base + "/metrics | grep mededge_");
        LOG.fine("started");
    }
}
