package org.mededge.appliance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.mededge.appliance.store.DataAtRest;

/**
 * Clinical data at rest and in browsers: the data folder 0700 and its files 0600 whatever the
 * umask or what was there before; answers with patient data are never cached or sniffed; report
 * pages cannot be framed; anonymous readiness shows no file system path; the encrypted-volume
 * check warns or refuses as configured.
 */
class DataAtRestTest {
    @Test
    void theDataFolderAndItsFilesAreReadableByTheApplianceOnly(@TempDir Path home) throws Exception {
        Path data = Files.createDirectories(home.resolve("data"));
        Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path db = Files.createFile(data.resolve("mededge.db"));
        Files.setPosixFilePermissions(db, PosixFilePermissions.fromString("rw-r--r--"));
        try (Appliance a = TestAppliance.start(home, Map.of("mededge.engines.vad.enabled", "false",
                "mededge.engines.llm.enabled", "false"))) {
            Http http = new Http(a.port());
            Http.Response note = http.post("/v1/notes", "application/json", "{\"text\":\"体温38.6℃\"}".getBytes(StandardCharsets.UTF_8));
            assertEquals(200, note.status(), note.body());
            assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(data)));
            for (String f : new String[] {"mededge.db", "mededge.db-wal", "mededge.db-shm"}) {
                assertTrue(Files.exists(data.resolve(f)), f);
                assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(data.resolve(f))), f);
            }
            // answers with patient data are not kept by browsers or proxies, nor sniffed
            String id = note.json().get("reportId").asText();
            for (String path : new String[] {"/v1/reports", "/v1/reports/" + id, "/v1/reports/" + id + "/fhir",
                    "/v1/reports/" + id + "/html", "/v1/reports/nope"}) {
                Http.Response r = http.get(path);
                assertEquals("no-store", r.header("Cache-Control"), path);
                assertEquals("nosniff", r.header("X-Content-Type-Options"), path);
            }
            assertTrue(http.get("/v1/reports/" + id + "/html").header("Content-Security-Policy").contains("frame-ancestors 'none'"));
            assertTrue(http.get("/").header("Content-Security-Policy").contains("frame-ancestors 'none'"));
            // readiness is open to anonymous probes: it says what to run, not where things are
            Http.Response ready = http.get("/health/ready");
            assertFalse(ready.body().contains(home.toString()), ready.body());
            assertFalse(ready.body().matches("(?s).*\"/[a-z]+/.*"), "no absolute path: " + ready.body());
            JsonNode rest = null;
            for (JsonNode c : ready.json().get("checks")) {
                if (c.get("name").asText().equals("data-at-rest")) {
                    rest = c;
                }
            }
            assertTrue(rest != null && !rest.get("required").asBoolean(), ready.body());
            assertEquals(DataAtRest.check(data).encrypted() ? "UP" : "DOWN", rest.get("status").asText());
        }
    }

    @Test
    void aRequiredEncryptedVolumeIsCheckedAtStart(@TempDir Path home) {
        Map<String, String> cfg = Map.of("mededge.engines.vad.enabled", "false", "mededge.engines.llm.enabled", "false",
                "mededge.store.require-encrypted-volume", "true");
        boolean encrypted = DataAtRest.check(home).encrypted();
        if (encrypted) {
            TestAppliance.start(home, cfg).close();
        } else {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> TestAppliance.start(home, cfg));
            assertTrue(e.getMessage().contains("encrypted volume"), e.getMessage());
        }
        System.out.println("data at rest here: " + DataAtRest.check(home).detail());
    }
}
