package org.mededge.appliance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bedside and reading-room pages in headless Debian Chromium, driven by playwright-core
 * (appliance/src/test/browser/pages.mjs): a WAV dictation is uploaded through the page and what the
 * page shows is checked; the same WAV, played by Chromium's fake microphone, is dictated live (text
 * before the audio ends, its vitals in the report); radiology wording is normalized; an image is read and its heatmap opened.
 * Screenshots land in appliance/target/screenshots. Skips only where Chromium or the npm package is
 * absent (firmware-scripts/dev/test.sh installs both).
 */
class BrowserTest {
    private static final String CLINICIAN = "clinician-browser-0123456789";
    private static final String RADIOLOGY = "radiology-browser-0123456789";

    private static final Path CHROMIUM_PATH = Path.of(System.getenv().getOrDefault("CHROMIUM", "/usr/bin/chromium"));

    /** A browser script, or the test skipped where Chromium or playwright-core is absent. */
    private static Path script(String name) {
        Path script = TestModels.repo().resolve("appliance/src/test/browser/" + name);
        assumeTrue(Files.isExecutable(CHROMIUM_PATH), "Chromium not installed at " + CHROMIUM_PATH);
        assumeTrue(Files.isDirectory(script.resolveSibling("node_modules/playwright-core")),
                "playwright-core not installed: npm ci --prefix appliance/src/test/browser");
        return script;
    }

