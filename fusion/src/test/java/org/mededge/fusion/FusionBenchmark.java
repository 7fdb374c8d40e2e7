package org.mededge.fusion;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;

import org.hl7.fhir.r4.model.Bundle;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import org.mededge.fusion.fhir.BundleValidator;
import org.mededge.fusion.fhir.Fhir;
import org.mededge.fusion.fhir.NoteBundle;
import org.mededge.fusion.radiology.RadiologyNormalizer;

/**
 * Latency of structuring a typical note (p50/p95), radiology normalization, FHIR bundle building,
 * and the offline validator's warm-up and per-bundle time. Run on request:
 * {@code mvn -o -pl fusion -am test -Dfusion.skipGroups=none -Dgroups=benchmark -Dtest=FusionBenchmark -Dsurefire.failIfNoSpecifiedTests=false}
 */
@Tag("benchmark")
class FusionBenchmark {

    @Test
    void measure() {
        List<String> notes = new ArrayList<>();
        for (String f : List.of("notes-zh.json", "notes-en.json")) {
            for (JsonNode n : Golden.load(f)) {
                notes.add(n.get("text").asText());
            }
        }
        int chars = notes.stream().mapToInt(String::length).sum() / notes.size();
        ReportAssembler a = new ReportAssembler(FusionConfig.defaults());
        long cold0 = System.nanoTime();
        a.structure(new NoteRequest(notes.get(0), null, null), Optional.empty());
        double coldMs = (System.nanoTime() - cold0) / 1e6;
        for (int i = 0; i < 2000; i++) {
            a.structure(new NoteRequest(notes.get(i % notes.size()), null, null), Optional.empty());
        }
        double[] structure = new double[4000];
        List<StructuredReport> reports = new ArrayList<>();
        for (int i = 0; i < structure.length; i++) {
            String t = notes.get(i % notes.size());
            long t0 = System.nanoTime();
            StructuredReport r = a.structure(new NoteRequest(t, null, null), Optional.empty());
            structure[i] = (System.nanoTime() - t0) / 1e6;
            if (i < notes.size()) {
                reports.add(r);
            }
        }

        RadiologyNormalizer rn = new RadiologyNormalizer();
        List<String> rad = new ArrayList<>();
        for (String f : List.of("radiology-zh.json", "radiology-en.json")) {
            for (JsonNode n : Golden.load(f)) {
                rad.add(n.get("text").asText());
            }
        }
        for (int i = 0; i < 2000; i++) {
            rn.normalize(rad.get(i % rad.size()), null, 65536);
        }
        double[] radiology = new double[4000];
        for (int i = 0; i < radiology.length; i++) {
            long t0 = System.nanoTime();
            rn.normalize(rad.get(i % rad.size()), null, 65536);
            radiology[i] = (System.nanoTime() - t0) / 1e6;
        }

        for (int i = 0; i < 200; i++) {
            Fhir.json(NoteBundle.build(reports.get(i % reports.size()), Instant.now()));
        }
        double[] build = new double[1000];
        for (int i = 0; i < build.length; i++) {
            long t0 = System.nanoTime();
            Fhir.json(NoteBundle.build(reports.get(i % reports.size()), Instant.now()));
            build[i] = (System.nanoTime() - t0) / 1e6;
        }

        long warmUp = BundleValidator.warmUp();
        double[] validate = new double[reports.size() * 2];
        int errors = 0;
        for (int i = 0; i < validate.length; i++) {
            Bundle b = NoteBundle.build(reports.get(i % reports.size()), Instant.now());
            long t0 = System.nanoTime();
            errors += BundleValidator.get().errors(b).size();
            validate[i] = (System.nanoTime() - t0) / 1e6;
        }

        System.out.printf(Locale.ROOT, "%nFusion benchmark (%d cores, %s; %d golden notes, mean %d chars)%n",
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"), notes.size(), chars);
        System.out.printf(Locale.ROOT, "structure a note (first call, cold)   %8.1f ms%n", coldMs);
        row("structure a note (warm)", structure);
        row("normalize a radiology sentence", radiology);
        row("build FHIR bundle + JSON", build);
        System.out.printf(Locale.ROOT, "FHIR validator warm-up (build + first bundle) %8d ms%n", warmUp);
        row("validate one note bundle (warm)", validate);
        System.out.printf(Locale.ROOT, "validation errors over %d bundles: %d%n", validate.length, errors);
    }

    private static void row(String what, double[] ms) {
        double[] s = ms.clone();
        Arrays.sort(s);
        System.out.printf(Locale.ROOT, "%-38s p50 %7.3f ms  p95 %7.3f ms  max %8.3f ms  (n=%d)%n", what,
                s[s.length / 2], s[(int) Math.floor(s.length * 0.95)], s[s.length - 1], s.length);
    }
}
