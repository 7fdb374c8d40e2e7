package org.mededge.appliance.auth;

import java.util.Locale;

/** What a token may do. */
public enum Role {
    /** dictate and write notes; read and sign their own reports */
    CLINICIAN,
    /** imaging studies, wording normalization; read reports */
    RADIOLOGY,
    /** metrics, health, models */
    OPS,
    /** tokens, adapters, audit, the feedback dataset */
    ADMIN;

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses "clinician", "radiology", "ops", "admin"; null when unknown. */
    public static Role parse(String s) {
        if (s == null) {
            return null;
        }
        for (Role r : values()) {
            if (r.id().equals(s.trim().toLowerCase(Locale.ROOT))) {
                return r;
            }
        }
        return null;
    }
}
