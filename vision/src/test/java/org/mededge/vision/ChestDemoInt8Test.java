package org.mededge.vision;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

import org.junit.jupiter.api.Test;

import org.mededge.vision.io.TestFiles;

/**
 * chest-demo-int8 (chest-demo's weights in int8, firmware-scripts/models/demo/chest/quantize_int8.py)
 * served by the same engine as the float model: on every committed held-out sample it calls the same
 * findings and passes the gate, its probabilities stay near the float model's, and the pelican is
 * refused by both.
 */
class ChestDemoInt8Test {
    private static final Path SAMPLES = TestFiles.repo().resolve("firmware-scripts/models/demo/chest-demo/samples");

    private static String type(Path p) {
        String n = p.getFileName().toString();
        return n.endsWith(".dcm") ? "application/dicom" : "image/png";
    }

    @Test
    void theInt8ModelCallsWhatTheFloatModelCallsOnEveryHeldOutSample() throws IOException {
        List<Path> samples;
        try (var s = Files.list(SAMPLES)) {
            samples = s.filter(p -> p.toString().endsWith(".dcm") || p.toString().endsWith(".png")).sorted().toList();
        }
        assertTrue(samples.size() >= 4, "committed samples: " + samples);
        double worst = 0;
        try (VisionEngine f = VisionEngine.open(TestModels.spec("chest-demo"), TestModels.config("onnxruntime"));
             VisionEngine q = VisionEngine.open(TestModels.spec("chest-demo-int8"), TestModels.config("onnxruntime"))) {
            assertEquals("chest-demo-int8", q.analyze(Files.readAllBytes(samples.get(0)), type(samples.get(0))).findings().model().name());
            for (Path p : samples) {
                byte[] bytes = Files.readAllBytes(p);
                ImagingFindings a = f.analyze(bytes, type(p)).findings();
                ImagingFindings b = q.analyze(bytes, type(p)).findings();
                assertEquals(a.positives().stream().map(Finding::label).toList(), b.positives().stream().map(Finding::label).toList(),
                        p.getFileName().toString());
                for (int i = 0; i < a.findings().size(); i++) {
                    assertEquals(a.findings().get(i).label(), b.findings().get(i).label());
                    worst = Math.max(worst, Math.abs(a.findings().get(i).probability() - b.findings().get(i).probability()));
                }
                assertEquals(a.measurements().get(0).value(), b.measurements().get(0).value(), 0.02, "CTR of " + p.getFileName());
            }
            System.out.printf(Locale.ROOT, "chest-demo-int8 vs chest-demo on %d held-out samples: largest probability difference %.4f%n",
                    samples.size(), worst);
            // over the 600 held-out phantoms the largest difference is 0.096 (chest-demo/int8-metrics.json)
            assertTrue(worst < 0.1, "probabilities near the float model's: " + worst);
            byte[] pelican = Files.readAllBytes(TestFiles.sample("img-pelican.jpeg"));
            for (VisionEngine e : List.of(f, q)) {
                VisionException x = assertThrows(VisionException.class, () -> e.analyze(pelican, "image/jpeg"));
                assertEquals(VisionError.VISION_NOT_A_CHEST_RADIOGRAPH, x.error());
            }
        }
    }
}
