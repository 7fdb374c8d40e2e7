package org.mededge.llm;

/** Why generation ended. */
public enum FinishReason {
    /** end-of-sequence token, a stop string, or the JSON schema was complete */
    STOP,
    /** max new tokens reached */
    LENGTH,
    /** the request's deadline passed */
    DEADLINE,
    /** cancelled by the caller */
    CANCELLED
}
