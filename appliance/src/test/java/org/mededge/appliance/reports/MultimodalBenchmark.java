package org.mededge.appliance.reports;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

import org.mededge.appliance.Appliance;
import org.mededge.appliance.Http;
import org.mededge.appliance.TestAppliance;
import org.mededge.appliance.TestModels;

/**
 * The stages of one multimodal report, p50 over 20: a note (demo LLM assessment), then a study
 * attached to it (chest-demo on a held-out phantom DICOM) and the report re-fused and published. For
 * the attach request: the imaging stages, fusion's extract and assessment, FHIR build and validation,
 * and the orchestration overhead (the request's wall time minus the model stages: decode, preprocess,
 * inference, assessment). Run on request:
 * {@code mvn -o -pl appliance -am test -Dtest=MultimodalBenchmark -Dbenchmark=true -Dsurefire.failIfNoSpecifiedTests=false}
 */
@Tag("benchmark")
@EnabledIfSystemProperty(named = "benchmark", matches = "true")
class MultimodalBenchmark {
    private static final Pattern STAGE = Pattern.compile(
            "mededge_stage_seconds_sum\\{stage=\"(fusion_fhir_build|fusion_fhir_validate|report_store)\",model=\"none\",outcome=\"ok\",} ([0-9.Ee-]+)");

    private static Map<String, Double> sums(Http http) {
        Map<String, Double> m = new LinkedHashMap<>();
        Matcher x = STAGE.matcher(http.get("/metrics").body());
        while (x.find()) {
            m.put(x.group(1), Double.parseDouble(x.group(2)) * 1000);
        }
        return m;
    }

    @Test
    void measure() throws Exception {
        Path home = TestModels.repo().resolve("appliance/target/test-home-demo");
        TestModels.installer(home, "--mirror", TestModels.mirror().toString(), "--only", "llm-demo", "--only", "chest-demo");
        for (boolean validate : new boolean[] {false, true}) {
            try (Appliance a = TestAppliance.start(home, Map.of(
                    "mededge.engines.vad.enabled", "false",
                    "mededge.engines.asr.enabled", "false",
                    "mededge.engines.llm.model", "llm-demo",
                    "mededge.engines.llm.required", "true",
                    "mededge.engines.vision.model", "chest-demo",
                    "mededge.engines.vision.required", "true",
                    "mededge.fusion.validate-fhir", Boolean.toString(validate)))) {
                Http http = new Http(a.port());
                byte[] film = Files.readAllBytes(TestModels.repo().resolve(
                        "firmware-scripts/models/demo/chest-demo/samples/heldout-pneumothorax-left-effusion-right.dcm"));
                byte[] note = ("{\"text\":\"Chief complaint: cough and fever for 3 days. Exam: T 38.6 C, HR 104, SpO2 93% on room air,"
                        + " crackles right base. Labs: WBC 14.2, CRP 96 mg/L.\",\"specialty\":\"respiratory\"}").getBytes(StandardCharsets.UTF_8);
                Map<String, List<Double>> t = new LinkedHashMap<>();
                for (int i = 0; i < 23; i++) {
                    String id = http.post("/v1/notes", "application/json", note).json().get("reportId").asText();
                    Map<String, Double> before = sums(http);
                    long w0 = System.nanoTime();
                    JsonNode r = http.post("/v1/reports/" + id + "/studies", "application/dicom", film).json();
                    double wall = (System.nanoTime() - w0) / 1e6;
                    Map<String, Double> after = sums(http);
                    if (i < 3) {
                        continue; // warm-up
                    }
                    JsonNode st = r.get("study").get("timings");
                    JsonNode ft = r.get("report").get("provenance").get("timings");
                    double models = st.get("decodeMs").asDouble() + st.get("preprocessMs").asDouble() + st.get("inferMs").asDouble()
                            + ft.path("assessmentMs").asDouble();
                    add(t, "image decode", st.get("decodeMs").asDouble());
                    add(t, "image preprocess", st.get("preprocessMs").asDouble());
                    add(t, "imaging inference", st.get("inferMs").asDouble());
                    add(t, "fusion extract + safety", ft.get("extractMs").asDouble() + ft.get("safetyMs").asDouble());
                    add(t, "assessment (LLM)", ft.path("assessmentMs").asDouble());
                    add(t, "FHIR build", after.getOrDefault("fusion_fhir_build", 0.0) - before.getOrDefault("fusion_fhir_build", 0.0));
                    add(t, "FHIR validate", after.getOrDefault("fusion_fhir_validate", 0.0) - before.getOrDefault("fusion_fhir_validate", 0.0));
                    add(t, "store + audit (one transaction)", after.getOrDefault("report_store", 0.0) - before.getOrDefault("report_store", 0.0));
                    add(t, "attach request, wall", wall);
                    add(t, "orchestration (wall - model stages)", wall - models);
                    add(t, "orchestration share %", 100 * (wall - models) / wall);
                }
                System.out.printf(Locale.ROOT, "multimodal report, validate-fhir=%s, p50 over 20 (%s, %d cores)%n", validate,
                        System.getProperty("java.version"), Runtime.getRuntime().availableProcessors());
                t.forEach((k, v) -> System.out.printf(Locale.ROOT, "  %-38s p50 %8.2f%n", k, p50(v)));
            }
        }
    }

    private static void add(Map<String, List<Double>> t, String k, double v) {
        t.computeIfAbsent(k, x -> new ArrayList<>()).add(v);
    }

    private static double p50(List<Double> v) {
        double[] a = v.stream().mapToDouble(Double::doubleValue).toArray();
        Arrays.sort(a);
        return a[a.length / 2];
    }
}
