package org.mededge.appliance.studies;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Arrays;
import java.util.Map;

import javax.imageio.ImageIO;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.mededge.appliance.Appliance;
import org.mededge.appliance.Http;
import org.mededge.appliance.TestAppliance;
import org.mededge.appliance.TestModels;
import org.mededge.appliance.audit.AuditEntry;
import org.mededge.appliance.audit.AuditTrail;

/**
 * POST /v1/studies and the heatmap through real HTTP, on MobileNetV2-int8 installed by the real
 * installer (a test model: it must never be presented as clinical), and the bad-upload corpus.
 */
class StudiesHttpTest {
    @TempDir
    static Path home;
    private static Appliance appliance;
    private static Http http;

    @BeforeAll
    static void start() {
        TestModels.homeWith(home, "mobilenetv2-int8");
        appliance = TestAppliance.start(home, Map.of(
                "mededge.engines.vad.enabled", "false",
                "mededge.engines.asr.enabled", "false",
                "mededge.engines.vision.model", "mobilenetv2-int8",
                "mededge.engines.vision.required", "true",
                // as an environment variable would give it: one comma-separated value
                "mededge.vision.backends", "tensorrt,onnxruntime",
                "mededge.vision.max-image-bytes", "2000000"));
        http = new Http(appliance.port());
    }

    @AfterAll
    static void stop() {
        appliance.close();
    }

    static byte[] sample(String name) throws IOException {
        return Files.readAllBytes(TestModels.shared().resolve("samples").resolve(name));
    }

    @Test
    void readinessAndModelsSayWhichBackendServesAndWhyTensorRtDoesNot() {
        Http.Response ready = http.get("/health/ready");
        assertEquals(200, ready.status(), ready.body());
        JsonNode vision = null;
        for (JsonNode c : ready.json().get("checks")) {
            if (c.get("name").asText().equals("vision")) {
                vision = c;
            }
        }
        assertNotNull(vision, ready.body());
        String detail = vision.get("detail").asText();
        assertTrue(detail.contains("backend onnxruntime on cpu"), detail);
        assertTrue(detail.contains("TensorRT unavailable: "), detail);
        assertTrue(detail.contains("not clinical"), detail);
        for (JsonNode m : http.get("/v1/models").json().get("models")) {
            if (m.get("name").asText().equals("mobilenetv2-int8")) {
                assertEquals("vision", m.get("servedBy").asText());
                assertTrue(m.get("stateDetail").asText().contains("TensorRT unavailable: "), m.toString());
            }
        }
    }

    @Test
    void aPhotoIsAnalysedAndNeverCalledAClinicalFinding() throws IOException {
        byte[] jpeg = sample("img-pelican.jpeg");
        Http.Response r = http.post("/v1/studies", "image/jpeg", jpeg);
        assertEquals(200, r.status(), r.body());
        JsonNode j = r.json();
        assertEquals("pelican", j.get("findings").get(0).get("label").asText());
        assertTrue(j.get("findings").get(0).get("probability").asDouble() > 0.3, r.body());
        assertTrue(j.get("findings").get(0).get("radlexId").isNull());
        assertEquals(500, j.get("study").get("width").asInt());
        assertEquals(375, j.get("study").get("height").asInt());
        assertEquals("jpeg", j.get("study").get("format").asText());
        JsonNode model = j.get("model");
        assertEquals("mobilenetv2-int8", model.get("name").asText());
        assertEquals("onnxruntime", model.get("backend").asText());
        assertEquals("cpu", model.get("device").asText());
        assertEquals("test", model.get("tier").asText());
        assertFalse(model.get("clinical").asBoolean());
        assertTrue(j.get("notice").asText().contains("not a clinical one"), r.body());
        for (String t : new String[] {"decodeMs", "preprocessMs", "inferMs"}) {
            assertTrue(j.get("timings").get(t).asLong() >= 0, t);
        }
        String id = j.get("id").asText();
        assertEquals("/v1/studies/" + id + "/heatmap?label=pelican", j.get("heatmap").asText());

        // the call is audited with the image's sha256, never its content
        AuditEntry last = null;
        for (AuditEntry e : appliance.audit().entries(0, 10_000)) {
            // stored as a report: the audit entry is written with it, in one transaction
            if (e.action().equals("study.analyze") && e.resource().equals("report/" + j.get("reportId").asText())) {
                last = e;
            }
        }
        assertNotNull(last, "audit entry for the study");
        assertEquals(AuditTrail.sha256(jpeg), last.inputSha256());
        assertEquals("mobilenetv2-int8@12", last.models());
        assertEquals("ok", last.outcome());
    }

    @Test
    void dicomAndPngStudies() throws IOException {
        Http.Response d = http.post("/v1/studies", "application/dicom", sample("cxr-siim-chest-pa-jpeg-baseline.dcm"));
        assertEquals(200, d.status(), d.body());
        JsonNode s = d.json().get("study");
        assertEquals(1024, s.get("width").asInt());
        assertEquals(1024, s.get("height").asInt());
        assertEquals("CR", s.get("modality").asText());
        assertEquals("CHEST", s.get("bodyPart").asText());
        assertEquals("dicom", s.get("format").asText());
        assertEquals("bit-depth", s.get("window").get("source").asText());

        Http.Response p = http.post("/v1/studies", "image/png", sample("cxr-nih-00000001_000-cardiomegaly.png"));
        assertEquals(200, p.status(), p.body());
        assertEquals(512, p.json().get("study").get("width").asInt());
        assertTrue(p.json().get("study").get("modality").isNull());
        Http.Response o = http.post("/v1/studies", "application/octet-stream", sample("img-bald-eagle.jpeg"));
        assertEquals("bald eagle", o.json().get("findings").get(0).get("label").asText(), o.body());
    }

