package org.mededge.appliance.auth;

import java.util.Map;
import java.util.Set;

import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;

import org.mededge.appliance.http.ApiException;

/**
 * Decides, for a matched route, who is calling and whether they may: 401 without a valid bearer
 * token, 403 for a role the route does not allow, 429 beyond the per-token rate. Failed
 * authentication is throttled per client address: after a burst of wrong tokens that address is
 * answered 429 with Retry-After, before its token is even looked at (so a guesser learns nothing
 * while throttled), and other addresses are not affected.
 */
public final class Authenticator {
    private final boolean enabled;
    private final TokenStore tokens;
    private final AccessPolicy policy;
    private final RateLimiter limiter;
    private final RateLimiter failures;

    /** A refused request, with who it was (when the token was valid) for the audit log. */
    public static final class Refused extends ApiException {
        private final transient Principal principal;
        private final boolean firstThrottled;

        Refused(int status, String code, String message, Map<String, String> headers, Principal principal,
                boolean firstThrottled) {
            super(status, code, message, headers);
            this.principal = principal;
            this.firstThrottled = firstThrottled;
        }

        /** The caller when its token was valid (403, 429 per token); anonymous otherwise. */
        public Principal principal() {
            return principal;
        }

        /**
         * Whether this refusal belongs in the audit log: every 401 and 403, and of an address's run
         * of throttled answers only the first (a flood must not turn into a flood of audit writes).
         */
        public boolean audited() {
            return !"AUTH_THROTTLED".equals(code()) || firstThrottled;
        }
    }

    /**
     * @param failures failed authentications allowed per client address (a bucket refilled over time)
     */
    public Authenticator(boolean enabled, TokenStore tokens, AccessPolicy policy, RateLimiter limiter, RateLimiter failures) {
        this.enabled = enabled;
        this.tokens = tokens;
        this.policy = policy;
        this.limiter = limiter;
        this.failures = failures;
    }

    public AccessPolicy policy() {
        return policy;
    }

    /** @param client the caller's address, the key of the failed-authentication throttle */
    public Principal authorize(ServerRequest req, String method, String template, String client) {
        if (!enabled || policy.isOpen(method, template)) {
            return Principal.ANONYMOUS;
        }
        RateLimiter.Wait blocked = failures.blocked(client);
        if (blocked != null) {
            throw new Refused(429, "AUTH_THROTTLED", "Too many failed authentications from this address; retry in "
                    + blocked.seconds() + " s.", Map.of("Retry-After", Long.toString(blocked.seconds())), Principal.ANONYMOUS,
                    blocked.first());
        }
        String header = req.headers().first(HeaderNames.AUTHORIZATION).orElse("");
        if (!header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            failures.acquire(client);
            throw new Refused(401, "UNAUTHENTICATED", "Send an API token: Authorization: Bearer <token>.",
                    Map.of("WWW-Authenticate", "Bearer realm=\"mededge\""), Principal.ANONYMOUS, false);
        }
        Principal p = tokens.find(header.substring(7).trim()).orElse(null);
        if (p == null) {
            failures.acquire(client);
            throw new Refused(401, "UNAUTHENTICATED", "The API token is not valid or was revoked.",
                    Map.of("WWW-Authenticate", "Bearer realm=\"mededge\", error=\"invalid_token\""), Principal.ANONYMOUS, false);
        }
        Set<Role> allowed = policy.roles(method, template);
        if (!allowed.contains(p.role())) {
            throw new Refused(403, "FORBIDDEN", "Role " + p.roleId() + " may not " + method + " " + template + ".", Map.of(),
                    p, false);
        }
        long wait = limiter.acquire(p.id());
        if (wait > 0) {
            throw new ApiException(429, "RATE_LIMITED", "Too many requests for this token; retry in " + wait + " s.",
                    Map.of("Retry-After", Long.toString(wait)));
        }
        return p;
    }
}
