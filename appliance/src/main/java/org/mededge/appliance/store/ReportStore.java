package org.mededge.appliance.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import org.mededge.appliance.audit.AuditEntry;

/**
 * Durable reports with versions: preliminary (the AI draft) → final (signed by a clinician) →
 * amended (each later correction). Nothing is overwritten: every version stays. A write and its
 * audit entry commit in one transaction, before the HTTP response is sent.
 */
public final class ReportStore {
    public static final String PRELIMINARY = "preliminary";
    public static final String FINAL = "final";
    public static final String AMENDED = "amended";

    private final Database db;
    private final AuditLog audit;

    public ReportStore(Database db, AuditLog audit) {
        this.db = db;
        this.audit = audit;
    }

    /** What a new report is stored with. {@code inputBlob} is null unless raw inputs are kept by configuration. */
    public record NewReport(String kind, String patient, String specialty, String owner, String reportJson,
                            String fhirJson, String provenanceJson, String timingsJson, String inputSha256,
                            byte[] inputBlob, String inputMediaType, String sourceJson) {
    }

    /** A report and its current version. */
    public record StoredReport(String id, String kind, String patient, String specialty, String owner,
                               String createdAt, int currentVersion, Version current, String sourceJson) {
    }

    /** One version of a report, as stored. */
    /** @param input what this version added: note, dictation or study (the first input), study (attached), signature */
    public record Version(int version, String status, String author, String createdAt, String reportJson,
                          String fhirJson, String provenanceJson, String timingsJson, String inputSha256, String input) {
    }

