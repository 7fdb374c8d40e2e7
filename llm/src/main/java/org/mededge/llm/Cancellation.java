package org.mededge.llm;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Lets a caller stop a generation in progress (client gone, shutdown). Thread-safe; cancelling is
 * permanent. The engine stops within one decoding step, or aborts the ONNX Runtime run in progress,
 * and returns what it has with {@link FinishReason#CANCELLED}.
 */
public final class Cancellation {
    private final List<Runnable> listeners = new CopyOnWriteArrayList<>();
    private volatile boolean cancelled;

    public void cancel() {
        if (cancelled) {
            return;
        }
        cancelled = true;
        listeners.forEach(Runnable::run);
    }

    public boolean isCancelled() {
        return cancelled;
    }

    /** Runs {@code action} on cancellation (at once if already cancelled) until the returned handle is closed. */
    public Subscription onCancel(Runnable action) {
        listeners.add(action);
        if (cancelled) {
            action.run();
        }
        return () -> listeners.remove(action);
    }

    /** A registration made by {@link #onCancel}; closing it twice is harmless. */
    @FunctionalInterface
    public interface Subscription extends AutoCloseable {
        @Override
        void close();
    }
}
