package org.mededge.appliance.audit;

/**
 * One audit record. It names who did what to which resource with what outcome, the models that
 * took part, the sha256 of input and output, and the client's network address when the request came
 * over the network; it never holds clinical text or a token.
 *
 * @param models e.g. "whisper-demo@1;silero-vad@6.2" (empty when no model took part)
 * @param client the caller's IP address; null for the box's own shell and for entries written
 *               before schema 3
 */
public record AuditEntry(long seq, String at, String principal, String role, String action, String resource,
                         String outcome, String models, String inputSha256, String outputSha256,
                         String prevHash, String hash, String client) {

    /** What a caller supplies; the log adds sequence, time and the chain hashes. */
    public record Event(String principal, String role, String action, String resource, String outcome,
                        String models, String inputSha256, String outputSha256, String client) {
        /** An event with no network client (the shell, or the caller's transaction adds it later). */
        public Event(String principal, String role, String action, String resource, String outcome,
                     String models, String inputSha256, String outputSha256) {
            this(principal, role, action, resource, outcome, models, inputSha256, outputSha256, null);
        }

        /** The same event as seen from a client address. */
        public Event from(String address) {
            return new Event(principal, role, action, resource, outcome, models, inputSha256, outputSha256, address);
        }

        public Event {
            principal = nz(principal);
            role = nz(role);
            action = nz(action);
            resource = nz(resource);
            outcome = nz(outcome);
            models = nz(models);
        }

        private static String nz(String s) {
            return s == null ? "" : s;
        }
    }
}
