package org.mededge.appliance.health;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

import org.mededge.appliance.engines.EngineSlot;
import org.mededge.appliance.engines.Engines;

/** Readiness: UP only when every required, enabled engine is READY and the appliance is not draining. */
public final class Readiness {
    public record Check(String name, String status, boolean required, String detail) {
    }

    public record Report(String status, List<Check> checks) {
        public boolean up() {
            return "UP".equals(status);
        }
    }

    private final Engines engines;
    private final BooleanSupplier draining;
    private final boolean encryptedAtRest;

    /** @param encryptedAtRest whether the data folder is on an encrypted volume (a check that never fails readiness) */
    public Readiness(Engines engines, BooleanSupplier draining, boolean encryptedAtRest) {
        this.engines = engines;
        this.draining = draining;
        this.encryptedAtRest = encryptedAtRest;
    }

    public Report evaluate() {
        List<Check> checks = new ArrayList<>();
        boolean up = true;
        for (EngineSlot<?> s : engines.all()) {
            if (s.state() == EngineSlot.State.DISABLED) {
                continue;
            }
            boolean ready = s.state() == EngineSlot.State.READY;
            boolean required = s.binding().required();
            checks.add(new Check(s.name(), ready ? "UP" : "DOWN", required, s.detail()));
            if (!ready && required) {
                up = false;
            }
        }
        // shown to anonymous probes: says what to do, not where the data lies
        checks.add(new Check("data-at-rest", encryptedAtRest ? "UP" : "DOWN", false, encryptedAtRest
                ? "the data folder is on an encrypted volume"
                : "the data folder is NOT on an encrypted volume: see the README, encryption at rest (the log names the volume)"));
        if (draining.getAsBoolean()) {
            checks.add(new Check("lifecycle", "DOWN", true, "shutting down: finishing requests in flight"));
            up = false;
        }
        return new Report(up ? "UP" : "DOWN", checks);
    }
}
