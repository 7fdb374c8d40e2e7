package org.mededge.appliance.dictation;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import org.mededge.appliance.auth.Principal;

/**
 * Single-use, short-lived tickets for opening a live dictation from a browser, which cannot set an
 * Authorization header on a WebSocket: an authenticated {@code POST /v1/dictations/stream/tickets}
 * gets one, the page opens {@code /v1/dictations/stream?ticket=...} with it. A ticket names its
 * clinician, works once, and expires after its lifetime; the long-lived API token never appears in a
 * URL. Tickets live in memory only (a restart voids them: the page asks for another).
 */
final class StreamTickets {
    private static final SecureRandom RANDOM = new SecureRandom();

    private record Ticket(Principal principal, long expiresNanos) {
    }

    private final Map<String, Ticket> tickets = new ConcurrentHashMap<>();
    private final Duration lifetime;

    StreamTickets(Duration lifetime) {
        this.lifetime = lifetime;
    }

    Duration lifetime() {
        return lifetime;
    }

    String issue(Principal who) {
        long now = System.nanoTime();
        tickets.values().removeIf(t -> t.expiresNanos() - now < 0);
        byte[] b = new byte[32];
        RANDOM.nextBytes(b);
        String id = Base64.getUrlEncoder().withoutPadding().encodeToString(b);
        tickets.put(id, new Ticket(who, now + lifetime.toNanos()));
        return id;
    }

    /** The ticket's clinician, once: the ticket is gone after this call whether it was valid or not. */
    Optional<Principal> redeem(String id) {
        Ticket t = id == null ? null : tickets.remove(id);
        if (t == null || t.expiresNanos() - System.nanoTime() < 0) {
            return Optional.empty();
        }
        return Optional.of(t.principal());
    }
}
