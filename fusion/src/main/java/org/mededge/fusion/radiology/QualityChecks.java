package org.mededge.fusion.radiology;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * What must be right before a radiology report is signed. Each problem has a stable code and a plain
 * message; signing is refused while any remains.
 */
public final class QualityChecks {
    /** A problem found before signing. */
    public record Problem(String code, String message) {
    }

    private QualityChecks() {
    }

    /**
     * @param findings       the radiologist's normalized findings (the Findings section)
     * @param impression     the impression as it will be signed (the AI draft as edited), or null
     * @param ranked         the rules' ranked findings ({@link ChestImpression#rank})
     * @param ctr            the imaging model's cardiothoracic ratio (the one number besides stated sizes an impression
     *                       may give); NaN when the study's model measures none (then the grounding check is skipped)
     * @param unacknowledged labels of review items not yet answered
     * @param criticalLabels labels present and critical (pneumothorax, or what the model declares critical)
     * @param criticalRecorded whether a critical-result communication is recorded
     */
    public static List<Problem> check(List<RadFinding> findings, String impression, List<ChestImpression.Ranked> ranked,
                                      double ctr, List<String> unacknowledged, Set<String> criticalLabels,
                                      boolean criticalRecorded) {
        List<Problem> out = new ArrayList<>();
        for (String l : unacknowledged) {
            out.add(new Problem("REVIEW_UNACKNOWLEDGED", "The review item for " + l + " has not been answered (agree, disagree"
                    + " or not relevant)."));
        }
        for (RadFinding f : findings) {
            if (f.term().equals("nodule") && !f.negated() && f.measurements().isEmpty()) {
                out.add(new Problem("NODULE_WITHOUT_SIZE", "A nodule" + (f.laterality() == null ? "" : " (" + f.laterality() + ")")
                        + " has no size: give it in mm (the follow-up recommendation depends on it)."));
            }
        }
        if (impression == null || impression.isBlank()) {
            out.add(new Problem("IMPRESSION_EMPTY", "The impression is empty."));
        } else {
            for (String side : lateralityConflicts(impression, ranked)) {
                out.add(new Problem("LATERALITY_MISMATCH", side));
            }
            if (Double.isFinite(ctr)) {
                // the grounding check of the impression that would be signed (the AI draft as the radiologist edited it):
                // ChestImpression's check, with the rules' primary and follow-up (the text is what is checked)
                String first = ranked.isEmpty() ? "none" : ranked.get(0).label();
                for (String x : ChestImpression.problems(new ChestImpression.Impression(first, impression,
                        ChestImpression.followUp(ranked)), ctr, ranked)) {
                    out.add(new Problem("IMPRESSION_NOT_GROUNDED", "The impression: " + x + "."));
                }
            }
        }
        if (!criticalLabels.isEmpty() && !criticalRecorded) {
            out.add(new Problem("CRITICAL_RESULT_NOT_RECORDED", "A critical finding (" + String.join(", ", criticalLabels)
                    + ") needs a critical-result record: who was told, their role, when, and the read-back."));
        }
        return List.copyOf(out);
    }

    /** An impression sentence naming a finding on the side the findings do not have (and not on the other). */
    private static List<String> lateralityConflicts(String impression, List<ChestImpression.Ranked> ranked) {
        List<String> out = new ArrayList<>();
        List<String> listed = ranked.stream().map(ChestImpression.Ranked::label).toList();
        for (String sentence : impression.split("(?<=\\.)\\s+|(?<=。)")) {
            String label = ChestImpression.labelNamed(sentence);
            if (label == null || !label.contains("_") || label.endsWith("_unsided") || listed.contains(label)) {
                continue;
            }
            String other = label.endsWith("_left") ? label.replace("_left", "_right") : label.replace("_right", "_left");
            if (listed.contains(other)) {
                out.add("The impression says " + label + " where the findings have " + other + ".");
            }
        }
        return out;
    }
}
