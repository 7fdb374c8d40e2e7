package org.mededge.appliance.auth;

import java.util.concurrent.ConcurrentHashMap;

/** A token bucket per principal: {@code perMinute} requests a minute on average, bursts up to {@code burst}. */
public final class RateLimiter {
    private final double perNano;
    private final double burst;
    private final ConcurrentHashMap<String, Bucket> buckets = new ConcurrentHashMap<>();

    private static final class Bucket {
        double tokens;
        long last;

        Bucket(double tokens, long last) {
            this.tokens = tokens;
            this.last = last;
        }
    }

    public RateLimiter(int perMinute, int burst) {
        if (perMinute < 1 || burst < 1) {
            throw new IllegalArgumentException("rate limit and burst must be at least 1");
        }
        this.perNano = perMinute / 60e9;
        this.burst = burst;
    }

    /** Takes one request's worth; returns 0 when allowed, else the seconds to wait. */
    public long acquire(String principal) {
        long now = System.nanoTime();
        Bucket b = buckets.computeIfAbsent(principal, k -> new Bucket(burst, now));
        synchronized (b) {
            b.tokens = Math.min(burst, b.tokens + (now - b.last) * perNano);
            b.last = now;
            if (b.tokens >= 1) {
                b.tokens -= 1;
                return 0;
            }
            return Math.max(1, (long) Math.ceil((1 - b.tokens) / perNano / 1e9));
        }
    }
}
