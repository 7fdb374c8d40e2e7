package org.mededge.appliance.auth;

/**
 * Who made a request: a token's id (never the token itself) and its role. With authentication
 * disabled by configuration every request is the {@link #ANONYMOUS} principal.
 */
public record Principal(String id, Role role, String label) {
    public static final Principal ANONYMOUS = new Principal("anonymous", null, "authentication disabled");

    public String roleId() {
        return role == null ? "none" : role.id();
    }
}
