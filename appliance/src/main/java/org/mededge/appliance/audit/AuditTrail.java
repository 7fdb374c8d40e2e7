package org.mededge.appliance.audit;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * What a handler tells the audit log about the request it is serving: the resource it touched,
 * the models that took part, and the sha256 of input and output. The route wrapper writes the
 * entry when the handler is done (or failed), unless the handler's own transaction already did
 * (a stored report is written together with its audit entry).
 */
public final class AuditTrail {
    private String action;
    private String resource;
    private String models = "";
    private String inputSha256;
    private String outputSha256;
    private boolean written;

    public AuditTrail action(String a) {
        this.action = a;
        return this;
    }

    public AuditTrail resource(String r) {
        this.resource = r;
        return this;
    }

    public AuditTrail models(String m) {
        this.models = m == null ? "" : m;
        return this;
    }

    public AuditTrail input(byte[] bytes) {
        this.inputSha256 = sha256(bytes);
        return this;
    }

    public AuditTrail inputSha256(String sha) {
        this.inputSha256 = sha;
        return this;
    }

    public AuditTrail output(byte[] bytes) {
        this.outputSha256 = sha256(bytes);
        return this;
    }

    /** The handler wrote the audit entry itself, in the same transaction as its data. */
    public void markWritten() {
        this.written = true;
    }

    public boolean written() {
        return written;
    }

    public String action() {
        return action;
    }

    public String resource() {
        return resource;
    }

    public String models() {
        return models;
    }

    public String inputSha256() {
        return inputSha256;
    }

    public String outputSha256() {
        return outputSha256;
    }

    public static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public static String sha256(String text) {
        return sha256(text.getBytes(StandardCharsets.UTF_8));
    }
}
