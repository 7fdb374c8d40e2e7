package org.mededge.fusion.radiology;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import org.mededge.vision.Finding;

/**
 * The AI-versus-radiologist review list of a chest radiograph: where the imaging model and the
 * radiologist's findings disagree, one item each, shown beside the report (not a blocking pop-up)
 * and acknowledged before signing. The radiologist's words are authoritative; an item asks them to
 * look again, it never changes the report by itself.
 */
public final class ReviewList {
    /** Why an item is on the list. */
    public enum Kind {
        /** the model scored the label positive and the report does not mention it */
        AI_NOT_IN_REPORT,
        /** the report negates a finding the model scored positive */
        REPORT_NEGATES_AI,
        /** the report states a finding the model scored below its threshold */
        REPORT_NOT_IN_AI
    }

    /** One item: the label (ChestImpression's), why, the model's probability, and what to show. */
    public record Item(String label, Kind kind, double aiProbability, boolean critical, String message, String messageZh) {
    }

    /** A label in Chinese, for the review messages. */
    private static String zh(String label) {
        int u = label.indexOf('_');
        String base = u < 0 ? label : label.substring(0, u);
        String side = u < 0 ? "" : label.endsWith("left") ? "左侧" : "右侧";
        return side + Map.of("pneumothorax", "气胸", "effusion", "胸腔积液", "consolidation", "肺实变", "cardiomegaly", "心影增大",
                "nodule", "肺结节").get(base);
    }

    private ReviewList() {
    }

    /**
     * "Agree: add to report": the radiologist takes an AI-only finding into the report. The finding is
     * appended to the findings and to their text, in the report's language, as the radiologist's own
     * (stated) finding; a negation of the same finding and side is removed.
     */
    public static NormalizedFindings addToReport(NormalizedFindings n, String label, String radlexId) {
        int u = label.indexOf('_');
        String base = u < 0 ? label : label.substring(0, u);
        String side = u < 0 ? null : label.substring(u + 1);
        String term = base.equals("effusion") ? "pleural effusion" : base;
        RadFinding f = new RadFinding(term, radlexId, side, null, List.of(), false, List.of());
        List<RadFinding> kept = new ArrayList<>();
        for (RadFinding r : n.findings()) {
            boolean sameNegated = r.negated() && r.term().equals(term)
                    && (r.laterality() == null || side == null || r.laterality().equals(side));
            if (!sameNegated) {
                kept.add(r);
            }
        }
        kept.add(f);
        boolean zh = "zh".equals(n.language());
        String words = zh ? (side == null ? "" : side.equals("left") ? "左侧" : "右侧") + Map.of("pneumothorax", "气胸",
                "pleural effusion", "胸腔积液", "consolidation", "实变", "cardiomegaly", "心影增大", "nodule", "结节").get(term) + "。"
                : (side == null ? term.substring(0, 1).toUpperCase(Locale.ROOT) + term.substring(1)
                : side.substring(0, 1).toUpperCase(Locale.ROOT) + side.substring(1) + " " + term) + ".";
        String text = n.normalizedText().isBlank() ? words : n.normalizedText() + (zh ? "" : " ") + words;
        return new NormalizedFindings(n.language(), text, kept);
    }

    /** The model label of a chest model's finding ("Left pneumothorax" -> pneumothorax_left), or null for another label. */
    public static String labelOf(Finding f) {
        String n = f.label().toLowerCase(Locale.ROOT);
        String side = f.laterality() != null ? f.laterality() : n.contains("left") ? "left" : n.contains("right") ? "right" : null;
        String base = n.contains("pneumothorax") ? "pneumothorax" : n.contains("effusion") ? "effusion"
                : n.contains("consolidation") ? "consolidation" : n.contains("cardiomegaly") ? "cardiomegaly"
                : n.contains("nodule") ? "nodule" : null;
        if (base == null) {
            return null;
        }
        if (base.equals("cardiomegaly") || base.equals("nodule")) {
            return base;
        }
        return side == null ? null : base + "_" + side;
    }

    /**
     * @param model       every label the chest model scored (positive or not), as the study answer gives them
     * @param radiologist the radiologist's normalized findings
     */
    public static List<Item> of(List<Finding> model, List<RadFinding> radiologist) {
        Set<String> stated = new LinkedHashSet<>();
        Set<String> negated = new LinkedHashSet<>();
        for (RadFinding r : radiologist) {
            (r.negated() ? negated : stated).addAll(ChestImpression.labelsOf(r));
        }
        List<Item> out = new ArrayList<>();
        for (Finding f : model) {
            String label = labelOf(f);
            if (label == null) {
                continue;
            }
            String p = Math.round(f.probability() * 100) + " %";
            if (f.positive() && negated.contains(label) && !stated.contains(label)) {
                out.add(new Item(label, Kind.REPORT_NEGATES_AI, f.probability(), f.critical(),
                        "The report rules out " + f.label().toLowerCase(Locale.ROOT) + "; the AI scored it " + p + ".",
                        "报告排除了" + zh(label) + "；AI 评分 " + p + "。"));
            } else if (f.positive() && !stated.contains(label) && !negated.contains(label)) {
                out.add(new Item(label, Kind.AI_NOT_IN_REPORT, f.probability(), f.critical(),
                        "The AI found " + f.label().toLowerCase(Locale.ROOT) + " (" + p + "); the report does not mention it.",
                        "AI 发现" + zh(label) + "（" + p + "）；报告未提及。"));
            } else if (!f.positive() && stated.contains(label)) {
                out.add(new Item(label, Kind.REPORT_NOT_IN_AI, f.probability(), f.critical(),
                        "The report states " + f.label().toLowerCase(Locale.ROOT) + "; the AI scored it only " + p + ".",
                        "报告写有" + zh(label) + "；AI 评分仅 " + p + "。"));
            }
        }
        return List.copyOf(out);
    }
}
