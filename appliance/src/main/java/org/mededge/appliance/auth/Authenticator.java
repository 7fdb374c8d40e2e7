package org.mededge.appliance.auth;

import java.util.Map;
import java.util.Set;

import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;

import org.mededge.appliance.http.ApiException;

/**
 * Decides, for a matched route, who is calling and whether they may: 401 without a valid bearer
 * token, 403 for a role the route does not allow, 429 beyond the per-token rate.
 */
public final class Authenticator {
    private final boolean enabled;
    private final TokenStore tokens;
    private final AccessPolicy policy;
    private final RateLimiter limiter;

    public Authenticator(boolean enabled, TokenStore tokens, AccessPolicy policy, RateLimiter limiter) {
        this.enabled = enabled;
        this.tokens = tokens;
        this.policy = policy;
        this.limiter = limiter;
    }

    public AccessPolicy policy() {
        return policy;
    }

    public Principal authorize(ServerRequest req, String method, String template) {
        if (!enabled || policy.isOpen(method, template)) {
            return Principal.ANONYMOUS;
        }
        String header = req.headers().first(HeaderNames.AUTHORIZATION).orElse("");
        if (!header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            throw new ApiException(401, "UNAUTHENTICATED", "Send an API token: Authorization: Bearer <token>.",
                    Map.of("WWW-Authenticate", "Bearer realm=\"mededge\""));
        }
        Principal p = tokens.find(header.substring(7).trim()).orElseThrow(() -> new ApiException(401, "UNAUTHENTICATED",
                "The API token is not valid or was revoked.", Map.of("WWW-Authenticate", "Bearer realm=\"mededge\", error=\"invalid_token\"")));
        Set<Role> allowed = policy.roles(method, template);
        if (!allowed.contains(p.role())) {
            throw new ApiException(403, "FORBIDDEN", "Role " + p.roleId() + " may not " + method + " " + template + ".");
        }
        long wait = limiter.acquire(p.id());
        if (wait > 0) {
            throw new ApiException(429, "RATE_LIMITED", "Too many requests for this token; retry in " + wait + " s.",
                    Map.of("Retry-After", Long.toString(wait)));
        }
        return p;
    }
}
