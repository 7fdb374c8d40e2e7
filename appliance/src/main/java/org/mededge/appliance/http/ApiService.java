package org.mededge.appliance.http;

/** A group of routes: each feature (health, models, notes, dictations, ...) registers its own. */
@FunctionalInterface
public interface ApiService {
    void register(Routes routes);
}
