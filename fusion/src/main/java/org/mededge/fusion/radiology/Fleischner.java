package org.mededge.fusion.radiology;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.List;

/**
 * Follow-up of an incidental solid pulmonary nodule found on CT, by the Fleischner Society 2017
 * guideline (MacMahon H, Naidich DP, Goo JM, et al. Guidelines for Management of Incidental Pulmonary
 * Nodules Detected on CT Images: From the Fleischner Society 2017. Radiology 2017;284(1):228-243,
 * Table 1, solid nodules). One row per number of nodules, size category and risk, as the table
 * gives them; deterministic; the guideline's own limits are stated with every answer.
 *
 * <p>Size: the average of the long and short axes, rounded to the nearest millimetre (the guideline's
 * measurement rule); a single stated dimension is used as it is. Categories: under 6 mm, 6 to 8 mm,
 * over 8 mm. For multiple nodules the largest decides. Not for: lung cancer screening, patients
 * younger than 35 years, immunocompromised patients, or patients with a known primary cancer; subsolid
 * nodules have their own rows (not covered here).
 */
public final class Fleischner {
    public static final String CITATION = "Fleischner Society 2017 (MacMahon et al., Radiology 2017;284:228-243), "
            + "Table 1, solid nodules";
    public static final String LIMITS = "Applies to incidental nodules in adults 35 years or older; not for lung cancer "
            + "screening, immunocompromised patients or patients with a known cancer.";

    /** Patient risk as the guideline defines it (smoking, exposure, family history, upper lobe, emphysema, fibrosis...). */
    public enum Risk { LOW, HIGH }

    /** Size category of the table. */
    public enum Size { UNDER_6_MM, FROM_6_TO_8_MM, OVER_8_MM }

    /** One row: its conditions and what it recommends. */
    public record Row(boolean multiple, Size size, Risk risk, String recommendation) {
    }

    /** The answer for one case. */
    public record Recommendation(Row row, int sizeMm, String citation, String limits) {
        public String text() {
            return row.recommendation();
        }
    }

    /** Table 1, solid nodules: every row, in the table's order. */
    public static final List<Row> TABLE = List.of(
            new Row(false, Size.UNDER_6_MM, Risk.LOW, "No routine follow-up."),
            new Row(false, Size.UNDER_6_MM, Risk.HIGH, "Optional CT at 12 months."),
            new Row(false, Size.FROM_6_TO_8_MM, Risk.LOW, "CT at 6-12 months, then consider CT at 18-24 months."),
            new Row(false, Size.FROM_6_TO_8_MM, Risk.HIGH, "CT at 6-12 months, then CT at 18-24 months."),
            new Row(false, Size.OVER_8_MM, Risk.LOW, "Consider CT at 3 months, PET/CT, or tissue sampling."),
            new Row(false, Size.OVER_8_MM, Risk.HIGH, "Consider CT at 3 months, PET/CT, or tissue sampling."),
            new Row(true, Size.UNDER_6_MM, Risk.LOW, "No routine follow-up."),
            new Row(true, Size.UNDER_6_MM, Risk.HIGH, "Optional CT at 12 months."),
            new Row(true, Size.FROM_6_TO_8_MM, Risk.LOW, "CT at 3-6 months, then consider CT at 18-24 months."),
            new Row(true, Size.FROM_6_TO_8_MM, Risk.HIGH, "CT at 3-6 months, then at 18-24 months."),
            new Row(true, Size.OVER_8_MM, Risk.LOW, "CT at 3-6 months, then consider CT at 18-24 months."),
            new Row(true, Size.OVER_8_MM, Risk.HIGH, "CT at 3-6 months, then at 18-24 months."));

    private Fleischner() {
    }

    /**
     * @param longMm  the nodule's long axis (or its only stated dimension), millimetres, above 0
     * @param shortMm its short axis, or null when only one dimension is stated
     * @param multiple more than one solid nodule (then give the largest)
     */
    public static Recommendation recommend(BigDecimal longMm, BigDecimal shortMm, boolean multiple, Risk risk) {
        if (longMm == null || longMm.signum() <= 0 || shortMm != null && shortMm.signum() <= 0) {
            throw new IllegalArgumentException("a nodule's size must be above 0 mm");
        }
        BigDecimal mean = shortMm == null ? longMm : longMm.add(shortMm).divide(BigDecimal.valueOf(2));
        int mm = mean.setScale(0, RoundingMode.HALF_UP).intValueExact();
        Size size = mm < 6 ? Size.UNDER_6_MM : mm <= 8 ? Size.FROM_6_TO_8_MM : Size.OVER_8_MM;
        Row row = TABLE.stream().filter(r -> r.multiple() == multiple && r.size() == size && r.risk() == risk)
                .findFirst().orElseThrow();
        return new Recommendation(row, mm, CITATION, LIMITS);
    }

    /** The recommendation for a radiologist's nodule finding, or null when it states no size. */
    public static Recommendation of(RadFinding nodule, boolean multiple, Risk risk) {
        for (Measurement m : nodule.measurements()) {
            if (m.dimensionsMm() != null && !m.dimensionsMm().isEmpty()) {
                List<BigDecimal> d = m.dimensionsMm().stream().sorted().toList();
                return recommend(d.get(d.size() - 1), d.size() > 1 ? d.get(d.size() - 2) : null, multiple, risk);
            }
            if (m.valueMm() != null) {
                return recommend(m.valueMm(), null, multiple, risk);
            }
            if (m.highMm() != null) {
                return recommend(m.highMm(), null, multiple, risk); // a range: its upper end, the cautious reading
            }
        }
        return null;
    }
}
