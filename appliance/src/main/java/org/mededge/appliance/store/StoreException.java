package org.mededge.appliance.store;

/** The database could not do what was asked; the request fails with 503 and nothing half-written. */
public class StoreException extends RuntimeException {
    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
