package org.mededge.appliance.notes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.mededge.appliance.Appliance;
import org.mededge.appliance.Http;
import org.mededge.appliance.TestAppliance;
import org.mededge.appliance.TestModels;

/**
 * POST /v1/notes and POST /v1/radiology/normalize through a real appliance over real HTTP, with no
 * language model installed: reports without an assessment, and every kind of bad input answered
 * 4xx with a stable code in the one error shape.
 */
class NotesHttpTest {
    private static Appliance appliance;
    private static Http http;

    @BeforeAll
    static void start() {
        Path home = TestModels.sharedHome("silero-vad");
        appliance = TestAppliance.start(home, Map.of(
                "mededge.engines.llm.enabled", "false",
                "mededge.engines.asr.enabled", "false",
                "mededge.engines.vision.enabled", "false",
                // a body limit above the text limit, so that both answers can be seen
                "mededge.http.max-json-bytes", "20000",
                "mededge.fusion.max-text-bytes", "8192"));
        http = new Http(appliance.port());
    }

    @AfterAll
    static void stop() {
        appliance.close();
    }

    private static Http.Response post(String path, String json) {
        return http.post(path, "application/json", json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void aChineseNoteBecomesAReportAndAFhirDocument() {
        Http.Response r = post("/v1/notes", "{\"text\":\"主诉：咳嗽、发热3天。查体：体温三十八度六，心率一百一十次每分，"
                + "BP 130/80mmHg，SpO2 88%。无胸痛。\",\"specialty\":\"respiratory\"}");
        assertEquals(200, r.status(), r.body());
        assertEquals("no-store", r.header("Cache-Control"));
        JsonNode report = r.json().get("report");
        assertEquals("zh", report.get("language").asText());
        assertEquals("respiratory", report.get("specialty").asText());
        assertEquals("咳嗽、发热3天。", report.at("/sections/chiefComplaint").asText());
        JsonNode temp = report.get("vitals").get(0);
        assertEquals("8310-5", temp.get("code").asText());
        assertEquals(38.6, temp.get("value").asDouble());
        assertEquals("Cel", temp.get("unit").asText());
        assertEquals("体温三十八度六", temp.get("text").asText());
        assertEquals(110, report.get("vitals").get(1).get("value").asInt());
        assertTrue(r.body().contains("\"value\":110,"), "numbers are written plainly, never 1.1E+2");
        assertFalse(report.has("assessment"), "no model, no assessment");
        assertTrue(report.get("flags").toString().contains("RED_FLAG"), "SpO2 below 90 %");
        assertTrue(report.get("flags").toString().contains("NEEDS_REVIEW"));
        assertTrue(report.get("symptoms").toString().contains("\"negated\":true"));
        assertEquals("preliminary", report.get("status").asText());
        assertTrue(report.get("disclaimer").asText().startsWith("AI-generated draft; the treating clinician decides."));
        assertEquals("mededge-fusion-rules", report.at("/provenance/models/0/name").asText());
        JsonNode fhir = r.json().get("fhir");
        assertEquals("Bundle", fhir.get("resourceType").asText());
        assertEquals("document", fhir.get("type").asText());
        assertEquals("Composition", fhir.at("/entry/0/resource/resourceType").asText());
        assertEquals("11506-3", fhir.at("/entry/0/resource/type/coding/0/code").asText());
    }

    @Test
    void aDictatedEnglishNoteIsRead() {
        Http.Response r = post("/v1/notes", "{\"text\":\"Chief complaint chest pain for two hours radiating to the left arm with "
                + "sweating. Blood pressure one sixty over ninety five, temperature one oh one point three. Troponin I 2.3 ng/mL.\","
                + "\"language\":\"en\",\"specialty\":\"cardiology\"}");
        assertEquals(200, r.status(), r.body());
        JsonNode v = r.json().at("/report/vitals");
        assertEquals("8480-6", v.get(0).get("code").asText());
        assertEquals(160, v.get(0).get("value").asInt());
        assertEquals(95, v.get(1).get("value").asInt());
        assertEquals(38.5, v.get(2).get("value").asDouble(), "101.3 F");
        assertEquals(2.3, r.json().at("/report/labs/0/value").asDouble());
        assertEquals("PT2H", r.json().at("/report/symptoms/0/durationIso").asText());
        assertTrue(r.json().at("/report/flags").toString().contains("RED_FLAG"));
    }

    @Test
    void theReportAsAPageForPeople() {
        Http.Response r = http.post("/v1/notes?format=html", "application/json",
                "{\"text\":\"Cough <script>alert(1)</script> for 3 days, T 38.2\"}".getBytes(StandardCharsets.UTF_8));
        assertEquals(200, r.status(), r.body());
        assertTrue(r.header("Content-Type").startsWith("text/html"));
        assertTrue(r.header("Content-Security-Policy").contains("default-src 'none'"));
        assertFalse(r.body().contains("<script"), r.body());
        assertTrue(r.body().contains("&lt;script&gt;"));
        FoundationAssert.error(http.post("/v1/notes?format=pdf", "application/json", "{\"text\":\"x\"}".getBytes(StandardCharsets.UTF_8)),
                400, "INVALID_PARAMETER");
    }

    @Test
    void radiologyWordingIsNormalized() {
        Http.Response r = post("/v1/radiology/normalize", "{\"text\":\"右下肺见一实性结节，约1cm。未见胸腔积液及气胸。\"}");
        assertEquals(200, r.status(), r.body());
        JsonNode j = r.json();
        assertEquals("右肺下叶：实性结节，10 mm。未见胸腔积液。未见气胸。", j.get("normalizedText").asText());
        JsonNode nodule = j.get("findings").get(0);
        assertEquals("nodule", nodule.get("term").asText());
        assertEquals("RID3875", nodule.get("radlexId").asText());
        assertEquals("right", nodule.get("laterality").asText());
        assertEquals("lower lobe", nodule.get("site").asText());
        assertEquals(10, nodule.at("/measurements/0/valueMm").asInt());
        assertEquals("约1cm", nodule.at("/measurements/0/raw").asText());
        assertTrue(j.get("findings").get(1).get("negated").asBoolean());
        Http.Response en = post("/v1/radiology/normalize", "{\"text\":\"A 1.2 x 0.8 cm part-solid nodule in the left upper lobe.\","
                + "\"language\":\"en\"}");
        assertEquals("Left upper lobe: part-solid nodule, 12 × 8 mm.", en.json().get("normalizedText").asText());
        assertEquals("[12,8]", en.json().at("/findings/0/measurements/0/dimensionsMm").toString());
    }

    @Test
    void badInputIsAnswered4xxWithAStableCode() {
        for (String route : new String[] {"/v1/notes", "/v1/radiology/normalize"}) {
            FoundationAssert.error(post(route, "{\"text\":\"\"}"), 422, "EMPTY_TEXT");
            FoundationAssert.error(post(route, "{\"text\":\"  \\n\\t \"}"), 422, "EMPTY_TEXT");
            FoundationAssert.error(post(route, "{}"), 422, "MISSING_FIELD");
            FoundationAssert.error(post(route, "{\"text\":42}"), 422, "INVALID_FIELD");
            FoundationAssert.error(post(route, "{\"text\":[\"cough\"]}"), 422, "INVALID_FIELD");
            FoundationAssert.error(post(route, "{\"text\":\"cough\",\"language\":7}"), 422, "INVALID_FIELD");
            FoundationAssert.error(post(route, "{\"text\":\"cough\""), 400, "INVALID_JSON");
            FoundationAssert.error(post(route, "[\"cough\"]"), 422, "INVALID_REQUEST");
            FoundationAssert.error(http.post(route, "application/json",
                    new byte[] {'{', '"', 't', 'e', 'x', 't', '"', ':', '"', (byte) 0xE5, (byte) 0x92, '"', '}'}), 400, "INVALID_UTF8");
            FoundationAssert.error(http.post(route, "text/plain", "cough".getBytes(StandardCharsets.UTF_8)), 415, "UNSUPPORTED_MEDIA_TYPE");
            FoundationAssert.error(post(route, "{\"text\":\"" + "a".repeat(30000) + "\"}"), 413, "BODY_TOO_LARGE");
            FoundationAssert.error(post(route, "{\"text\":\"" + "咳".repeat(3000) + "\"}"), 413, "FUSION_TEXT_TOO_LONG");
            FoundationAssert.error(post(route, "{\"text\":\"cough\",\"language\":\"fr\"}"), 422, "FUSION_UNSUPPORTED_LANGUAGE");
            FoundationAssert.error(post(route, "{\"text\":\"cough\\u0000\"}"), 422, "FUSION_INVALID_INPUT");
            FoundationAssert.error(post(route, "{\"text\":\"cough\",\"speciality\":\"cardiology\"}"), 422, "UNKNOWN_FIELD");
        }
        FoundationAssert.error(post("/v1/notes", "{\"text\":\"cough\",\"specialty\":\"dermatology\"}"), 422, "FUSION_UNKNOWN_SPECIALTY");
    }

    @Test
    void noInputReachesA500() {
        Random rnd = new Random(42);
        String[] pieces = {"{", "}", "\"text\"", ":", "\"", "咳嗽", "38.6", "null", "[", "]", ",", "\\u0000", "\\", "T 100℃",
                "\"language\"", "\"specialty\"", "true", "1e999", "-", "﻿", "\\ud800", "BP 120/", "SpO2 %", "x".repeat(50)};
        for (int i = 0; i < 150; i++) {
            StringBuilder b = new StringBuilder();
            int n = 1 + rnd.nextInt(12);
            for (int k = 0; k < n; k++) {
                b.append(pieces[rnd.nextInt(pieces.length)]);
            }
            String route = rnd.nextBoolean() ? "/v1/notes" : "/v1/radiology/normalize";
            Http.Response r = post(route, b.toString());
            assertTrue(r.status() < 500, () -> b + " -> " + r.status() + " " + r.body());
            if (r.status() != 200) {
                assertNotNull(r.json().get("error"), r.body());
            }
        }
        // random well-formed notes: every one structures
        for (int i = 0; i < 50; i++) {
            StringBuilder t = new StringBuilder();
            for (int k = 0; k < 20; k++) {
                t.append(pieces[rnd.nextInt(pieces.length)].replace("\\", "").replace("\"", "")).append(rnd.nextBoolean() ? " " : "，");
            }
            Http.Response r = post("/v1/notes", "{\"text\":\"" + t + "x\"}");
            assertTrue(r.status() == 200 || r.status() == 422, () -> t + " -> " + r.status() + " " + r.body());
        }
    }

    @Test
    void stagesAreTimedWithoutPatientData() {
        post("/v1/notes", "{\"text\":\"Cough for 3 days.\"}");
        post("/v1/radiology/normalize", "{\"text\":\"No pneumothorax.\"}");
        String metrics = http.get("/metrics").body();
        assertTrue(metrics.contains("mededge_stage_seconds_count{stage=\"fusion_note\",model=\"none\",outcome=\"ok\",}"), metrics);
        assertTrue(metrics.contains("stage=\"fusion_radiology_normalize\""), metrics);
        assertTrue(metrics.contains("stage=\"fusion_assessment\",model=\"none\",outcome=\"no_model\""), metrics);
        assertFalse(metrics.contains("Cough"));
    }

    /** The one error shape, as FoundationHttpTest checks it. */
    static final class FoundationAssert {
        static void error(Http.Response r, int status, String code) {
            assertEquals(status, r.status(), r.body());
            assertEquals("application/json", r.header("Content-Type"));
            JsonNode e = r.json().get("error");
            assertNotNull(e, r.body());
            assertEquals(code, e.get("code").asText(), r.body());
            assertTrue(e.get("message").asText().length() > 5, r.body());
            assertFalse(r.body().contains("at org.") || r.body().contains("Exception"), "no stack trace: " + r.body());
        }
    }
}
