package org.mededge.appliance.engines;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/** The one admission rule: so many run, so many wait, first come first served, the rest refused. */
class AdmissionTest {

    @Test
    void runsWaitsAndRefuses() throws Exception {
        Admission a = new Admission(1, 1);
        Admission.Ticket first = a.enter(Duration.ZERO);
        assertEquals(1, a.running());
        // the second waits; the third finds the queue full
        CountDownLatch waiting = new CountDownLatch(1);
        CountDownLatch admitted = new CountDownLatch(1);
        Thread t = Thread.ofPlatform().start(() -> {
            waiting.countDown();
            try (Admission.Ticket second = a.enter(Duration.ofSeconds(10))) {
                admitted.countDown();
            }
        });
        waiting.await();
        while (a.waiting() == 0) {
            Thread.sleep(1);
        }
        assertEquals(Admission.Refused.Why.FULL, assertThrows(Admission.Refused.class, () -> a.enter(Duration.ofSeconds(1))).why());
        first.close();
        first.close(); // closing twice gives back one place only
        assertEquals(true, admitted.await(5, TimeUnit.SECONDS));
        t.join();
        assertEquals(0, a.running());
        assertEquals(0, a.waiting());
    }

    @Test
    void aWaitLongerThanAllowedIsRefusedAsTimedOut() {
        Admission a = new Admission(1, 2);
        a.enter(Duration.ZERO);
        assertEquals(Admission.Refused.Why.TIMED_OUT,
                assertThrows(Admission.Refused.class, () -> a.enter(Duration.ofMillis(20))).why());
        Admission noQueue = new Admission(1, 0);
        noQueue.enter(Duration.ZERO);
        assertEquals(Admission.Refused.Why.FULL, assertThrows(Admission.Refused.class, () -> noQueue.enter(Duration.ZERO)).why());
    }
}
