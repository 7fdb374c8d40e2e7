package org.mededge.fusion.safety;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;

import org.mededge.fusion.ClinicalValue;
import org.mededge.fusion.Flag;
import org.mededge.fusion.FlagCode;

/**
 * Changes between an earlier reading the note states and the current value that matter on their
 * own, each flagged CHANGE: a creatinine rise meeting the KDIGO 2012 creatinine criterion for acute
 * kidney injury (≥ 1.5 × the earlier value, or ≥ 26.5 µmol/L; the note rarely says within how many
 * hours, so the clinician judges the time window), and a fall in oxygen saturation of 3 points or more.
 * Earlier readings never raise red flags themselves ({@link RedFlags} reads current values only).
 */
public final class Trends {
    private Trends() {
    }

    private static final BigDecimal KDIGO_RATIO = new BigDecimal("1.5");
    private static final BigDecimal KDIGO_RISE_UMOL_L = new BigDecimal("26.5");
    private static final BigDecimal SPO2_FALL = new BigDecimal(3);

    public static List<Flag> check(List<ClinicalValue> current, List<ClinicalValue> earlier, String language) {
        boolean zh = "zh".equals(language);
        List<Flag> flags = new ArrayList<>();
        for (ClinicalValue now : current) {
            if (now.comparator() != null) {
                continue;
            }
            for (ClinicalValue before : earlier) {
                if (!before.code().equals(now.code()) || before.comparator() != null) {
                    continue;
                }
                if (now.code().equals("14682-9") && before.value().signum() > 0
                        && (now.value().compareTo(before.value().multiply(KDIGO_RATIO)) >= 0
                        || now.value().subtract(before.value()).compareTo(KDIGO_RISE_UMOL_L) >= 0)) {
                    String ratio = now.value().divide(before.value(), 1, RoundingMode.HALF_UP).toPlainString();
                    flags.add(new Flag(FlagCode.CHANGE, zh
                            ? "肌酐由 " + before.value().toPlainString() + "（" + before.when() + "）升至 " + now.value().toPlainString()
                            + " μmol/L（" + ratio + " 倍）：达到 KDIGO 急性肾损伤肌酐标准（≥1.5 倍基线，或 48 小时内升高 ≥26.5 μmol/L），请评估。"
                            : "Creatinine rose from " + before.value().toPlainString() + " (" + before.when() + ") to "
                            + now.value().toPlainString() + " µmol/L (×" + ratio + "): meets the KDIGO creatinine criterion for"
                            + " acute kidney injury (≥1.5× baseline, or a rise of ≥26.5 µmol/L within 48 h); assess.",
                            "labs.14682-9"));
                    break;
                }
                if (now.code().equals("59408-5") && before.value().subtract(now.value()).compareTo(SPO2_FALL) >= 0) {
                    flags.add(new Flag(FlagCode.CHANGE, zh
                            ? "血氧饱和度由 " + before.value().toPlainString() + "%（" + before.when() + "）降至 " + now.value().toPlainString()
                            + "%：病情可能恶化，请立即评估。"
                            : "Oxygen saturation fell from " + before.value().toPlainString() + " % (" + before.when() + ") to "
                            + now.value().toPlainString() + " %: possible deterioration; assess now.", "vitals.59408-5"));
                    break;
                }
            }
        }
        return flags;
    }
}
