package org.mededge.fusion.html;

import java.util.List;
import java.util.Map;

import org.mededge.fusion.ClinicalValue;
import org.mededge.fusion.Flag;
import org.mededge.fusion.FlagCode;
import org.mededge.fusion.ImagingFinding;
import org.mededge.fusion.Provenance;
import org.mededge.fusion.Section;
import org.mededge.fusion.StructuredReport;
import org.mededge.fusion.Symptom;

import static org.mededge.fusion.html.Html.escape;

/**
 * A report as a self-contained HTML page for people: every value escaped, inline style only, no
 * scripts, no external resources (serve it with a Content-Security-Policy of default-src 'none').
 */
public final class ReportHtml {
    private ReportHtml() {
    }

    private static final String STYLE = "body{font-family:system-ui,sans-serif;max-width:52em;margin:2em auto;padding:0 1em;color:#222}"
            + "h1{font-size:1.4em}h2{font-size:1.1em;margin-top:1.5em;border-bottom:1px solid #ccc}"
            + "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.2em .6em;text-align:left}"
            + ".flag{padding:.4em .6em;margin:.3em 0;border-left:4px solid #999}.RED_FLAG{border-color:#c00;background:#fee}"
            + ".IMPLAUSIBLE_VALUE{border-color:#c60;background:#fff4e5}.NEEDS_REVIEW,.LOW_ASR_CONFIDENCE{border-color:#06c;background:#eef5ff}"
            + ".disclaimer{font-weight:bold}.neg{color:#666}small{color:#666}";

