package org.mededge.fusion.fhir;

import java.util.UUID;

import org.hl7.fhir.instance.model.api.IBaseResource;

import ca.uhn.fhir.context.FhirContext;

import org.mededge.fusion.html.Html;

/** The process's one FhirContext (R4) and small helpers shared by the bundle builders. */
public final class Fhir {
    private static final FhirContext CONTEXT = FhirContext.forR4Cached();

    private Fhir() {
    }

    public static FhirContext context() {
        return CONTEXT;
    }

    /** Compact JSON of a resource. */
    public static String json(IBaseResource resource) {
        return CONTEXT.newJsonParser().setPrettyPrint(false).encodeResourceToString(resource);
    }

    /** A new {@code urn:uuid:} full URL. */
    static String newUrn() {
        return "urn:uuid:" + UUID.randomUUID();
    }

    /** An XHTML narrative div holding the given paragraphs, escaped. */
    static String div(String... paragraphs) {
        StringBuilder b = new StringBuilder("<div xmlns=\"http://www.w3.org/1999/xhtml\">");
        for (String p : paragraphs) {
            if (p != null && !p.isBlank()) {
                b.append("<p>").append(Html.escape(p)).append("</p>");
            }
        }
        return b.append("</div>").toString();
    }

    /** An XHTML narrative div with a list. */
    static String divList(String title, Iterable<String> items) {
        StringBuilder b = new StringBuilder("<div xmlns=\"http://www.w3.org/1999/xhtml\">");
        if (title != null) {
            b.append("<p>").append(Html.escape(title)).append("</p>");
        }
        b.append("<ul>");
        boolean any = false;
        for (String i : items) {
            b.append("<li>").append(Html.escape(i)).append("</li>");
            any = true;
        }
        if (!any) {
            b.append("<li>-</li>");
        }
        return b.append("</ul></div>").toString();
    }
}
