package org.mededge.appliance.auth;

import java.util.concurrent.ConcurrentHashMap;

/**
 * A token bucket per key (a principal, or a client address): {@code perMinute} on average, bursts
 * up to {@code burst}. Buckets that have refilled completely are forgotten, so a stream of new keys
 * (addresses) cannot grow the map without bound.
 */
public final class RateLimiter {
    /** Above this many buckets, full ones are swept. */
    private static final int SWEEP_ABOVE = 10_000;

    private final double perNano;
    private final double burst;
    private final ConcurrentHashMap<String, Bucket> buckets = new ConcurrentHashMap<>();

    /** How long a key must wait, and whether this is the first refusal since it last had room. */
    public record Wait(long seconds, boolean first) {
    }

    private static final class Bucket {
        double tokens;
        long last;
        boolean refused;

        Bucket(double tokens, long last) {
            this.tokens = tokens;
            this.last = last;
        }

        void refill(long now, double perNano, double burst) {
            tokens = Math.min(burst, tokens + (now - last) * perNano);
            last = now;
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
    public long acquire(String key) {
        long now = System.nanoTime();
        sweep(now);
        Bucket b = buckets.computeIfAbsent(key, k -> new Bucket(burst, now));
        synchronized (b) {
            b.refill(now, perNano, burst);
            if (b.tokens >= 1) {
                b.tokens -= 1;
                b.refused = false;
                return 0;
            }
            return waitSeconds(b);
        }
    }

    /** Null when the key has room for one more, else how long until it has (nothing is taken). */
    public Wait blocked(String key) {
        Bucket b = buckets.get(key);
        if (b == null) {
            return null;
        }
        synchronized (b) {
            b.refill(System.nanoTime(), perNano, burst);
            if (b.tokens >= 1) {
                b.refused = false;
                return null;
            }
            boolean first = !b.refused;
            b.refused = true;
            return new Wait(waitSeconds(b), first);
        }
    }

    private long waitSeconds(Bucket b) {
        return Math.max(1, (long) Math.ceil((1 - b.tokens) / perNano / 1e9));
    }

    private void sweep(long now) {
        if (buckets.size() <= SWEEP_ABOVE) {
            return;
        }
        buckets.entrySet().removeIf(e -> {
            synchronized (e.getValue()) {
                e.getValue().refill(now, perNano, burst);
                return e.getValue().tokens >= burst;
            }
        });
    }
}
