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
        System.out.println("  " + base + "/  in a browser: the bedside dictation and reading-room pages");
        if (config.auth().enabled() && config.auth().tokensFile() != null) {
            System.out.println("  TOKEN=$(awk '$1==\"clinician\"{print $2}' " + config.auth().tokensFile() + ")");
        } else if (config.auth().enabled()) {
            System.out.println("  TOKEN=$(java -jar appliance/target/mededge-appliance.jar tokens create --role clinician)");
        }
        String auth = config.auth().enabled() ? " -H \"Authorization: Bearer $TOKEN\"" : "";
        System.out.println("  curl -s" + auth + " -H 'Content-Type: application/json' -d '{\"text\":\"主诉：咳嗽发热3天。体温38.6℃，SpO2 88%。\","
                + "\"specialty\":\"respiratory\"}' " + base + "/v1/notes");
        boolean asr = report.checks().stream().anyMatch(c -> c.name().equals("asr") && c.status().equals("UP"));
        System.out.println("  curl -s" + auth + " -H 'Content-Type: audio/wav' --data-binary @firmware-scripts/models/demo/heldout/"
                + "heldout-en-1.wav '" + base + "/v1/dictations?specialty=respiratory'"
                + (asr ? "" : "   (503 until a Whisper model is installed: see asr above)"));
        System.out.println("  curl -s " + base + "/health/ready");
        LOG.fine("started");
    }
}
