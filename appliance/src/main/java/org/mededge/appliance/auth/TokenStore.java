package org.mededge.appliance.auth;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import org.mededge.appliance.store.Database;

/**
 * API tokens, stored only as sha256 hashes. A presented token is hashed and compared against every
 * active hash with {@link MessageDigest#isEqual} (constant time per comparison), so neither the
 * database index nor an early exit reveals how much of a guess was right.
 */
public final class TokenStore {
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Database db;
    private volatile List<Active> active = List.of();

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
     * already present are left alone; a malformed line is refused with its line number.
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
            if (find(parts[1]).isEmpty()) {
                insert(role, parts[1], "seeded from " + file.getFileName());
                added++;
            }
        }
        return added;
    }

    /** The principal a presented token belongs to, if it is active. */
    public Optional<Principal> find(String token) {
        if (token == null || token.isEmpty()) {
            return Optional.empty();
        }
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

    private void reload() {
        active = db.inTransaction(c -> {
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
    }

    static byte[] sha256(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
