package org.mededge.appliance.auth;

import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which roles may call which route, in one table. A route missing from the table is open to admin
 * only (fail closed), and {@link #missing} lets a test prove that no route was forgotten.
 */
public final class AccessPolicy {
    private static final Set<Role> ALL = EnumSet.allOf(Role.class);
    /** open to anyone, token or not */
    public static final Set<Role> OPEN = Set.of();

    private final Map<String, Set<Role>> rules = new HashMap<>();
    /** routes that read or write clinical data or credentials: every call is audited */
    private static final Set<String> AUDITED = Set.of("GET /v1/tokens", "POST /v1/tokens", "DELETE /v1/tokens/{id}",
            "POST /v1/notes", "POST /v1/dictations", "POST /v1/dictations/stream/tickets", "POST /v1/radiology/normalize", "POST /v1/studies",
            "GET /v1/radiology/worklist", "GET /v1/radiology/critical", "POST /v1/radiology/reports/{id}/findings",
            "POST /v1/radiology/reports/{id}/review", "POST /v1/radiology/reports/{id}/critical", "POST /v1/radiology/reports/{id}/sign",
            "GET /v1/studies/{id}/heatmap", "GET /v1/studies/{id}/image", "GET /v1/reports", "GET /v1/reports/{id}", "GET /v1/reports/{id}/fhir",
            "GET /v1/reports/{id}/html", "PUT /v1/reports/{id}", "POST /v1/reports/{id}/studies", "GET /v1/feedback/export", "GET /v1/audit/export",
            "GET /v1/audit/verify");

    public AccessPolicy(boolean openHealth, boolean openMetrics) {
        Set<Role> ops = EnumSet.of(Role.OPS, Role.ADMIN);
        allow("GET /health/live", openHealth ? OPEN : ops);
        allow("GET /health/ready", openHealth ? OPEN : ops);
        allow("GET /metrics", openMetrics ? OPEN : ops);
        allow("GET /v1/models", ALL);
        allow("GET /v1/adapters", ALL);
        // web pages are static; they ask for a token and call the API with it
        allow("GET /", OPEN);
        allow("GET /ui/{file}", OPEN);
        allow("POST /v1/notes", EnumSet.of(Role.CLINICIAN));
        allow("POST /v1/dictations", EnumSet.of(Role.CLINICIAN));
        // a browser's single-use ticket for the live dictation WebSocket (/v1/dictations/stream authenticates its upgrade itself)
        allow("POST /v1/dictations/stream/tickets", EnumSet.of(Role.CLINICIAN));
        allow("POST /v1/radiology/normalize", EnumSet.of(Role.RADIOLOGY));
        // the reading room (ReadingRoomService): worklist, findings and AI draft, review answers, critical results, sign
        for (String r : List.of("GET /v1/radiology/worklist", "GET /v1/radiology/critical", "POST /v1/radiology/reports/{id}/findings",
                "POST /v1/radiology/reports/{id}/review", "POST /v1/radiology/reports/{id}/critical",
                "POST /v1/radiology/reports/{id}/sign")) {
            allow(r, EnumSet.of(Role.RADIOLOGY));
        }
        allow("POST /v1/studies", EnumSet.of(Role.RADIOLOGY));
        allow("GET /v1/studies/{id}/heatmap", EnumSet.of(Role.RADIOLOGY));
        allow("GET /v1/studies/{id}/image", EnumSet.of(Role.RADIOLOGY));
        // clinicians see and sign only their own reports (checked by the reports service)
        Set<Role> readers = EnumSet.of(Role.CLINICIAN, Role.RADIOLOGY);
        allow("GET /v1/reports", readers);
        allow("GET /v1/reports/{id}", readers);
        allow("GET /v1/reports/{id}/fhir", readers);
        allow("GET /v1/reports/{id}/html", readers);
        allow("PUT /v1/reports/{id}", EnumSet.of(Role.CLINICIAN));
        // a study added to an encounter's report: clinicians to their own (the service checks), radiology to any
        allow("POST /v1/reports/{id}/studies", readers);
        Set<Role> admin = EnumSet.of(Role.ADMIN);
        allow("GET /v1/audit/verify", admin);
        allow("GET /v1/audit/export", admin);
        allow("GET /v1/feedback/export", admin);
        allow("GET /v1/tokens", admin);
        allow("POST /v1/tokens", admin);
        allow("DELETE /v1/tokens/{id}", admin);
    }

    private void allow(String route, Set<Role> roles) {
        rules.put(route, roles);
    }

    /** The roles allowed on a route; admin only when the route is not in the table. */
    public Set<Role> roles(String method, String template) {
        return rules.getOrDefault(method + " " + template, EnumSet.of(Role.ADMIN));
    }

    public boolean isOpen(String method, String template) {
        return roles(method, template).isEmpty();
    }

    /** True for routes that read or write clinical data or tokens (each call appends an audit entry). */
    public boolean audited(String method, String template) {
        return AUDITED.contains(method + " " + template);
    }

    /** True when the route has no entry in the table. */
    public boolean missing(String method, String template) {
        return !rules.containsKey(method + " " + template);
    }
}
