package org.mededge.fusion.safety;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.mededge.fusion.ClinicalValue;
import org.mededge.fusion.Flag;
import org.mededge.fusion.FlagCode;

/**
 * Physiological ranges: a value outside its range is kept out of the structured fields and
 * flagged IMPLAUSIBLE_VALUE, never silently accepted. The ranges are wide on purpose: they catch
 * dictation and unit errors (temperature 100 ℃, heart rate 900), not abnormal results. Heart and
 * respiratory rates are counts: a fraction is a misreading too.
 */
public final class Plausibility {
    private Plausibility() {
    }

    /** Inclusive range in the measure's standard unit. */
    public record Range(String min, String max) {
        boolean contains(BigDecimal v) {
            return v.compareTo(new BigDecimal(min)) >= 0 && v.compareTo(new BigDecimal(max)) <= 0;
        }
    }

    public static final Map<String, Range> RANGES = Map.ofEntries(
            Map.entry("8310-5", new Range("25", "45")),       // body temperature, Cel
            Map.entry("8867-4", new Range("20", "300")),      // heart rate, /min
            Map.entry("9279-1", new Range("4", "80")),        // respiratory rate, /min
            Map.entry("8480-6", new Range("40", "300")),      // systolic, mm[Hg]
            Map.entry("8462-4", new Range("20", "200")),      // diastolic, mm[Hg]
            Map.entry("59408-5", new Range("40", "100")),     // SpO2, %
            Map.entry("6690-2", new Range("0.1", "500")),     // WBC, 10*9/L
            Map.entry("1988-5", new Range("0", "1000")),      // CRP, mg/L
            Map.entry("30522-7", new Range("0", "1000")),     // hs-CRP, mg/L
            Map.entry("718-7", new Range("20", "250")),       // hemoglobin, g/L
            Map.entry("777-3", new Range("1", "3000")),       // platelets, 10*9/L
            Map.entry("15074-8", new Range("0.5", "120")),    // glucose, mmol/L
            Map.entry("14682-9", new Range("5", "5000")),     // creatinine, umol/L
            Map.entry("10839-9", new Range("0", "1000")),     // troponin I, ng/mL
            Map.entry("33762-6", new Range("0", "300000")),   // NT-proBNP, pg/mL
            Map.entry("30934-4", new Range("0", "100000")),   // BNP, pg/mL
            Map.entry("48065-7", new Range("0", "100")),      // D-dimer, mg/L FEU
            Map.entry("33959-8", new Range("0", "1000")),     // procalcitonin, ng/mL
            Map.entry("2823-3", new Range("1", "12")),        // potassium, mmol/L
            Map.entry("2951-2", new Range("90", "200")));     // sodium, mmol/L

    /** Counted per minute: a fraction ("respiratory rate thirty six point six") is a misreading, not a rate. */
    private static final java.util.Set<String> WHOLE_NUMBERS = java.util.Set.of("8867-4", "9279-1");

    /** Values split into the plausible ones and flags for the others. */
    public record Checked(List<ClinicalValue> accepted, List<Flag> flags) {
    }

    /** @param field "vitals" or "labs": where a flag points */
    public static Checked check(List<ClinicalValue> values, String field, String language) {
        List<ClinicalValue> ok = new ArrayList<>();
        List<Flag> flags = new ArrayList<>();
        for (ClinicalValue v : values) {
            if (WHOLE_NUMBERS.contains(v.code()) && v.value().stripTrailingZeros().scale() > 0) {
                flags.add(new Flag(FlagCode.IMPLAUSIBLE_VALUE, "zh".equals(language)
                        ? "“" + v.text() + "”：" + v.display() + " " + v.valueText() + " " + v.unit()
                        + " 不是整数（按分钟计数），未录入结构化字段；请核对口述。"
                        : "\"" + v.text() + "\": " + v.display() + " " + v.valueText() + " " + v.unit()
                        + " is not a whole number of beats or breaths a minute; it was kept out of the structured fields."
                        + " Check the dictation.", field + "." + v.code()));
                continue;
            }
            Range r = RANGES.get(v.code());
            if (r == null || r.contains(v.value())) {
                ok.add(v);
                continue;
            }
            String msg = "zh".equals(language)
                    ? "“" + v.text() + "”：" + v.display() + " " + v.valueText() + " " + v.unit()
                    + " 超出生理范围（" + r.min + "–" + r.max + " " + v.unit() + "），未录入结构化字段；请核对口述或单位。"
                    : "\"" + v.text() + "\": " + v.display() + " " + v.valueText() + " " + v.unit()
                    + " is outside the physiological range " + r.min + "–" + r.max + " " + v.unit()
                    + "; it was kept out of the structured fields. Check the dictation or the unit.";
            flags.add(new Flag(FlagCode.IMPLAUSIBLE_VALUE, msg, field + "." + v.code()));
        }
        // a diastolic at or above its systolic is a transposition or a misreading: keep both out
        return new Checked(bloodPressureOrder(ok, flags, field, language), flags);
    }

    private static List<ClinicalValue> bloodPressureOrder(List<ClinicalValue> ok, List<Flag> flags, String field,
                                                          String language) {
        List<ClinicalValue> out = new ArrayList<>(ok);
        for (int i = 0; i + 1 < out.size(); i++) {
            ClinicalValue a = out.get(i);
            ClinicalValue b = out.get(i + 1);
            if (a.code().equals("8480-6") && b.code().equals("8462-4") && b.value().compareTo(a.value()) >= 0) {
                out.remove(i + 1);
                out.remove(i);
                i--;
                flags.add(new Flag(FlagCode.IMPLAUSIBLE_VALUE, "zh".equals(language)
                        ? "“" + a.text() + "”：舒张压不低于收缩压，未录入结构化字段；请核对。"
                        : "\"" + a.text() + "\": the diastolic pressure is not below the systolic; kept out of the structured fields. Check the reading.",
                        field + ".8480-6"));
            }
        }
        return out;
    }
}