    @Test
    void heatmapIsAPngOfTheModelsView() throws Exception {
        Http.Response r = http.post("/v1/studies", "image/jpeg", sample("img-pelican.jpeg"));
        String link = r.json().get("heatmap").asText();
        HttpResponse<byte[]> png = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + appliance.port() + link)).GET().build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, png.statusCode(), new String(png.body(), StandardCharsets.UTF_8));
        assertEquals("image/png", png.headers().firstValue("Content-Type").orElse(""));
        assertEquals("pelican", png.headers().firstValue("X-MedEdge-Label").orElse(""));
        assertEquals("no-store", png.headers().firstValue("Cache-Control").orElse(""));
        BufferedImage img = ImageIO.read(new ByteArrayInputStream(png.body()));
        assertEquals(448, img.getWidth(), "224 input drawn 2x");

        String id = r.json().get("id").asText();
        assertError(http.get("/v1/studies/" + id + "/heatmap?label=unicorn"), 422, "VISION_UNKNOWN_LABEL");
        assertError(http.get("/v1/studies/00000000-0000-0000-0000-000000000000/heatmap?label=pelican"), 404, "STUDY_NOT_FOUND");
    }

    @Test
    void badUploadsGiveClean4xx() throws IOException {
        byte[] png = sample("cxr-nih-00000001_000-cardiomegaly.png");
        byte[] dcm = sample("cxr-siim-chest-pa-jpeg-baseline.dcm");
        assertError(http.post("/v1/studies", "image/png", new byte[0]), 400, "EMPTY_BODY");
        assertError(http.post("/v1/studies", "text/plain", "hello".getBytes(StandardCharsets.UTF_8)), 415, "UNSUPPORTED_MEDIA_TYPE");
        assertError(http.post("/v1/studies", "image/png", Arrays.copyOf(png, png.length / 3)), 422, "VISION_IMAGE_TRUNCATED");
        assertError(http.post("/v1/studies", "image/png", "just some text, no image".getBytes(StandardCharsets.UTF_8)), 422,
                "VISION_IMAGE_UNREADABLE");
        assertError(http.post("/v1/studies", "image/png", sample("img-pelican.jpeg")), 415, "VISION_UNSUPPORTED_FORMAT");
        assertError(http.post("/v1/studies", "application/dicom", Arrays.copyOf(dcm, dcm.length - 9000)), 422, "VISION_IMAGE_TRUNCATED");
        // the same file declaring JPEG 2000: same length UID, so the file stays well-formed
        byte[] j2k = new String(dcm, StandardCharsets.ISO_8859_1).replaceFirst("1\\.2\\.840\\.10008\\.1\\.2\\.4\\.50",
                "1.2.840.10008.1.2.4.90").getBytes(StandardCharsets.ISO_8859_1);
        Http.Response t = http.post("/v1/studies", "application/dicom", j2k);
        assertError(t, 415, "VISION_UNSUPPORTED_TRANSFER_SYNTAX");
        assertTrue(t.json().get("error").get("message").asText().contains("JPEG 2000"), t.body());
        byte[] bomb = png.clone();
        bomb[16] = 0;
        bomb[17] = 0;
        bomb[18] = (byte) 0xC3;
        bomb[19] = 0x50; // width 50000
        bomb[20] = 0;
        bomb[21] = 0;
        bomb[22] = (byte) 0xC3;
        bomb[23] = 0x50; // height 50000
        assertError(http.post("/v1/studies", "image/png", bomb), 413, "VISION_IMAGE_TOO_LARGE");
        assertError(http.post("/v1/studies", "image/png", new byte[2_000_001]), 413, "BODY_TOO_LARGE");

        String metrics = http.get("/metrics").body();
        assertTrue(metrics.contains("mededge_vision_studies_total{model=\"mobilenetv2-int8\",outcome=\"VISION_IMAGE_TRUNCATED\",}"), metrics);
        assertTrue(metrics.contains("mededge_vision_backend_info{model=\"mobilenetv2-int8\",backend=\"onnxruntime\",device=\"cpu\",} 1.0"), metrics);
    }

    @Test
    void phasesAndOutcomesAreInTheMetrics() throws IOException {
        assertEquals(200, http.post("/v1/studies", "image/jpeg", sample("img-bald-eagle.jpeg")).status());
        String metrics = http.get("/metrics").body();
        for (String stage : new String[] {"vision_decode", "vision_preprocess", "vision_infer"}) {
            assertTrue(metrics.contains("mededge_stage_seconds_count{stage=\"" + stage + "\",model=\"mobilenetv2-int8\",outcome=\"ok\",}"), stage);
        }
        assertTrue(metrics.contains("mededge_vision_studies_total{model=\"mobilenetv2-int8\",outcome=\"ok\",}"), metrics);
    }

    static void assertError(Http.Response r, int status, String code) {
        assertEquals(status, r.status(), r.body());
        JsonNode e = r.json().get("error");
        assertNotNull(e, r.body());
        assertEquals(code, e.get("code").asText(), r.body());
        assertTrue(e.get("message").asText().length() > 10, r.body());
        assertFalse(r.body().contains("Exception"), r.body());
    }
}
