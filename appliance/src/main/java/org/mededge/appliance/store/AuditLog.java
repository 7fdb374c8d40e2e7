package org.mededge.appliance.store;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

import org.mededge.appliance.audit.AuditEntry;


/**
 * A hash-chained, append-only audit log: each entry's hash covers its fields and the previous
 * entry's hash, so changing or deleting any entry breaks every hash after it and
 * {@link #verify()} names the first broken one.
 */
public final class AuditLog {
    public static final String GENESIS = "0".repeat(64);

    private final Database db;

    public AuditLog(Database db) {
        this.db = db;
    }

    /** Appends in its own transaction. */
    public AuditEntry append(AuditEntry.Event e) {
        return db.inTransaction(c -> append(c, e));
    }

    /** Appends inside the caller's transaction, so a write and its audit entry commit together. */
    public AuditEntry append(Connection c, AuditEntry.Event e) throws SQLException {
        long seq = 1;
        String prev = GENESIS;
        try (PreparedStatement last = c.prepareStatement("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1");
             ResultSet rs = last.executeQuery()) {
            if (rs.next()) {
                seq = rs.getLong(1) + 1;
                prev = rs.getString(2);
            }
        }
        String at = Instant.now().toString();
        String hash = hash(seq, at, e.principal(), e.role(), e.action(), e.resource(), e.outcome(), e.models(),
                e.inputSha256(), e.outputSha256(), prev, e.client());
        try (PreparedStatement ins = c.prepareStatement("INSERT INTO audit(seq, at, principal, role, action, resource, outcome,"
                + " models, input_sha256, output_sha256, prev_hash, hash, client) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)")) {
            ins.setLong(1, seq);
            ins.setString(2, at);
            ins.setString(3, e.principal());
            ins.setString(4, e.role());
            ins.setString(5, e.action());
            ins.setString(6, e.resource());
            ins.setString(7, e.outcome());
            ins.setString(8, e.models());
            ins.setString(9, e.inputSha256());
            ins.setString(10, e.outputSha256());
            ins.setString(11, prev);
            ins.setString(12, hash);
            ins.setString(13, e.client());
            ins.executeUpdate();
        }
        return new AuditEntry(seq, at, e.principal(), e.role(), e.action(), e.resource(), e.outcome(), e.models(),
                e.inputSha256(), e.outputSha256(), prev, hash, e.client());
    }

    /** The outcome of checking the chain: intact, or the first entry that does not match. */
    public record Verification(boolean intact, long entries, Long firstBrokenSeq, String reason) {
    }

    /** Recomputes every hash from the first entry on. */
    public Verification verify() {
        return db.inTransaction(c -> {
            long count = 0;
            long expectedSeq = 1;
            String prev = GENESIS;
            try (PreparedStatement ps = c.prepareStatement("SELECT seq, at, principal, role, action, resource, outcome, models,"
                    + " input_sha256, output_sha256, prev_hash, hash, client FROM audit ORDER BY seq");
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    AuditEntry e = row(rs);
                    if (e.seq() != expectedSeq) {
                        return new Verification(false, count, expectedSeq, "entry " + expectedSeq + " is missing");
                    }
                    if (!e.prevHash().equals(prev)) {
                        return new Verification(false, count, e.seq(), "entry " + e.seq() + " does not follow the entry before it");
                    }
                    String h = hash(e.seq(), e.at(), e.principal(), e.role(), e.action(), e.resource(), e.outcome(),
                            e.models(), e.inputSha256(), e.outputSha256(), e.prevHash(), e.client());
                    if (!h.equals(e.hash())) {
                        return new Verification(false, count, e.seq(), "entry " + e.seq() + " was altered after it was written");
                    }
                    prev = e.hash();
                    expectedSeq++;
                    count++;
                }
            }
            return new Verification(true, count, null, "all " + count + " entries intact");
        });
    }

    /** Entries in order, from {@code afterSeq} (exclusive), at most {@code limit}. */
    public List<AuditEntry> entries(long afterSeq, int limit) {
        return db.inTransaction(c -> {
            List<AuditEntry> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT seq, at, principal, role, action, resource, outcome, models,"
                    + " input_sha256, output_sha256, prev_hash, hash, client FROM audit WHERE seq > ? ORDER BY seq LIMIT ?")) {
                ps.setLong(1, afterSeq);
                ps.setInt(2, limit);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(row(rs));
                    }
                }
            }
            return out;
        });
    }

    private static AuditEntry row(ResultSet rs) throws SQLException {
        return new AuditEntry(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
                rs.getString(6), rs.getString(7), rs.getString(8), rs.getString(9), rs.getString(10), rs.getString(11),
                rs.getString(12), rs.getString(13));
    }

    /**
     * The entry's hash over its fields and the previous hash; the client address (schema 3) is
     * covered when present, so entries written before it verify unchanged.
     */
    static String hash(long seq, String at, String principal, String role, String action, String resource, String outcome,
                       String models, String input, String output, String prev, String client) {
        return client == null
                ? hash(seq, new String[] {at, principal, role, action, resource, outcome, models, input, output, prev})
                : hash(seq, new String[] {at, principal, role, action, resource, outcome, models, input, output, prev, client});
    }

    private static String hash(long seq, String[] fields) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(Long.toString(seq).getBytes(StandardCharsets.UTF_8));
            for (String f : fields) {
                md.update((byte) 0x1f);
                // length-prefixed so that moving text between fields changes the hash
                String v = f == null ? "\u0000null" : f;
                md.update(Integer.toString(v.length()).getBytes(StandardCharsets.UTF_8));
                md.update((byte) ':');
                md.update(v.getBytes(StandardCharsets.UTF_8));
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
