package org.mededge.appliance;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;

import org.mededge.appliance.audit.AuditEntry;
import org.mededge.appliance.store.AuditLog;
import org.mededge.appliance.auth.Role;
import org.mededge.appliance.auth.TokenStore;
import org.mededge.appliance.store.Database;

/**
 * Administration from the box's shell, against the same database the appliance uses:
 * <pre>
 *   java -jar mededge-appliance.jar tokens create --role clinician [--label "Dr Li, ward 3"]
 *   java -jar mededge-appliance.jar tokens list
 *   java -jar mededge-appliance.jar tokens revoke tok_1a2b3c4d
 *   java -jar mededge-appliance.jar audit verify
 * </pre>
 * Token creation and revocation are audited like any other change.
 */
final class AdminCommand {
    private AdminCommand() {
    }

    static int run(ApplianceConfig config, String[] args) {
        PrintStream out = System.out;
        List<String> a = Arrays.asList(args);
        try (Database db = new Database(config.dataDir().resolve("mededge.db"))) {
            TokenStore tokens = new TokenStore(db);
            AuditLog audit = new AuditLog(db);
            String cmd = String.join(" ", a.subList(0, Math.min(2, a.size())));
            switch (cmd) {
                case "tokens create" -> {
                    Role role = Role.parse(option(a, "--role"));
                    if (role == null) {
                        return usage("--role must be clinician, radiology, ops or admin");
                    }
                    TokenStore.Created t = tokens.create(role, option(a, "--label"));
                    audit.append(new AuditEntry.Event("shell", "admin", "token.create", "token/" + t.id(), "ok", "", null, null));
                    out.println(t.token());
                    System.err.println("token " + t.id() + " (" + role.id() + ") created; it is shown only now, store it safely");
                    return 0;
                }
                case "tokens list" -> {
                    tokens.list().forEach(t -> out.printf("%-14s %-10s %-8s %s %s%n", t.id(), t.role(),
                            t.revoked() ? "revoked" : "active", t.createdAt(), t.label() == null ? "" : t.label()));
                    return 0;
                }
                case "tokens revoke" -> {
                    if (a.size() < 3) {
                        return usage("tokens revoke needs a token id (see tokens list)");
                    }
                    boolean done = tokens.revoke(a.get(2));
                    audit.append(new AuditEntry.Event("shell", "admin", "token.revoke", "token/" + a.get(2),
                            done ? "ok" : "NOT_FOUND", "", null, null));
                    out.println(done ? "revoked " + a.get(2) : "no token " + a.get(2));
                    return done ? 0 : 1;
                }
                case "audit verify" -> {
                    AuditLog.Verification v = audit.verify();
                    out.println((v.intact() ? "INTACT: " : "BROKEN: ") + v.reason());
                    return v.intact() ? 0 : 1;
                }
                default -> {
                    return usage("unknown command: " + String.join(" ", a));
                }
            }
        }
    }

    private static String option(List<String> a, String name) {
        int i = a.indexOf(name);
        return i >= 0 && i + 1 < a.size() ? a.get(i + 1) : null;
    }

    private static int usage(String why) {
        System.err.println(why);
        System.err.println("usage: tokens create --role clinician|radiology|ops|admin [--label TEXT] | tokens list"
                + " | tokens revoke ID | audit verify   (MEDEDGE_HOME selects the data directory)");
        return 2;
    }
}
