package org.mededge.appliance.http;

import java.util.Map;

/**
 * Headers every answer carries, in one place. Nearly every API answer holds patient data or could
 * (a report, a transcript, an error naming a report), so none may be kept by a browser or a proxy
 * cache; none may be sniffed into another type; and no page of the appliance may be framed by
 * another site (clickjacking a sign-off page).
 */
public final class SecurityHeaders {
    /** On every answer. */
    public static final Map<String, String> API = Map.of(
            "Cache-Control", "no-store",
            "X-Content-Type-Options", "nosniff");
    /** Added to every HTML page's own Content-Security-Policy. */
    public static final String FRAME_ANCESTORS = "frame-ancestors 'none'";

    private SecurityHeaders() {
    }

    /** A page's policy with framing forbidden. */
    public static String pagePolicy(String csp) {
        return csp.contains("frame-ancestors") ? csp : csp + "; " + FRAME_ANCESTORS;
    }
}
