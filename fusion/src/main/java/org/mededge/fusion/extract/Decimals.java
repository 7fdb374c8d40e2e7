package org.mededge.fusion.extract;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;

/** Exact decimal arithmetic for conversions; rounding happens once, at the end. */
public final class Decimals {
    private Decimals() {
    }

    /** Without trailing zeros and never in exponent form (10, not 1E+1). */
    public static BigDecimal clean(BigDecimal v) {
        BigDecimal s = v.stripTrailingZeros();
        return s.scale() < 0 ? s.setScale(0, RoundingMode.UNNECESSARY) : s;
    }

    /** {@code v × factor}, exact. */
    public static BigDecimal times(BigDecimal v, String factor) {
        return clean(v.multiply(new BigDecimal(factor)));
    }

    /** {@code v × factor}, rounded half-up to {@code scale} decimals. */
    public static BigDecimal times(BigDecimal v, String factor, int scale) {
        return clean(v.multiply(new BigDecimal(factor)).setScale(scale, RoundingMode.HALF_UP));
    }

    /** {@code v ÷ divisor}, rounded half-up to {@code scale} decimals. */
    public static BigDecimal divide(BigDecimal v, String divisor, int scale) {
        return clean(v.divide(new BigDecimal(divisor), MathContext.DECIMAL64).setScale(scale, RoundingMode.HALF_UP));
    }

    /** Degrees Fahrenheit to Celsius, rounded to one decimal. */
    public static BigDecimal fahrenheitToCelsius(BigDecimal f) {
        return clean(f.subtract(new BigDecimal(32)).multiply(new BigDecimal(5))
                .divide(new BigDecimal(9), MathContext.DECIMAL64).setScale(1, RoundingMode.HALF_UP));
    }
}
