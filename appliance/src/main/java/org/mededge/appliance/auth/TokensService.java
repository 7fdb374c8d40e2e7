package org.mededge.appliance.auth;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.node.ObjectNode;

import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import org.mededge.appliance.http.ApiException;
import org.mededge.appliance.http.ApiService;
import org.mededge.appliance.http.Bodies;
import org.mededge.appliance.http.Json;
import org.mededge.appliance.http.Routes;

/**
 * Token management for ops over HTTP (admin role), effective at once in this appliance:
 * {@code GET /v1/tokens} lists (never a secret), {@code POST /v1/tokens {role, label?}} creates
 * and answers the secret once, {@code DELETE /v1/tokens/{id}} revokes. Every call is audited.
 */
public final class TokensService implements ApiService {
    private static final Set<String> CREATE_FIELDS = Set.of("role", "label");
    private static final int MAX_BODY = 4096;

    private final TokenStore tokens;

    public TokensService(TokenStore tokens) {
        this.tokens = tokens;
    }

    @Override
    public void register(Routes routes) {
        routes.get("/v1/tokens", (req, res) -> {
            Routes.audit(req).action("token.list").resource("tokens");
            Json.ok(res, Map.of("tokens", tokens.list()));
        });
        routes.post("/v1/tokens", this::create);
        routes.delete("/v1/tokens/{id}", this::revoke);
    }

    private void create(ServerRequest req, ServerResponse res) {
        ObjectNode body = Bodies.readJsonObject(req, MAX_BODY, CREATE_FIELDS);
        Role role = Role.parse(Bodies.requiredText(body, "role"));
        if (role == null) {
            throw ApiException.unprocessable("INVALID_FIELD", "Field 'role' must be clinician, radiology, ops or admin.");
        }
        String label = Bodies.optionalText(body, "label");
        TokenStore.Created t = tokens.create(role, label);
        Routes.audit(req).action("token.create").resource("token/" + t.id());
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("id", t.id());
        answer.put("role", role.id());
        answer.put("token", t.token());
        answer.put("notice", "The token is shown only now; store it safely.");
        Json.send(res, 201, answer);
    }

    private void revoke(ServerRequest req, ServerResponse res) {
        String id = req.path().pathParameters().get("id");
        Routes.audit(req).action("token.revoke").resource("token/" + id);
        if (!tokens.revoke(id)) {
            throw new ApiException(404, "TOKEN_NOT_FOUND", "No token " + id + " (see GET /v1/tokens).");
        }
        Json.ok(res, Map.of("id", id, "revoked", true));
    }
}
