package org.mededge.fusion;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Locale;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import org.mededge.fusion.html.ReportHtml;

/** The page for people: everything escaped, no script, no external resource. */
class ReportHtmlTest {
    private static final ReportAssembler A = new ReportAssembler(FusionConfig.defaults());

    @Test
    void noteTextCannotInjectMarkup() {
        String hostile = "Chief complaint: <script>alert(1)</script> cough for 3 days. "
                + "Exam: <img src=x onerror=alert(2)> T 38.5 C, SpO2 86%. \"quoted\" & 'single'.";
        String html = ReportHtml.render(A.structure(new NoteRequest(hostile, null, null), Optional.empty()));
        String lower = html.toLowerCase(Locale.ROOT);
        assertFalse(lower.contains("<script"), html);
        assertFalse(lower.contains("<img"), html);
        assertTrue(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        assertTrue(html.contains("&amp;") && html.contains("&quot;quoted&quot;") && html.contains("&#39;single&#39;"));
        assertFalse(java.util.regex.Pattern.compile("<[^>]*\\s(?:on[a-z]+|src|href)\\s*=").matcher(lower).find(),
                "no tag carries an event handler or loads anything");
    }

    @Test
    void thePageShowsAlertsValuesAndTheDisclaimer() {
        StructuredReport r = A.structure(new NoteRequest("主诉：胸痛2小时，伴大汗。查体：BP 150/90mmHg，SpO2 95%。肌钙蛋白I 1.5ng/mL。",
                null, "cardiology"), Optional.empty());
        String html = ReportHtml.render(r);
        assertTrue(html.startsWith("<!DOCTYPE html><html lang=\"zh\">"));
        assertTrue(html.contains("RED_FLAG"));
        assertTrue(html.contains("10839-9"));
        assertTrue(html.contains("AI-generated draft; the treating clinician decides."));
        assertTrue(html.contains("主诉"));
    }
}
