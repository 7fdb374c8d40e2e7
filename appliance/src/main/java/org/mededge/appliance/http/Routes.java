package org.mededge.appliance.http;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

import io.helidon.http.HeaderNames;
import io.helidon.http.Method;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;

import org.mededge.appliance.audit.AuditEntry;
import org.mededge.appliance.store.AuditLog;
import org.mededge.appliance.audit.AuditTrail;
import org.mededge.appliance.auth.Authenticator;
import org.mededge.appliance.auth.Principal;

/**
 * Registers the API's routes and remembers their templates, so that metrics are labelled by route
 * template (never by a raw path holding ids) and an unmatched request is told 404 or 405.
 */
public final class Routes {
    /** Request-context key under which the matched route template is kept. */
    public static final String ROUTE_KEY = "mededge.route";
    /** Request-context key under which the caller's {@link Principal} is kept. */
    public static final String PRINCIPAL_KEY = "mededge.principal";
    public static final String UNMATCHED = "unmatched";

    private record Route(Method method, String template, Pattern regex) {
    }

    /** Request-context key under which the request's {@link AuditTrail} is kept. */
    public static final String AUDIT_KEY = "mededge.audit";

    private final HttpRouting.Builder rules;
    private final Authenticator auth;
    private final AuditLog audit;
    private final List<Route> routes = new ArrayList<>();

    /**
     * @param auth  decides who may call each route; null lets everyone through (tests of routing)
     * @param audit where requests to clinical routes are recorded; null records nothing
     */
    public Routes(HttpRouting.Builder rules, Authenticator auth, AuditLog audit) {
        this.rules = rules;
        this.auth = auth;
        this.audit = audit;
    }

    /** The audit trail of the current request, for the handler to fill in. */
    public static AuditTrail audit(ServerRequest req) {
        return req.context().get(AUDIT_KEY, AuditTrail.class).orElseGet(AuditTrail::new);
    }

    /** The caller of the current request, as the route's authorization established it. */
    public static Principal principal(ServerRequest req) {
        return req.context().get(PRINCIPAL_KEY, Principal.class).orElse(Principal.ANONYMOUS);
    }

    /** Method and template of every registered route, e.g. "GET /v1/models". */
    public List<String> registered() {
        return routes.stream().map(r -> r.method().text() + " " + r.template()).toList();
    }

    public Routes get(String template, Handler handler) {
        return route(Method.GET, template, handler);
    }

    public Routes post(String template, Handler handler) {
        return route(Method.POST, template, handler);
    }

    public Routes put(String template, Handler handler) {
        return route(Method.PUT, template, handler);
    }

    public Routes delete(String template, Handler handler) {
        return route(Method.DELETE, template, handler);
    }

    /**
     * Registers a route behind the access policy. Every call to an audited route is recorded with the
     * code the client was told (mapped in {@link ErrorMapping}, the same mapping that answers), and
     * every refused access attempt (401, 403, the first 429 of a throttled address) on any route that
     * needs a token is recorded too, with the route template, the principal or "anonymous" and the
     * client address; never the token.
     */
    public Routes route(Method method, String template, Handler handler) {
        routes.add(new Route(method, template, Pattern.compile(template.replaceAll("\\{[^}/]+}", "[^/]+"))));
        boolean audited = auth != null && auth.policy().audited(method.text(), template);
        String route = method.text() + " " + template;
        rules.route(method, template, (req, res) -> {
            req.context().register(ROUTE_KEY, template);
            String client = client(req);
            Principal p;
            try {
                p = auth == null ? Principal.ANONYMOUS : auth.authorize(req, method.text(), template, client);
            } catch (Authenticator.Refused e) {
                if (audit != null && e.audited()) {
                    audit.append(new AuditEntry.Event(e.principal().id(), e.principal().roleId(), "access.refused", route,
                            e.code(), "", null, null, client));
                }
                throw e;
            }
            req.context().register(PRINCIPAL_KEY, p);
            if (!audited || audit == null) {
                handler.handle(req, res);
                return;
            }
            AuditTrail trail = new AuditTrail();
            req.context().register(AUDIT_KEY, trail);
            String outcome = "INTERNAL_ERROR";
            try {
                handler.handle(req, res);
                outcome = "ok";
            } catch (RuntimeException e) {
                ApiException answer = ErrorMapping.toApi(e);
                outcome = answer == null ? "INTERNAL_ERROR" : answer.code();
                throw e;
            } finally {
                if (!trail.written()) {
                    audit.append(new AuditEntry.Event(p.id(), p.roleId(),
                            trail.action() != null ? trail.action() : route,
                            trail.resource() != null ? trail.resource() : req.path().path(), outcome, trail.models(),
                            trail.inputSha256(), trail.outputSha256(), client));
                }
            }
        });
        return this;
    }

    /** The caller's IP address as the socket saw it (no proxy header is trusted). */
    public static String client(ServerRequest req) {
        SocketAddress a = req.remotePeer().address();
        return a instanceof InetSocketAddress i && i.getAddress() != null ? i.getAddress().getHostAddress() : String.valueOf(a);
    }

    /** Must be registered last: answers what no route took with 405 (path known) or 404. */
    public void fallback() {
        rules.any((req, res) -> {
            Set<String> allowed = allowedMethods(req);
            if (allowed.isEmpty()) {
                Json.sendError(res, 404, "NOT_FOUND", "No such resource: " + req.prologue().method().text() + " "
                        + req.path().path() + ". See GET /v1/models, /health/ready, /metrics.");
            } else {
                res.header(HeaderNames.ALLOW, String.join(", ", allowed));
                Json.sendError(res, 405, "METHOD_NOT_ALLOWED", req.prologue().method().text() + " is not allowed on "
                        + req.path().path() + "; allowed: " + String.join(", ", allowed));
            }
        });
    }

    private Set<String> allowedMethods(ServerRequest req) {
        String path = req.path().path();
        Set<String> allowed = new LinkedHashSet<>();
        for (Route r : routes) {
            if (r.regex().matcher(path).matches()) {
                allowed.add(r.method().text());
            }
        }
        return allowed;
    }
}
