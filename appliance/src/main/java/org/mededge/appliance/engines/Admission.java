package org.mededge.appliance.engines;

import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * How many requests an engine takes at once, the one way every engine feature admits work: at most
 * {@code running} run, at most {@code queued} wait, first come first served; one more is refused at
 * once ({@link Refused.Why#FULL}), and one that waits longer than it may is refused too
 * ({@link Refused.Why#TIMED_OUT}). The feature turns a refusal into its module's BUSY or deadline
 * error (503 + Retry-After, 504): the rule is here, the words are the engine's.
 */
public final class Admission {
    private final Semaphore permits;
    private final int running;
    private final int queued;
    private final AtomicInteger waiting = new AtomicInteger();
    private final AtomicInteger inside = new AtomicInteger();

    public Admission(int running, int queued) {
        if (running < 1 || queued < 0) {
            throw new IllegalArgumentException("admission needs running >= 1 and queued >= 0");
        }
        this.running = running;
        this.queued = queued;
        this.permits = new Semaphore(running, true);
    }

    /** Why a request was not admitted. */
    public static final class Refused extends RuntimeException {
        public enum Why { FULL, TIMED_OUT }

        private final Why why;

        Refused(Why why) {
            super(why.name(), null, false, false);
            this.why = why;
        }

        public Why why() {
            return why;
        }
    }

    /** A place taken; closing it (once, or again: a no-op) gives it back. */
    public final class Ticket implements AutoCloseable {
        private final AtomicBoolean open = new AtomicBoolean(true);

        @Override
        public void close() {
            if (open.compareAndSet(true, false)) {
                inside.decrementAndGet();
                permits.release();
            }
        }
    }

    /** Takes a place, waiting up to {@code maxWait} in the queue when all are taken; {@link Refused} otherwise. */
    public Ticket enter(Duration maxWait) {
        if (!acquire(0)) {
            if (waiting.incrementAndGet() > queued) {
                waiting.decrementAndGet();
                throw new Refused(Refused.Why.FULL);
            }
            boolean in;
            try {
                in = !maxWait.isZero() && !maxWait.isNegative() && acquire(maxWait.toNanos());
            } finally {
                waiting.decrementAndGet();
            }
            if (!in) {
                throw new Refused(queued == 0 ? Refused.Why.FULL : Refused.Why.TIMED_OUT);
            }
        }
        inside.incrementAndGet();
        return new Ticket();
    }

    /** A slot within {@code nanos}, first come first served (a timed tryAcquire honours the fair queue). */
    private boolean acquire(long nanos) {
        try {
            return permits.tryAcquire(nanos, TimeUnit.NANOSECONDS);
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    public int running() {
        return inside.get();
    }

    public int waiting() {
        return waiting.get();
    }

    public int capacity() {
        return running;
    }

    public int queueCapacity() {
        return queued;
    }
}
