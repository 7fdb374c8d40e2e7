package org.mededge.appliance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.mededge.appliance.audit.AuditEntry;
import org.mededge.appliance.store.AuditLog;
import org.mededge.appliance.store.Database;
import org.mededge.appliance.store.ReportStore;

/** The SQLite store and the hash-chained audit log, on a real database file. */
class AuditAndStoreTest {

    private static AuditEntry.Event event(String action) {
        return new AuditEntry.Event("tok_1", "clinician", action, "report/x", "ok", "m@1", "a".repeat(64), "b".repeat(64));
    }

    @Test
    void chainVerifiesAndNamesTheFirstAlteredEntry(@TempDir Path dir) {
        try (Database db = new Database(dir.resolve("t.db"))) {
            AuditLog log = new AuditLog(db);
            for (int i = 0; i < 10; i++) {
                log.append(event("note.create"));
            }
            AuditLog.Verification ok = log.verify();
            assertTrue(ok.intact(), ok.reason());
            assertEquals(10, ok.entries());
            assertEquals(AuditLog.GENESIS, log.entries(0, 1).get(0).prevHash());

            db.inTransaction(c -> {
                try (PreparedStatement ps = c.prepareStatement("UPDATE audit SET outcome = 'FORBIDDEN' WHERE seq = 4")) {
                    return ps.executeUpdate();
                }
            });
            AuditLog.Verification broken = log.verify();
            assertFalse(broken.intact());
            assertEquals(4L, broken.firstBrokenSeq());
            assertTrue(broken.reason().contains("altered"), broken.reason());
        }
    }

    @Test
    void aDeletedEntryIsFound(@TempDir Path dir) {
        try (Database db = new Database(dir.resolve("t.db"))) {
            AuditLog log = new AuditLog(db);
            for (int i = 0; i < 5; i++) {
                log.append(event("report.read"));
            }
            db.inTransaction(c -> c.createStatement().executeUpdate("DELETE FROM audit WHERE seq = 3"));
            AuditLog.Verification v = log.verify();
            assertFalse(v.intact());
            assertEquals(3L, v.firstBrokenSeq());
        }
    }

    @Test
    void reportsAreVersionedNeverOverwritten(@TempDir Path dir) {
        try (Database db = new Database(dir.resolve("t.db"))) {
            AuditLog log = new AuditLog(db);
            ReportStore store = new ReportStore(db, log);
            ReportStore.StoredReport r = store.create(new ReportStore.NewReport("note", "P-001", "respiratory", "tok_1",
                    "{\"v\":1}", "{\"resourceType\":\"Bundle\"}", "{}", "{}", "c".repeat(64), null, null, null), event("note.create"));
            assertEquals(1, r.currentVersion());
            assertEquals(ReportStore.PRELIMINARY, r.current().status());

            ReportStore.StoredReport signed = store.sign(r.id(), 1, "tok_1", "{\"v\":2}", null, event("report.sign"), null);
            assertEquals(ReportStore.FINAL, signed.current().status());
            ReportStore.StoredReport amended = store.sign(r.id(), 2, "tok_1", "{\"v\":3}", null, event("report.sign"), null);
            assertEquals(ReportStore.AMENDED, amended.current().status());
            assertThrows(ReportStore.VersionConflict.class,
                    () -> store.sign(r.id(), 2, "tok_1", "{\"v\":4}", null, event("report.sign"), null));

            List<ReportStore.Version> versions = store.versions(r.id());
            assertEquals(List.of("{\"v\":1}", "{\"v\":2}", "{\"v\":3}"), versions.stream().map(ReportStore.Version::reportJson).toList());
            assertEquals("c".repeat(64), versions.get(2).inputSha256(), "input hash carried to every version");

            store.create(new ReportStore.NewReport("note", "P-002", null, "tok_2", "{}", null, null, null, null, null, null, null), event("note.create"));
            assertEquals(1, store.list("P-001", null, null, 10, 0).size());
            assertEquals(2, store.list(null, null, null, 10, 0).size());
            assertEquals(1, store.list(null, null, "tok_2", 10, 0).size());
            assertEquals(0, store.list(null, Instant.now().plusSeconds(60), null, 10, 0).size());
            // every write was audited in the same transaction, and the chain holds
            AuditLog.Verification v = log.verify();
            assertTrue(v.intact());
            assertEquals(4, v.entries());
            assertEquals("report/" + r.id(), log.entries(0, 1).get(0).resource());

            assertEquals(2, store.purgeOlderThan(Instant.now().plusSeconds(1)));
            assertTrue(store.get(r.id()).isEmpty());
            assertTrue(log.verify().intact(), "retention never touches the audit chain");
        }
    }

    @Test
    void aFailedWriteLeavesNeitherReportNorAuditEntry(@TempDir Path dir) {
        try (Database db = new Database(dir.resolve("t.db"))) {
            AuditLog log = new AuditLog(db);
            ReportStore store = new ReportStore(db, log);
            ReportStore.StoredReport r = store.create(new ReportStore.NewReport("note", null, null, "tok_1", "{}", null, null,
                    null, null, null, null, null), event("note.create"));
            assertThrows(IllegalStateException.class, () -> store.sign(r.id(), null, "tok_1", "{\"v\":2}", null,
                    event("report.sign"), c -> {
                        throw new IllegalStateException("feedback write failed");
                    }));
            assertEquals(1, store.get(r.id()).orElseThrow().currentVersion());
            assertEquals(1, log.verify().entries());
        }
    }
}
