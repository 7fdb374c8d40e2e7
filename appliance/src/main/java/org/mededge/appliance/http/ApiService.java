package org.mededge.appliance.http;

import io.helidon.webserver.websocket.WsRouting;

/** A group of routes: each feature (health, models, notes, dictations, ...) registers its own. */
@FunctionalInterface
public interface ApiService {
    void register(Routes routes);

    /** WebSocket endpoints of the feature, if it has any (live dictation). */
    default void registerSockets(WsRouting.Builder ws) {
    }
}
