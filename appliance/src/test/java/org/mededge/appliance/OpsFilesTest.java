package org.mededge.appliance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Grafana dashboard and the Prometheus alert rules in firmware-scripts/ops only use metrics a
 * running appliance exports: a renamed metric fails here, not silently on a wall display.
 */
class OpsFilesTest {
    private static final Pattern METRIC = Pattern.compile("\\bmededge_[a-z0-9_]+");
    private static Appliance appliance;
    private static Set<String> families;

    @BeforeAll
    static void start() {
        appliance = TestAppliance.start(TestModels.sharedHome("silero-vad"), Map.of());
        String scrape = new Http(appliance.port()).get("/metrics").body();
        families = new TreeSet<>();
        for (String line : scrape.split("\n")) {
            if (line.startsWith("# TYPE ")) {
                families.add(line.split(" ")[2]);
            }
        }
    }

    @AfterAll
    static void stop() {
        appliance.close();
    }

    private static boolean exported(String name) {
        for (String suffix : List.of("", "_bucket", "_count", "_sum", "_total", "_created")) {
            if (name.endsWith(suffix) && families.contains(name.substring(0, name.length() - suffix.length()))) {
                return true;
            }
        }
        return false;
    }

    private static List<String> missing(String text) {
        List<String> out = new ArrayList<>();
        Matcher m = METRIC.matcher(text);
        while (m.find()) {
            if (!exported(m.group()) && !out.contains(m.group())) {
                out.add(m.group());
            }
        }
        return out;
    }

    @Test
    void dashboardUsesExportedMetricsAndCoversTheOpsView() throws Exception {
        String json = Files.readString(TestModels.repo().resolve("firmware-scripts/ops/grafana-dashboard.json"));
        JsonNode dash = new ObjectMapper().readTree(json);
        assertEquals(List.of(), missing(json), "metrics the appliance does not export; exported: " + families);
        List<String> titles = new ArrayList<>();
        dash.get("panels").forEach(p -> titles.add(p.get("title").asText()));
        for (String needed : List.of("Stage latency", "adapter", "real-time factor", "tokens per second", "Queues", "503",
                "readiness", "Errors by code", "Live dictation")) {
            assertTrue(titles.stream().anyMatch(t -> t.contains(needed)), needed + " missing from " + titles);
        }
    }

    @Test
    void alertRulesUseExportedMetrics() throws Exception {
        String rules = Files.readString(TestModels.repo().resolve("firmware-scripts/ops/prometheus-alerts.yml"));
        assertEquals(List.of(), missing(rules), "metrics the appliance does not export; exported: " + families);
        assertTrue(rules.contains("alert: MedEdgeModelNotReady"));
    }
}