    /** Stores a new preliminary report and its audit entry; returns it with its id. */
    public StoredReport create(NewReport r, AuditEntry.Event event) {
        String id = UUID.randomUUID().toString();
        String now = Instant.now().toString();
        return db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO reports(id, kind, patient, specialty, owner, created_at,"
                    + " current_version, source_json) VALUES (?,?,?,?,?,?,1,?)")) {
                ps.setString(1, id);
                ps.setString(2, r.kind());
                ps.setString(3, r.patient());
                ps.setString(4, r.specialty());
                ps.setString(5, r.owner());
                ps.setString(6, now);
                ps.setString(7, r.sourceJson());
                ps.executeUpdate();
            }
            insertVersion(c, id, 1, PRELIMINARY, r.owner(), now, r.reportJson(), r.fhirJson(), r.provenanceJson(),
                    r.timingsJson(), r.inputSha256(), r.inputBlob(), r.inputMediaType(), r.kind());
            audit.append(c, withResource(event, id));
            return new StoredReport(id, r.kind(), r.patient(), r.specialty(), r.owner(), now, 1,
                    new Version(1, PRELIMINARY, r.owner(), now, r.reportJson(), r.fhirJson(), r.provenanceJson(),
                            r.timingsJson(), r.inputSha256(), r.kind()), r.sourceJson());
        });
    }

    /**
     * Adds a signed version: the first signature makes it final, later ones amended. Refused with
     * {@link VersionConflict} when {@code expectedVersion} is given and is not the current one.
     *
     * @param onCommit work done in the same transaction (the feedback record)
     */
    public StoredReport sign(String id, Integer expectedVersion, String author, String reportJson, String fhirJson,
                             AuditEntry.Event event, Database.Work<Void> onCommit) {
        return db.inTransaction(c -> {
            StoredReport cur = find(c, id).orElseThrow(() -> new NotFound(id));
            if (expectedVersion != null && expectedVersion != cur.currentVersion()) {
                throw new VersionConflict(id, expectedVersion, cur.currentVersion());
            }
            int next = cur.currentVersion() + 1;
            String status = PRELIMINARY.equals(cur.current().status()) ? FINAL : AMENDED;
            String now = Instant.now().toString();
            insertVersion(c, id, next, status, author, now, reportJson, fhirJson, cur.current().provenanceJson(),
                    cur.current().timingsJson(), cur.current().inputSha256(), null, null, SIGNATURE);
            try (PreparedStatement ps = c.prepareStatement("UPDATE reports SET current_version = ? WHERE id = ?")) {
                ps.setInt(1, next);
                ps.setString(2, id);
                ps.executeUpdate();
            }
            if (onCommit != null) {
                onCommit.run(c);
            }
            audit.append(c, withResource(event, id));
            return new StoredReport(id, cur.kind(), cur.patient(), cur.specialty(), cur.owner(), cur.createdAt(), next,
                    new Version(next, status, author, now, reportJson, fhirJson, cur.current().provenanceJson(),
                            cur.current().timingsJson(), cur.current().inputSha256(), SIGNATURE), cur.sourceJson());
        });
    }

    /** What a signature version adds. */
    public static final String SIGNATURE = "signature";

    /** A new input for a report: what it was, and the report re-fused from all its inputs. */
    public record NewInput(String kind, String author, String reportJson, String fhirJson, String provenanceJson,
                           String timingsJson, String inputSha256, byte[] inputBlob, String inputMediaType) {
    }

    /**
     * Adds a version made from one more input (a study attached to a dictation or note). Only a
     * preliminary report takes inputs: a signed one is the clinician's, and is refused with {@link NotOpen}.
     */
    public StoredReport addInput(String id, NewInput in, AuditEntry.Event event) {
        return db.inTransaction(c -> {
            StoredReport cur = find(c, id).orElseThrow(() -> new NotFound(id));
            if (!PRELIMINARY.equals(cur.current().status())) {
                throw new NotOpen(id, cur.current().status());
            }
            int next = cur.currentVersion() + 1;
            String now = Instant.now().toString();
            insertVersion(c, id, next, PRELIMINARY, in.author(), now, in.reportJson(), in.fhirJson(), in.provenanceJson(),
                    in.timingsJson(), in.inputSha256(), in.inputBlob(), in.inputMediaType(), in.kind());
            try (PreparedStatement ps = c.prepareStatement("UPDATE reports SET current_version = ? WHERE id = ?")) {
                ps.setInt(1, next);
                ps.setString(2, id);
                ps.executeUpdate();
            }
            audit.append(c, withResource(event, id));
            return new StoredReport(id, cur.kind(), cur.patient(), cur.specialty(), cur.owner(), cur.createdAt(), next,
                    new Version(next, PRELIMINARY, in.author(), now, in.reportJson(), in.fhirJson(), in.provenanceJson(),
                            in.timingsJson(), in.inputSha256(), in.kind()), cur.sourceJson());
        });
    }

    public Optional<StoredReport> get(String id) {
        return db.inTransaction(c -> find(c, id));
    }

    /** Every version of a report, oldest first. */
    public List<Version> versions(String id) {
        return db.inTransaction(c -> {
            List<Version> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT version, status, author, created_at, report_json, fhir_json,"
                    + " provenance_json, timings_json, input_sha256, input_kind FROM report_versions WHERE report_id = ? ORDER BY version")) {
                ps.setString(1, id);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(version(rs, 1));
                    }
                }
            }
            return out;
        });
    }

    /** Reports newest first, filtered by patient and creation time, paged. {@code owner} null = anyone's. */
    public List<StoredReport> list(String patient, Instant since, String owner, int limit, int offset) {
        return db.inTransaction(c -> {
            StringBuilder sql = new StringBuilder(SELECT_REPORT + " WHERE 1=1");
            List<String> args = new ArrayList<>();
            if (patient != null) {
                sql.append(" AND r.patient = ?");
                args.add(patient);
            }
            if (since != null) {
                sql.append(" AND r.created_at >= ?");
                args.add(since.toString());
            }
            if (owner != null) {
                sql.append(" AND r.owner = ?");
                args.add(owner);
            }
            sql.append(" ORDER BY r.created_at DESC, r.id LIMIT ? OFFSET ?");
            List<StoredReport> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
                int i = 1;
                for (String a : args) {
                    ps.setString(i++, a);
                }
                ps.setInt(i++, limit);
                ps.setInt(i, offset);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(report(rs));
                    }
                }
            }
            return out;
        });
    }

    /** Deletes reports created before {@code cutoff} (retention), with their versions and feedback; the audit log stays. */
    public int purgeOlderThan(Instant cutoff) {
        return db.inTransaction(c -> {
            String sub = "(SELECT id FROM reports WHERE created_at < ?)";
            for (String table : List.of("feedback", "report_versions")) {
                try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + table + " WHERE report_id IN " + sub)) {
                    ps.setString(1, cutoff.toString());
                    ps.executeUpdate();
                }
            }
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM reports WHERE created_at < ?")) {
                ps.setString(1, cutoff.toString());
                return ps.executeUpdate();
            }
        });
    }

    private static final String SELECT_REPORT = "SELECT r.id, r.kind, r.patient, r.specialty, r.owner, r.created_at,"
            + " r.current_version, v.version, v.status, v.author, v.created_at, v.report_json, v.fhir_json,"
            + " v.provenance_json, v.timings_json, v.input_sha256, v.input_kind, r.source_json FROM reports r JOIN report_versions v"
            + " ON v.report_id = r.id AND v.version = r.current_version";

    private static Optional<StoredReport> find(Connection c, String id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(SELECT_REPORT + " WHERE r.id = ?")) {
            ps.setString(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(report(rs)) : Optional.empty();
            }
        }
    }

    private static StoredReport report(ResultSet rs) throws SQLException {
        return new StoredReport(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
                rs.getString(6), rs.getInt(7), version(rs, 8), rs.getString(18));
    }

    private static Version version(ResultSet rs, int from) throws SQLException {
        return new Version(rs.getInt(from), rs.getString(from + 1), rs.getString(from + 2), rs.getString(from + 3),
                rs.getString(from + 4), rs.getString(from + 5), rs.getString(from + 6), rs.getString(from + 7),
                rs.getString(from + 8), rs.getString(from + 9));
    }

    private static void insertVersion(Connection c, String id, int version, String status, String author, String at,
                                      String reportJson, String fhirJson, String provenance, String timings,
                                      String inputSha256, byte[] blob, String mediaType, String inputKind) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO report_versions(report_id, version, status, author,"
                + " created_at, report_json, fhir_json, provenance_json, timings_json, input_sha256, input_blob,"
                + " input_media_type, input_kind) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)")) {
            ps.setString(1, id);
            ps.setInt(2, version);
            ps.setString(3, status);
            ps.setString(4, author);
            ps.setString(5, at);
            ps.setString(6, reportJson);
            ps.setString(7, fhirJson);
            ps.setString(8, provenance);
            ps.setString(9, timings);
            ps.setString(10, inputSha256);
            ps.setBytes(11, blob);
            ps.setString(12, mediaType);
            ps.setString(13, inputKind);
            ps.executeUpdate();
        }
    }

    private static AuditEntry.Event withResource(AuditEntry.Event e, String id) {
        return new AuditEntry.Event(e.principal(), e.role(), e.action(), "report/" + id, e.outcome(), e.models(),
                e.inputSha256(), e.outputSha256(), e.client());
    }

    /** No report with that id. */
    public static final class NotFound extends RuntimeException {
        public NotFound(String id) {
            super("no report " + id, null, false, false);
        }
    }

    /** The report changed since the client read it. */
    /** A report that takes no more inputs (signed). */
    public static final class NotOpen extends RuntimeException {
        public NotOpen(String id, String status) {
            super("Report " + id + " is " + status + ": a signed report takes no new input; attach the study to a new report.");
        }
    }

    public static final class VersionConflict extends RuntimeException {
        public VersionConflict(String id, int expected, int actual) {
            super("report " + id + " is at version " + actual + ", not " + expected + ": reload it and sign again", null,
                    false, false);
        }
    }
}