    @Test
    void bedsideAndReadingRoomPages(@TempDir Path tmp) throws Exception {
        Path script = script("pages.mjs");

        // the project's demo speech model when it is installable, else whisper.cpp's weightless test model
        Path home = tmp.resolve("home");
        boolean demo = TestModels.installer(home, "--mirror", TestModels.mirror().toString(), "--only", "whisper-demo").exit() == 0;
        boolean llm = TestModels.installer(home, "--mirror", TestModels.mirror().toString(), "--only", "llm-demo").exit() == 0;
        TestModels.homeWith(home, "silero-vad", "whisper-for-tests", "mobilenetv2-int8");
        Path wav = demo ? heldOutWav() : TestModels.shared().resolve("samples/jfk-en.wav");
        Path tokens = tmp.resolve("tokens");
        Files.writeString(tokens, "clinician " + CLINICIAN + "\nradiology " + RADIOLOGY + "\n");

        try (Appliance a = TestAppliance.start(home, Map.of("mededge.auth.enabled", "true",
                "mededge.auth.tokens-file", tokens.toString(),
                "mededge.engines.asr.model", demo ? "whisper-demo" : "whisper-for-tests",
                "mededge.engines.vision.model", "mobilenetv2-int8",
                "mededge.engines.llm.enabled", String.valueOf(llm), "mededge.engines.llm.model", "llm-demo"))) {
            Path out = TestModels.repo().resolve("appliance/target/screenshots");
            Files.createDirectories(out);
            ProcessBuilder pb = new ProcessBuilder("node", script.toString()).directory(script.getParent().toFile())
                    .redirectError(ProcessBuilder.Redirect.INHERIT);
            Map<String, String> env = pb.environment();
            env.put("BASE", "http://127.0.0.1:" + a.port());
            env.put("CLINICIAN", CLINICIAN);
            env.put("RADIOLOGY", RADIOLOGY);
            env.put("WAV", wav.toString());
            env.put("IMAGE", TestModels.shared().resolve("samples/img-pelican.jpeg").toString());
            env.put("OUT_DIR", out.toString());
            env.put("CHROMIUM", CHROMIUM_PATH.toString());
            env.put("LIVE", String.valueOf(demo));
            Process p = pb.start();
            String stdout = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(5, TimeUnit.MINUTES), "browser run timed out");
            assertEquals(0, p.exitValue(), "pages.mjs failed: " + stdout);
            JsonNode r = new ObjectMapper().readTree(stdout.lines().reduce((x, y) -> y).orElse("{}"));

            JsonNode bedside = r.get("bedside");
            assertTrue(bedside.get("transcript").asText().contains("s of audio"), bedside.toString());
            assertTrue(bedside.get("disclaimer").size() > 0 || !demo, "the disclaimer is shown with a report: " + bedside);
            if (demo) {
                assertTrue(bedside.get("transcript").asText().length() > 40, "the demo model transcribes: " + bedside);
                assertTrue(bedside.get("report").asText().contains("LOINC") || bedside.get("report").asText().contains("8310-5"),
                        "structured fields are shown: " + bedside);
                assertTrue(bedside.get("signState").asText().contains("signed"), bedside.toString());
            } else {
                assertTrue(bedside.get("transcript").asText().contains("no speech found"), bedside.toString());
            }
            if (demo) {
                // live dictation from Chromium's fake microphone playing the held-out WAV
                JsonNode live = r.get("live");
                System.out.println("live dictation in Chromium: " + live);
                assertTrue(live.get("firstTextMs").asLong() < clipMs(wav), "text appeared before the audio ended: " + live);
                assertTrue(live.get("state").asText().contains("report stored"), live.toString());
                assertTrue(live.get("report").asText().contains("8310-5") || live.get("report").asText().contains("36.1"),
                        "the live dictation's vitals are in its report: " + live);
                assertTrue(Files.size(out.resolve("bedside-live.png")) > 10_000);
            }
            JsonNode note = r.get("bedsideNote");
            assertTrue(note.get("transcript").asText().contains("typed note"), note.toString());
            assertTrue(note.get("report").asText().contains("39.2"), "the typed note's vitals are shown: " + note);
            assertTrue(note.get("disclaimer").size() > 0, note.toString());
            assertTrue(note.get("signEnabled").asBoolean(), note.toString());
            assertTrue(note.get("attachState").asText().startsWith("added: version 2"), "an image is attached to the note: " + note);
            assertTrue(note.get("notClinicalMarks").asInt() > 0, "the test model's findings are marked: " + note);
            assertTrue(note.get("reportAfterImage").asText().contains("demonstration model, not a clinical finding"), note.toString());
            if (llm) {
                assertTrue(note.get("report").asText().contains("respiratory"), "the adapter's assessment is shown: " + note);
            }
            JsonNode room = r.get("readingRoom");
            assertTrue(room.get("normalized").asText().contains("右肺下叶"), room.toString());
            assertTrue(room.get("terms").asText().contains("RID3875"), "nodule with its RadLex id: " + room);
            assertTrue(room.get("terms").asText().contains("10"), "约1cm shown as 10 mm: " + room);
            assertTrue(room.get("study").asText().contains("pelican"), room.toString());
            assertTrue(room.get("studyState").asText().contains("not a clinical"), "the test-model notice is shown: " + room);
            assertTrue(room.get("heatmapShown").asBoolean(), room.toString());
            assertEquals(List.of(), new ObjectMapper().convertValue(r.get("consoleErrors"), List.class), "no console errors");
            assertTrue(Files.size(out.resolve("bedside.png")) > 10_000);
            assertTrue(Files.size(out.resolve("bedside-dictation.png")) > 10_000);
            assertTrue(Files.size(out.resolve("reading-room.png")) > 10_000);
        }
    }

    /**
     * The reading room's workflow in Chromium (appliance/src/test/browser/reading-room.mjs) with the demo chest model
     * and the demo LLM's radiology adapter: a held-out phantom DICOM (left pneumothorax, right effusion) read, opened
     * from the worklist, findings typed, signing refused until the review items are answered and the critical result
     * recorded, then signed. The clicks are counted for the closing note.
     */
    @Test
    void readingRoomFromWorklistToSignature(@TempDir Path tmp) throws Exception {
        Path script = script("reading-room.mjs");
        Path home = TestModels.sharedHome("chest-demo", "llm-demo");
        Path tokens = tmp.resolve("tokens");
        Files.writeString(tokens, "radiology " + RADIOLOGY + "\n");
        try (Appliance a = TestAppliance.start(home, Map.of("mededge.auth.enabled", "true",
                "mededge.auth.tokens-file", tokens.toString(), "mededge.engines.vad.enabled", "false",
                "mededge.engines.asr.enabled", "false", "mededge.engines.llm.model", "llm-demo",
                "mededge.engines.llm.required", "true", "mededge.engines.vision.model", "chest-demo"))) {
            Path out = TestModels.repo().resolve("appliance/target/screenshots");
            Files.createDirectories(out);
            ProcessBuilder pb = new ProcessBuilder("node", script.toString()).directory(script.getParent().toFile())
                    .redirectError(ProcessBuilder.Redirect.INHERIT);
            pb.environment().put("BASE", "http://127.0.0.1:" + a.port());
            pb.environment().put("RADIOLOGY", RADIOLOGY);
            pb.environment().put("DICOM", TestModels.repo().resolve(
                    "firmware-scripts/models/demo/chest-demo/samples/heldout-pneumothorax-left-effusion-right.dcm").toString());
            pb.environment().put("OUT_DIR", out.toString());
            pb.environment().put("CHROMIUM", CHROMIUM_PATH.toString());
            Process p = pb.start();
            String stdout = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(5, TimeUnit.MINUTES), "browser run timed out");
            assertEquals(0, p.exitValue(), "reading-room.mjs failed: " + stdout);
            JsonNode r = new ObjectMapper().readTree(stdout.lines().reduce((x, y) -> y).orElse("{}"));
            System.out.println("reading room in Chromium: " + r);
            JsonNode viewer = r.get("viewer");
            assertEquals(384, viewer.get("width").asInt(), "the 384 x 384 phantom shown at its size: " + viewer);
            assertFalse(viewer.get("before").equals(viewer.get("narrowWindow")), "the window changes what is shown: " + viewer);
            assertTrue(viewer.get("overlay").asText().contains("heatmap Left pneumothorax"), viewer.toString());
            assertTrue(r.get("worklistFirst").asText().startsWith("critical"), "the critical study first: " + r);
            assertTrue(r.get("review").asText().contains("pneumothorax_left"), r.toString());
            assertTrue(r.get("followUp").asText().contains("CT at 6-12 months"), r.toString());
            assertTrue(r.get("draftNote").asText().contains("AI draft"), r.toString());
            assertTrue(r.get("refused").asText().contains("RADIOLOGY_CHECKS_FAILED"), r.toString());
            assertEquals("signed", r.get("signState").asText(), r.toString());
            assertTrue(r.get("state").asText().contains("final"), r.toString());
            JsonNode zh = r.get("zh");
            assertEquals("zh", zh.get("lang").asText());
            assertTrue(zh.get("headings").toString().contains("工作列表") && zh.get("headings").toString().contains("签署前检查"), zh.toString());
            assertTrue(zh.get("review").asText().contains("AI 发现左侧气胸"), "the review messages in Chinese: " + zh);
            assertEquals(List.of(), new ObjectMapper().convertValue(r.get("consoleErrors"), List.class), "no console errors");
            assertTrue(Files.size(out.resolve("reading-room-review.png")) > 10_000);
            assertTrue(Files.size(out.resolve("reading-room-signed.png")) > 10_000);
        }
    }

    /** A 16-bit mono WAV's duration in ms. */
    private static long clipMs(Path wav) throws Exception {
        byte[] b = Files.readAllBytes(wav);
        java.nio.ByteBuffer bb = java.nio.ByteBuffer.wrap(b).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        return (b.length - 44) * 1000L / (bb.getInt(24) * 2L);
    }

    private static Path heldOutWav() throws Exception {
        try (var s = Files.list(TestModels.repo().resolve("firmware-scripts/models/demo/heldout"))) {
            return s.filter(p -> p.getFileName().toString().startsWith("heldout-en") && p.toString().endsWith(".wav"))
                    .sorted().findFirst().orElseThrow();
        }
    }
}
