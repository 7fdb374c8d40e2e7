package org.mededge.appliance.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The clinicians' corrections as training data: each signature stores the pair (model draft,
 * clinician's version) with the specialty and the model/adapter versions that made the draft.
 */
public final class FeedbackStore {
    private final Database db;

    public FeedbackStore(Database db) {
        this.db = db;
    }

    /** One pair; {@code finalJson} is the clinician's latest version of the report. */
    public record Pair(long id, String reportId, String specialty, String modelVersions, String adapter, String draftJson,
                       String finalJson, String createdAt) {
    }

    /** Adds a pair inside the caller's transaction (the signature's). */
    public void add(Connection c, String reportId, String specialty, String modelVersions, String adapter, String draftJson,
                    String finalJson) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO feedback(report_id, specialty, model_versions, adapter,"
                + " draft_json, final_json, created_at) VALUES (?,?,?,?,?,?,?)")) {
            ps.setString(1, reportId);
            ps.setString(2, specialty);
            ps.setString(3, modelVersions);
            ps.setString(4, adapter);
            ps.setString(5, draftJson);
            ps.setString(6, finalJson);
            ps.setString(7, Instant.now().toString());
            ps.executeUpdate();
        }
    }

    /** The latest pair of each report, oldest report first; {@code specialty} null = all. */
    public List<Pair> latest(String specialty) {
        return db.inTransaction(c -> {
            String sql = "SELECT f.id, f.report_id, f.specialty, f.model_versions, f.adapter, f.draft_json, f.final_json,"
                    + " f.created_at FROM feedback f WHERE f.id = (SELECT MAX(g.id) FROM feedback g WHERE g.report_id = f.report_id)"
                    + (specialty == null ? "" : " AND f.specialty = ?") + " ORDER BY f.id";
            List<Pair> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                if (specialty != null) {
                    ps.setString(1, specialty);
                }
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(new Pair(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
                                rs.getString(6), rs.getString(7), rs.getString(8)));
                    }
                }
            }
            return out;
        });
    }
}
