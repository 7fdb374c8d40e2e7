package org.mededge.fusion.fhir;

import java.util.UUID;

import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.utilities.xhtml.NodeType;
import org.hl7.fhir.utilities.xhtml.XhtmlNode;

import ca.uhn.fhir.context.FhirContext;

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

    /**
     * An XHTML narrative div holding the given paragraphs. Built as nodes, never parsed from a
     * string: the serializer escapes the text, and no XHTML parser (with its table of 2,000 entities)
     * is set up per narrative.
     */
    static XhtmlNode div(String... paragraphs) {
        XhtmlNode div = root();
        for (String p : paragraphs) {
            if (p != null && !p.isBlank()) {
                div.addTag("p").addText(p);
            }
        }
        return div;
    }

    /** An XHTML narrative div with a list. */
    static XhtmlNode divList(String title, Iterable<String> items) {
        XhtmlNode div = root();
        if (title != null) {
            div.addTag("p").addText(title);
        }
        XhtmlNode ul = div.addTag("ul");
        boolean any = false;
        for (String i : items) {
            ul.addTag("li").addText(i);
            any = true;
        }
        if (!any) {
            ul.addTag("li").addText("-");
        }
        return div;
    }

    private static XhtmlNode root() {
        XhtmlNode div = new XhtmlNode(NodeType.Element, "div");
        div.setAttribute("xmlns", "http://www.w3.org/1999/xhtml");
        return div;
    }
}
