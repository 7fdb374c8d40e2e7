package org.mededge.fusion.radiology;

import java.math.BigDecimal;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * A size as the radiologist wrote it, in millimetres: a single value (约1cm → 10), a range
 * (8–12 mm → 8, 12) or dimensions (1.2 × 0.8 cm → [12, 8]); {@code raw} keeps the words.
 * Conversions are exact decimal arithmetic: nothing is rounded.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Measurement(BigDecimal valueMm, BigDecimal lowMm, BigDecimal highMm, List<BigDecimal> dimensionsMm,
                          String raw) {
    public Measurement {
        dimensionsMm = dimensionsMm == null ? null : List.copyOf(dimensionsMm);
    }

    /** House style: "10 mm", "8–12 mm", "12 × 8 mm". */
    public String format() {
        if (valueMm != null) {
            return valueMm.toPlainString() + " mm";
        }
        if (lowMm != null) {
            return lowMm.toPlainString() + "–" + highMm.toPlainString() + " mm";
        }
        StringBuilder b = new StringBuilder();
        for (BigDecimal d : dimensionsMm) {
            b.append(b.length() == 0 ? "" : " × ").append(d.toPlainString());
        }
        return b.append(" mm").toString();
    }
}
