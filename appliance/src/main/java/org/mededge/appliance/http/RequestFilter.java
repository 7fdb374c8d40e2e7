package org.mededge.appliance.http;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.webserver.CloseConnectionException;
import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;

import org.mededge.appliance.metrics.Metrics;

/**
 * Wraps every request: counts it in flight (so shutdown can drain), refuses new work with 503
 * once shutdown has begun, times it into {@code mededge_http_request_seconds}, and closes the
 * connection after an answer that says "Connection: close".
 */
public final class RequestFilter implements Filter {
    private final Metrics metrics;
    private final AtomicBoolean draining = new AtomicBoolean();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final Object drained = new Object();

    public RequestFilter(Metrics metrics) {
        this.metrics = metrics;
    }

    @Override
    public void filter(FilterChain chain, RoutingRequest req, RoutingResponse res) {
        long start = System.nanoTime();
        SecurityHeaders.API.forEach(res::header);
        try {
            if (draining.get()) {
                res.header(HeaderNames.CONNECTION, "close");
                res.header(HeaderNames.RETRY_AFTER, "30");
                Json.sendError(res, 503, "SHUTTING_DOWN", "The appliance is shutting down; retry shortly.");
                return;
            }
            inFlight.incrementAndGet();
            try {
                chain.proceed();
            } finally {
                if (inFlight.decrementAndGet() == 0) {
                    synchronized (drained) {
                        drained.notifyAll();
                    }
                }
            }
        } finally {
            String route = req.context().get(Routes.ROUTE_KEY, String.class).orElse(Routes.UNMATCHED);
            metrics.observeHttp(route, req.prologue().method().text(), res.status().code(),
                    (System.nanoTime() - start) / 1e9);
        }
        // RFC 9112 9.6: after the answer, close when either side said "close". The server we run on
        // only marks the answer and would go on reading the connection: the rest of a refused body
        // would then be parsed as the next request, and a client that asked for close would wait.
        if (res.isSent() && (res.headers().contains(HeaderValues.CONNECTION_CLOSE)
                || req.headers().contains(HeaderValues.CONNECTION_CLOSE))) {
            linger(req);
            throw new CloseConnectionException("closed after the answer, as the connection header asked");
        }
    }

    /** At most this much of a refused body is read and discarded before the connection closes. */
    static final long LINGER_BYTES = 16L << 20;

    /**
     * A lingering close: a client still sending a body the answer refused (413 from its Content-Length)
     * would get a TCP reset for the unread bytes, and a reset can destroy the answer before the client
     * reads it. So what it is still sending is read and discarded, into a small buffer, up to
     * {@link #LINGER_BYTES}; a larger body is cut off (its client may then see the reset).
     */
    private static void linger(RoutingRequest req) {
        try {
            if (!req.content().hasEntity() || req.content().consumed()) {
                return;
            }
            long declared = req.headers().contentLength().orElse(-1);
            if (declared > LINGER_BYTES) {
                return;
            }
            byte[] buf = new byte[16384];
            long total = 0;
            try (java.io.InputStream in = req.content().inputStream()) {
                for (int n; total < LINGER_BYTES && (n = in.read(buf)) > 0; ) {
                    total += n;
                }
            }
        } catch (RuntimeException | java.io.IOException e) {
            // the body was already taken or the client went away: nothing to linger for
        }
    }

    public boolean draining() {
        return draining.get();
    }

    public int inFlight() {
        return inFlight.get();
    }

    /** Stops taking new work, then waits up to {@code millis} for requests in flight to finish. */
    public boolean drain(long millis) {
        draining.set(true);
        long deadline = System.currentTimeMillis() + millis;
        synchronized (drained) {
            while (inFlight.get() > 0) {
                long left = deadline - System.currentTimeMillis();
                if (left <= 0) {
                    return false;
                }
                try {
                    drained.wait(Math.min(left, 100));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
        }
        return true;
    }
}
