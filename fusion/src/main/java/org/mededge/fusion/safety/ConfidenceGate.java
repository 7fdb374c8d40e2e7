package org.mededge.fusion.safety;

import java.util.List;

import org.mededge.fusion.Assessment;
import org.mededge.fusion.Flag;
import org.mededge.fusion.FlagCode;

/** NEEDS_REVIEW when there is no assessment, or its confidence is below the threshold. */
public final class ConfidenceGate {
    private ConfidenceGate() {
    }

    /**
     * @param assessment the validated assessment, or null
     * @param whyMissing why there is none (no model installed, invalid output, ...), for the message
     */
    public static List<Flag> check(Assessment assessment, double threshold, String whyMissing, String language) {
        boolean zh = "zh".equals(language);
        if (assessment == null) {
            return List.of(new Flag(FlagCode.NEEDS_REVIEW, zh
                    ? "无 AI 评估（" + whyMissing + "）：需由临床医师作出评估。"
                    : "No AI assessment (" + whyMissing + "): a clinician must make the assessment.", "assessment"));
        }
        if (assessment.confidence() < threshold) {
            String c = String.format(java.util.Locale.ROOT, "%.2f", assessment.confidence());
            String t = String.format(java.util.Locale.ROOT, "%.2f", threshold);
            return List.of(new Flag(FlagCode.NEEDS_REVIEW, zh
                    ? "AI 评估置信度 " + c + " 低于 " + t + "：请临床医师复核诊断。"
                    : "AI assessment confidence " + c + " is below " + t + ": a clinician must review the diagnosis.",
                    "assessment.confidence"));
        }
        return List.of();
    }
}
