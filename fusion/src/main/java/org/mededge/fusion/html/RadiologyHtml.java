package org.mededge.fusion.html;

import java.util.List;

import org.mededge.fusion.ImagingFinding;
import org.mededge.fusion.radiology.NormalizedFindings;

import static org.mededge.fusion.html.Html.escape;

/**
 * A radiology report as a self-contained HTML page in the house style, Chinese or English: the
 * radiologist's findings and impression, the follow-up, the critical-result record, and the AI's
 * findings apart, marked as the model's (and as a demonstration where the model is not clinical).
 * Every value escaped, inline style only, no scripts, no external resources.
 */
public final class RadiologyHtml {
    private static final String STYLE = "body{font-family:system-ui,sans-serif;max-width:52em;margin:2em auto;padding:0 1em;color:#222}"
            + "h1{font-size:1.4em}h2{font-size:1.1em;margin-top:1.5em;border-bottom:1px solid #ccc}"
            + ".ai{color:#555}.critical{border-left:4px solid #c00;background:#fee;padding:.4em .6em}small{color:#666}";

    /**
     * What the page shows.
     *
     * @param status     preliminary, final or amended
     * @param impression the radiologist's impression (signed), or the AI draft before signing
     * @param followUp   one line per recommendation, with its guideline
     * @param critical   the critical-result record as one line, or null
     * @param signed     who signed and when, or null
     */
    public record Page(String status, NormalizedFindings findings, String impression, boolean impressionIsAiDraft,
                       List<String> followUp, String critical, List<ImagingFinding> ai, String signed) {
    }

    private RadiologyHtml() {
    }

    public static String render(Page p) {
        boolean zh = p.findings() != null && "zh".equals(p.findings().language());
        StringBuilder b = new StringBuilder(4096);
        b.append("<!DOCTYPE html><html lang=\"").append(zh ? "zh" : "en").append("\"><head><meta charset=\"utf-8\"><title>")
                .append(zh ? "影像报告" : "Radiology report").append("</title><style>").append(STYLE).append("</style></head><body>");
        b.append("<h1>").append(zh ? "胸部X线报告" : "Chest radiograph report").append("</h1>");
        b.append("<p><small>").append(zh ? "状态：" : "Status: ").append(escape(p.status()));
        if (p.signed() != null) {
            b.append(zh ? "；签署：" : "; signed by ").append(escape(p.signed()));
        }
        b.append("</small></p>");
        b.append("<h2>").append(zh ? "所见" : "Findings").append("</h2><p>")
                .append(escape(p.findings() == null ? "" : p.findings().normalizedText())).append("</p>");
        b.append("<h2>").append(zh ? "印象" : "Impression").append("</h2><p>").append(escape(p.impression() == null ? "" : p.impression()))
                .append("</p>");
        if (p.impressionIsAiDraft()) {
            b.append("<p><small>").append(zh ? "AI 草稿，待放射科医师审核签署。" : "AI draft, to be reviewed and signed by the radiologist.")
                    .append("</small></p>");
        }
        if (!p.followUp().isEmpty()) {
            b.append("<h2>").append(zh ? "随访建议" : "Follow-up").append("</h2><ul>");
            p.followUp().forEach(f -> b.append("<li>").append(escape(f)).append("</li>"));
            b.append("</ul>");
        }
        if (p.critical() != null) {
            b.append("<h2>").append(zh ? "危急值通报" : "Critical result").append("</h2><p class=\"critical\">")
                    .append(escape(p.critical())).append("</p>");
        }
        if (!p.ai().isEmpty()) {
            b.append("<h2>").append(zh ? "AI 影像模型发现（供参考）" : "AI imaging model findings (for reference)").append("</h2><ul class=\"ai\">");
            for (ImagingFinding f : p.ai()) {
                b.append("<li>").append(escape(f.label())).append(' ').append(Math.round(f.probability() * 100)).append(" %")
                        .append(f.laterality() == null ? "" : " (" + escape(f.laterality()) + ")").append(" <small>")
                        .append(escape(f.model() + " " + f.modelVersion()))
                        .append(f.clinical() ? "" : ", " + (zh ? ImagingFinding.NOT_CLINICAL_ZH : ImagingFinding.NOT_CLINICAL_EN))
                        .append("</small></li>");
            }
            b.append("</ul>");
        }
        b.append("</body></html>");
        return b.toString();
    }
}
