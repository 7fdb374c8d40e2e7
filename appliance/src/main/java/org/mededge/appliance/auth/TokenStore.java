package org.mededge.appliance.auth;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.logging.Logger;

import org.mededge.appliance.store.Database;

/**
 * API tokens, stored only as sha256 hashes. A presented token is hashed and compared against every
 * active hash with {@link MessageDigest#isEqual} (constant time per comparison), so neither the
 * database index nor an early exit reveals how much of a guess was right.
 *
 * <p>Changes take effect at once in the running appliance: through its admin routes directly, and
 * from the admin command (another process writing the same database) within
 * {@link #RECHECK_NANOS}: before answering, the store asks SQLite whether another connection has
 * committed since it last read the tokens ({@code PRAGMA data_version}) and re-reads them if so.
 */
public final class TokenStore {
    private static final SecureRandom RANDOM = new SecureRandom();
    /** How often, at most, a lookup asks the database whether another process changed it. */
    static final long RECHECK_NANOS = 250_000_000L;
    private static final Logger LOG = Logger.getLogger(TokenStore.class.getName());

    private final Database db;
    private volatile List<Active> active = List.of();
    private volatile long dataVersion = -1;
    private volatile long checkedAt;

    private record Active(String id, Role role, byte[] hash, String label) {
    }

    /** A token as listed (never the secret). */
    public record TokenInfo(String id, String role, String label, String createdAt, boolean revoked) {
    }

    /** A freshly created token: the only time the secret is seen. */
    public record Created(String id, Role role, String token) {
    }

    public TokenStore(Database db) {
        this.db = db;
        reload();
    }

    /** Creates a token for a role; returns the secret once. */
    public Created create(Role role, String label) {
        byte[] raw = new byte[32];
        RANDOM.nextBytes(raw);
        String token = "mde_" + Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
        String id = insert(role, token, label);
        return new Created(id, role, token);
    }

    /**
     * Seeds tokens from a file of "role token" lines (blank lines and # comments ignored). Tokens
     * already present are left alone, and a token that was revoked stays revoked (the file never
     * resurrects it, nor stops the start: the log says how many, never which); a malformed line is
     * refused with its line number.
     *
     * @return how many tokens were added
     */
    public int seed(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read the tokens file " + file + ": " + e.getMessage(), e);
        }
        int added = 0;
        int revoked = 0;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] parts = line.split("\\s+");
            Role role = parts.length == 2 ? Role.parse(parts[0]) : null;
            if (role == null || parts[1].length() < 16) {
                throw new IllegalArgumentException("tokens file " + file + " line " + (i + 1)
                        + ": expected 'role token' with role clinician|radiology|ops|admin and a token of 16+ characters");
            }
            Boolean stored = storedRevoked(parts[1]);
            if (stored == null) {
                insert(role, parts[1], "seeded from " + file.getFileName());
                added++;
            } else if (stored) {
                revoked++;
            }
        }
        if (revoked > 0) {
            int n = revoked;
            LOG.warning(() -> n + " token(s) in the tokens file " + file.getFileName() + " were revoked and stay revoked;"
                    + " remove them from the file");
        }
        return added;
    }

    /** The principal a presented token belongs to, if it is active now. */
    public Optional<Principal> find(String token) {
        if (token == null || token.isEmpty()) {
            return Optional.empty();
        }
        refreshIfChanged();
        byte[] h = sha256(token);
        Principal match = null;
        for (Active a : active) {
            if (MessageDigest.isEqual(a.hash(), h) && match == null) {
                match = new Principal(a.id(), a.role(), a.label());
            }
        }
        return Optional.ofNullable(match);
    }

    public List<TokenInfo> list() {
        return db.inTransaction(c -> {
            List<TokenInfo> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT id, role, label, created_at, revoked FROM tokens ORDER BY created_at");
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new TokenInfo(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getInt(5) != 0));
                }
            }
            return out;
        });
    }

    /** Revokes a token by id; true when it existed. */
    public boolean revoke(String id) {
        boolean done = db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE tokens SET revoked = 1 WHERE id = ?")) {
                ps.setString(1, id);
                return ps.executeUpdate() == 1;
            }
        });
        reload();
        return done;
    }

    private String insert(Role role, String token, String label) {
        String id = "tok_" + UUID.randomUUID().toString().substring(0, 8);
        db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO tokens(id, role, sha256, label, created_at) VALUES (?,?,?,?,?)")) {
                ps.setString(1, id);
                ps.setString(2, role.id());
                ps.setString(3, HexFormat.of().formatHex(sha256(token)));
                ps.setString(4, label);
                ps.setString(5, Instant.now().toString());
                ps.executeUpdate();
            }
            return null;
        });
        reload();
        return id;
    }

    /** Null when the token was never stored; else whether it was revoked. */
    private Boolean storedRevoked(String token) {
        String hex = HexFormat.of().formatHex(sha256(token));
        return db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT revoked FROM tokens WHERE sha256 = ?")) {
                ps.setString(1, hex);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? rs.getInt(1) != 0 : null;
                }
            }
        });
    }

    /** Re-reads the tokens when another connection (the admin command) committed since the last read. */
    private void refreshIfChanged() {
        long now = System.nanoTime();
        if (now - checkedAt < RECHECK_NANOS) {
            return;
        }
        checkedAt = now;
        long v = db.inTransaction(TokenStore::dataVersion);
        if (v != dataVersion) {
            reload();
        }
    }

    private static long dataVersion(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("PRAGMA data_version")) {
            return rs.next() ? rs.getLong(1) : 0;
        }
    }

    private synchronized void reload() {
        long[] version = new long[1];
        active = db.inTransaction(c -> {
            version[0] = dataVersion(c);
            List<Active> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT id, role, sha256, label FROM tokens WHERE revoked = 0");
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Role r = Role.parse(rs.getString(2));
                    if (r != null) {
                        out.add(new Active(rs.getString(1), r, HexFormat.of().parseHex(rs.getString(3)), rs.getString(4)));
                    }
                }
            }
            return List.copyOf(out);
        });
        dataVersion = version[0];
        checkedAt = System.nanoTime();
    }

    static byte[] sha256(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
