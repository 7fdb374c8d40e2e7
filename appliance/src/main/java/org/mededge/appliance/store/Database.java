package org.mededge.appliance.store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The appliance's embedded database: one SQLite file under {@code $MEDEDGE_HOME/data}, in WAL mode
 * with {@code synchronous=FULL}, so a transaction that returned is on disk and survives a crash,
 * a {@code kill -9} or a power cut. SQLite rather than H2: a single file with a long record of
 * crash safety, readable by standard tools on the box, and the same on x86_64 and aarch64.
 *
 * <p>All access goes through {@link #inTransaction}: one connection, one writer at a time (SQLite
 * serializes writers anyway), which keeps the audit chain's ordering trivially correct.
 */
public final class Database implements AutoCloseable {
    private static final int SCHEMA_VERSION = 4;

    private final Connection connection;
    private final ReentrantLock lock = new ReentrantLock(true);
    private volatile boolean closed;

    /** Work done inside one transaction. */
    @FunctionalInterface
    public interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    public Database(Path file) {
        try {
            Path dir = file.toAbsolutePath().getParent();
            Files.createDirectories(dir);
            Private.restrict(dir, file);
            this.connection = DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath());
            try (Statement s = connection.createStatement()) {
                s.execute("PRAGMA journal_mode=WAL");
                s.execute("PRAGMA synchronous=FULL");
                s.execute("PRAGMA foreign_keys=ON");
                s.execute("PRAGMA busy_timeout=10000");
            }
            connection.setAutoCommit(false);
            migrate();
            // SQLite gives its -wal and -shm files the database file's mode; checked once more now that they exist
            Private.restrict(dir, file);
        } catch (SQLException | IOException e) {
            throw new StoreException("cannot open the database at " + file + ": " + e.getMessage(), e);
        }
    }

    private void migrate() throws SQLException {
        try (Statement s = connection.createStatement()) {
            int version;
            try (var rs = s.executeQuery("PRAGMA user_version")) {
                version = rs.next() ? rs.getInt(1) : 0;
            }
            if (version > SCHEMA_VERSION) {
                throw new SQLException("database schema " + version + " is newer than this appliance (" + SCHEMA_VERSION
                        + "): roll back to the release that wrote it");
            }
            if (version < 1) {
                s.execute("""
                        CREATE TABLE reports (
                          id TEXT PRIMARY KEY,
                          kind TEXT NOT NULL,
                          patient TEXT,
                          specialty TEXT,
                          owner TEXT NOT NULL,
                          created_at TEXT NOT NULL,
                          current_version INTEGER NOT NULL)""");
                s.execute("CREATE INDEX reports_patient ON reports(patient, created_at)");
                s.execute("CREATE INDEX reports_created ON reports(created_at)");
                s.execute("""
                        CREATE TABLE report_versions (
                          report_id TEXT NOT NULL REFERENCES reports(id),
                          version INTEGER NOT NULL,
                          status TEXT NOT NULL,
                          author TEXT NOT NULL,
                          created_at TEXT NOT NULL,
                          report_json TEXT NOT NULL,
                          fhir_json TEXT,
                          provenance_json TEXT,
                          timings_json TEXT,
                          input_sha256 TEXT,
                          input_blob BLOB,
                          input_media_type TEXT,
                          PRIMARY KEY (report_id, version))""");
                s.execute("""
                        CREATE TABLE audit (
                          seq INTEGER PRIMARY KEY,
                          at TEXT NOT NULL,
                          principal TEXT NOT NULL,
                          role TEXT NOT NULL,
                          action TEXT NOT NULL,
                          resource TEXT NOT NULL,
                          outcome TEXT NOT NULL,
                          models TEXT NOT NULL,
                          input_sha256 TEXT,
                          output_sha256 TEXT,
                          prev_hash TEXT NOT NULL,
                          hash TEXT NOT NULL)""");
                s.execute("""
                        CREATE TABLE feedback (
                          id INTEGER PRIMARY KEY,
                          report_id TEXT NOT NULL REFERENCES reports(id),
                          specialty TEXT,
                          model_versions TEXT NOT NULL,
                          adapter TEXT,
                          draft_json TEXT NOT NULL,
                          final_json TEXT NOT NULL,
                          created_at TEXT NOT NULL)""");
                s.execute("""
                        CREATE TABLE tokens (
                          id TEXT PRIMARY KEY,
                          role TEXT NOT NULL,
                          sha256 TEXT NOT NULL UNIQUE,
                          label TEXT,
                          created_at TEXT NOT NULL,
                          revoked INTEGER NOT NULL DEFAULT 0)""");
                s.execute("PRAGMA user_version=1");
            }
            if (version < 2) {
                // a dictation's transcript, kept beside its report
                s.execute("ALTER TABLE reports ADD COLUMN source_json TEXT");
                s.execute("PRAGMA user_version=2");
            }
            if (version < 3) {
                // the client address of each audited request (refused access attempts included)
                s.execute("ALTER TABLE audit ADD COLUMN client TEXT");
                s.execute("PRAGMA user_version=3");
            }
            if (version < 4) {
                // what each version added: the first input (note, dictation, study), a study attached later, a signature
                s.execute("ALTER TABLE report_versions ADD COLUMN input_kind TEXT");
                s.execute("PRAGMA user_version=4");
            }
            connection.commit();
        }
    }

    /** Runs {@code work} in one transaction: committed when it returns, rolled back when it throws. */
    public <T> T inTransaction(Work<T> work) {
        lock.lock();
        try {
            if (closed) {
                throw new StoreException("the database is closed", null);
            }
            try {
                T result = work.run(connection);
                connection.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                try {
                    connection.rollback();
                } catch (SQLException ignored) {
                    // the original failure is what matters
                }
                if (e instanceof RuntimeException re) {
                    throw re;
                }
                throw new StoreException("database error: " + e.getMessage(), e);
            }
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void close() {
        lock.lock();
        try {
            if (!closed) {
                closed = true;
                connection.close();
            }
        } catch (SQLException e) {
            throw new StoreException("closing the database failed: " + e.getMessage(), e);
        } finally {
            lock.unlock();
        }
    }
}