    public static String render(StructuredReport r) {
        boolean zh = "zh".equals(r.language());
        StringBuilder b = new StringBuilder(4096);
        b.append("<!DOCTYPE html><html lang=\"").append(zh ? "zh" : "en").append("\"><head><meta charset=\"utf-8\">")
                .append("<title>").append(zh ? "临床记录（草稿）" : "Clinical note (draft)").append("</title>")
                .append("<style>").append(STYLE).append("</style></head><body>");
        b.append("<h1>").append(zh ? "临床记录 — AI 结构化草稿" : "Clinical note — AI-structured draft").append("</h1>");
        b.append("<p class=\"disclaimer\">").append(escape(r.disclaimer())).append("</p>");
        b.append("<p><small>").append(zh ? "状态：" : "Status: ").append(escape(r.status()))
                .append(zh ? "；专科：" : "; specialty: ").append(escape(r.specialty())).append("</small></p>");

        if (!r.flags().isEmpty()) {
            b.append("<h2>").append(zh ? "警示" : "Alerts").append("</h2>");
            appendFlags(b, r.flags(), FlagCode.RED_FLAG);
            appendFlags(b, r.flags(), FlagCode.IMPLAUSIBLE_VALUE);
            appendFlags(b, r.flags(), FlagCode.NEEDS_REVIEW);
            appendFlags(b, r.flags(), FlagCode.LOW_ASR_CONFIDENCE);
            appendFlags(b, r.flags(), FlagCode.UNPLACED_VALUE);
            appendFlags(b, r.flags(), FlagCode.CHANGE);
        }
        if (r.assessment() != null) {
            var a = r.assessment();
            b.append("<h2>").append(zh ? "AI 评估" : "AI assessment").append("</h2><p><b>").append(escape(a.diagnosis()))
                    .append("</b> — ").append(zh ? "置信度 " : "confidence ")
                    .append(String.format(java.util.Locale.ROOT, "%.2f", a.confidence())).append("</p><p>")
                    .append(escape(a.reason())).append("</p>");
            if (!a.differential().isEmpty()) {
                b.append("<p>").append(zh ? "鉴别诊断：" : "Differential: ").append(escape(String.join("; ", a.differential()))).append("</p>");
            }
            if (!a.ruleOut().isEmpty()) {
                b.append("<p>").append(zh ? "需排除：" : "Rule out: ").append(escape(String.join("; ", a.ruleOut()))).append("</p>");
            }
        }
        for (Map.Entry<String, String> e : r.sections().entrySet()) {
            b.append("<h2>").append(escape(Section.ofKey(e.getKey()).title(r.language()))).append("</h2><p>")
                    .append(escape(e.getValue())).append("</p>");
        }
        appendValues(b, zh ? "生命体征" : "Vital signs", r.vitals(), zh);
        appendValues(b, zh ? "检验" : "Laboratory", r.labs(), zh);
        appendValues(b, zh ? "此前的测量值（非当前值）" : "Earlier readings (not current)", r.earlier(), zh);
        boolean measured = r.studies().stream().anyMatch(st -> !st.measurements().isEmpty());
        if (!r.imaging().isEmpty() || measured) {
            b.append("<h2>").append(zh ? "影像发现（AI 模型）" : "Imaging findings (AI model)").append("</h2><ul>");
            for (org.mededge.fusion.StudyRef st : r.studies()) {
                for (org.mededge.fusion.StudyRef.Measurement m : st.measurements()) {
                    b.append("<li>").append(escape(m.name())).append(' ')
                            .append(String.format(java.util.Locale.ROOT, "%.2f", m.value()))
                            .append("1".equals(m.unit()) ? "" : " " + escape(m.unit())).append(" <small>")
                            .append(escape(st.id() + ", " + st.model() + " " + st.modelVersion())).append("</small>")
                            .append(st.clinical() ? "" : " <b class=\"notclinical\">" + escape(zh ? ImagingFinding.NOT_CLINICAL_ZH
                                    : ImagingFinding.NOT_CLINICAL_EN) + "</b>").append("</li>");
                }
            }
            for (ImagingFinding f : r.imaging()) {
                b.append("<li>").append(escape(f.label())).append(' ').append(Math.round(f.probability() * 100)).append(" % <small>")
                        .append(escape(f.model() + " " + f.modelVersion())).append("</small>")
                        .append(f.clinical() ? "" : " <b class=\"notclinical\">" + escape(zh ? ImagingFinding.NOT_CLINICAL_ZH
                                : ImagingFinding.NOT_CLINICAL_EN) + "</b>").append("</li>");
            }
            b.append("</ul>");
        }
        if (!r.symptoms().isEmpty()) {
            b.append("<h2>").append(zh ? "症状与体征" : "Symptoms and signs").append("</h2><ul>");
            for (Symptom s : r.symptoms()) {
                b.append("<li").append(s.negated() ? " class=\"neg\">" : ">")
                        .append(s.negated() ? (zh ? "无 " : "no ") : "").append(escape(s.name()))
                        .append(" <small>“").append(escape(s.text())).append("”")
                        .append(s.durationIso() == null ? "" : ", " + escape(s.durationIso()))
                        .append(s.concept() == null ? "" : ", SNOMED CT " + escape(s.concept().code()))
                        .append("</small></li>");
            }
            b.append("</ul>");
        }
        b.append("<h2>").append(zh ? "来源" : "Provenance").append("</h2><ul>");
        for (Provenance.ModelRef m : r.provenance().models()) {
            b.append("<li>").append(escape(m.role())).append(": ").append(escape(m.name()))
                    .append(m.version() == null ? "" : " " + escape(m.version()))
                    .append(m.adapter() == null ? "" : " (adapter " + escape(m.adapter()) + ")").append("</li>");
        }
        b.append("</ul></body></html>");
        return b.toString();
    }

    private static void appendFlags(StringBuilder b, List<Flag> flags, FlagCode code) {
        for (Flag f : flags) {
            if (f.code() == code) {
                b.append("<div class=\"flag ").append(code.name()).append("\"><b>").append(code.name()).append("</b> ")
                        .append(escape(f.message())).append("</div>");
            }
        }
    }

    private static void appendValues(StringBuilder b, String title, List<ClinicalValue> values, boolean zh) {
        if (values.isEmpty()) {
            return;
        }
        b.append("<h2>").append(escape(title)).append("</h2><table><tr><th>").append(zh ? "项目" : "Item").append("</th><th>")
                .append(zh ? "数值" : "Value").append("</th><th>LOINC</th><th>").append(zh ? "原文" : "As written").append("</th></tr>");
        for (ClinicalValue v : values) {
            b.append("<tr><td>").append(escape(v.display().replaceAll(" \\[.*", ""))).append("</td><td>")
                    .append(escape(v.valueText())).append(' ').append(escape(v.unit()))
                    .append(v.when() == null ? "" : " <small>(" + escape(v.when()) + ")</small>").append("</td><td>")
                    .append(escape(v.code())).append("</td><td>").append(escape(v.text())).append("</td></tr>");
        }
        b.append("</table>");
    }
}
