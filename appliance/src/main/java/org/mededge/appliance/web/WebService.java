package org.mededge.appliance.web;

import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import java.util.regex.Pattern;

import io.helidon.http.HeaderNames;

import org.mededge.appliance.http.ApiException;
import org.mededge.appliance.http.ApiService;
import org.mededge.appliance.http.Routes;

/**
 * The web pages for the bedside and the reading room: static files from the jar, no build step.
 * They ask for an API token and call the same HTTP API as any client.
 */
public final class WebService implements ApiService {
    private static final Pattern SAFE_NAME = Pattern.compile("[a-z0-9-]+\\.(html|css|js)");
    private static final Map<String, String> TYPES = Map.of(
            "html", "text/html; charset=utf-8", "css", "text/css; charset=utf-8", "js", "text/javascript; charset=utf-8");

    @Override
    public void register(Routes routes) {
        routes.get("/", (req, res) -> serve("index.html", res));
        routes.get("/ui/{file}", (req, res) -> serve(req.path().pathParameters().get("file"), res));
    }

    private static void serve(String name, io.helidon.webserver.http.ServerResponse res) throws IOException {
        if (!SAFE_NAME.matcher(name).matches()) {
            throw new ApiException(404, "NOT_FOUND", "No such page: " + name);
        }
        try (InputStream in = WebService.class.getResourceAsStream("/web/" + name)) {
            if (in == null) {
                throw new ApiException(404, "NOT_FOUND", "No such page: " + name);
            }
            byte[] body = in.readAllBytes();
            res.header(HeaderNames.CONTENT_TYPE, TYPES.get(name.substring(name.lastIndexOf('.') + 1)));
            res.header("Content-Security-Policy", "default-src 'self'; img-src 'self' blob: data:; media-src 'self' blob:;"
                    + " style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'");
            res.send(body);
        }
    }
}
