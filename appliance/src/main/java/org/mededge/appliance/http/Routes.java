package org.mededge.appliance.http;

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

/**
 * Registers the API's routes and remembers their templates, so that metrics are labelled by route
 * template (never by a raw path holding ids) and an unmatched request is told 404 or 405.
 */
public final class Routes {
    /** Request-context key under which the matched route template is kept. */
    public static final String ROUTE_KEY = "mededge.route";
    public static final String UNMATCHED = "unmatched";

    private record Route(Method method, String template, Pattern regex) {
    }

    private final HttpRouting.Builder rules;
    private final List<Route> routes = new ArrayList<>();

    public Routes(HttpRouting.Builder rules) {
        this.rules = rules;
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

    public Routes route(Method method, String template, Handler handler) {
        routes.add(new Route(method, template, Pattern.compile(template.replaceAll("\\{[^}/]+}", "[^/]+"))));
        rules.route(method, template, (req, res) -> {
            req.context().register(ROUTE_KEY, template);
            handler.handle(req, res);
        });
        return this;
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
