package org.mededge.appliance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.mededge.appliance.http.Json;

/** Graceful shutdown: the request in flight finishes; a new one gets 503 while draining. */
class ShutdownTest {

    @Test
    void drainsInFlightAndRefusesNewWork(@TempDir Path home) throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Appliance a = TestAppliance.start(home, Map.of("mededge.engines.vad.enabled", "false"), routes ->
                routes.get("/test/slow", (req, res) -> {
                    entered.countDown();
                    release.await(20, TimeUnit.SECONDS);
                    Json.ok(res, Map.of("done", true));
                }));
        Http http = new Http(a.port());
        CompletableFuture<Http.Response> slow = CompletableFuture.supplyAsync(() -> http.get("/test/slow"));
        assertTrue(entered.await(10, TimeUnit.SECONDS));
        CompletableFuture<Void> closing = CompletableFuture.runAsync(a::close);
        // wait until the appliance is draining, then try new work
        Http.Response refused = null;
        for (int i = 0; i < 100; i++) {
            Http.Response r = new Http(a.port()).get("/health/live");
            if (r.status() == 503) {
                refused = r;
                break;
            }
            Thread.sleep(20);
        }
        assertTrue(refused != null, "new requests are refused while draining");
        FoundationHttpTest.assertError(refused, 503, "SHUTTING_DOWN");
        assertTrue(!closing.isDone(), "close waits for the request in flight");
        release.countDown();
        Http.Response done = slow.get(10, TimeUnit.SECONDS);
        assertEquals(200, done.status(), done.body());
        closing.get(10, TimeUnit.SECONDS);
    }
}
