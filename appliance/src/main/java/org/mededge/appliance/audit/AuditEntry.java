package org.mededge.appliance.audit;

/**
 * One audit record. It names who did what to which resource with what outcome, the models that
 * took part, and the sha256 of input and output; it never holds clinical text.
 *
 * @param models e.g. "whisper-demo@1;silero-vad@6.2" (empty when no model took part)
 */
public record AuditEntry(long seq, String at, String principal, String role, String action, String resource,
                         String outcome, String models, String inputSha256, String outputSha256,
                         String prevHash, String hash) {

    /** What a caller supplies; the log adds sequence, time and the chain hashes. */
    public record Event(String principal, String role, String action, String resource, String outcome,
                        String models, String inputSha256, String outputSha256) {
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
