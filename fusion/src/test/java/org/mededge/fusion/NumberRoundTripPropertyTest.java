package org.mededge.fusion;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.List;
import java.util.Optional;
import java.util.Random;

import org.junit.jupiter.api.Test;

/**
 * Property: any number dictated or written for a vital or a lab comes back in the structured field,
 * converted to the standard unit. Values, units, languages, and written/spoken forms are drawn
 * from a seeded random generator; the expected conversion is computed here independently.
 */
class NumberRoundTripPropertyTest {
    private static final ReportAssembler ASSEMBLER = new ReportAssembler(FusionConfig.defaults());
    private static final long SEED = 20261122L;
    private static final int CASES = 400;

    /** One way to state a measure: wording before the value, unit after it, factor to the standard unit. */
    private record Form(String code, String lang, String before, String unit, String factor, int min, int max,
                        int decimals, boolean fahrenheit, int roundTo) {
    }

    private static final List<Form> FORMS = List.of(
            new Form("8310-5", "en", "Temperature ", " C", "1", 355, 420, 1, false, -1),
            new Form("8310-5", "en", "temperature ", " degrees Fahrenheit", null, 960, 1060, 1, true, 1),
            new Form("8310-5", "zh", "体温", "℃", "1", 355, 420, 1, false, -1),
            new Form("8867-4", "en", "heart rate ", " beats per minute", "1", 40, 180, 0, false, -1),
            new Form("8867-4", "zh", "心率", "次/分", "1", 40, 180, 0, false, -1),
            new Form("9279-1", "en", "respiratory rate ", " per minute", "1", 8, 40, 0, false, -1),
            new Form("9279-1", "zh", "呼吸", "次/分", "1", 8, 40, 0, false, -1),
            new Form("59408-5", "en", "oxygen saturation ", " percent", "1", 70, 100, 0, false, -1),
            new Form("59408-5", "zh", "血氧饱和度", "%", "1", 70, 100, 0, false, -1),
            new Form("6690-2", "en", "WBC ", " x10^9/L", "1", 20, 300, 1, false, -1),
            new Form("6690-2", "zh", "白细胞", "×10^9/L", "1", 20, 300, 1, false, -1),
            new Form("1988-5", "en", "CRP ", " mg/dL", "10", 1, 300, 1, false, -1),
            new Form("718-7", "en", "hemoglobin ", " g/dL", "10", 60, 180, 1, false, -1),
            new Form("718-7", "zh", "血红蛋白", "g/L", "1", 60, 180, 0, false, -1),
            new Form("15074-8", "en", "glucose ", " mg/dL", null, 40, 500, 0, false, 1),
            new Form("15074-8", "zh", "血糖", "mmol/L", "1", 30, 300, 1, false, -1),
            new Form("14682-9", "en", "creatinine ", " mg/dL", "88.4", 5, 80, 1, false, 0),
            new Form("14682-9", "zh", "肌酐", "μmol/L", "1", 40, 900, 0, false, -1),
            new Form("10839-9", "en", "troponin I ", " ng/L", "0.001", 5, 9000, 0, false, -1),
            new Form("33762-6", "en", "NT-proBNP ", " pg/mL", "1", 50, 30000, 0, false, -1),
            new Form("48065-7", "zh", "D-二聚体", "ng/mL", "0.001", 100, 9000, 0, false, -1),
            new Form("33959-8", "en", "procalcitonin ", " ng/mL", "1", 1, 500, 2, false, -1),
            new Form("2823-3", "en", "potassium ", " mmol/L", "1", 25, 70, 1, false, -1),
            new Form("2951-2", "zh", "血钠", "mmol/L", "1", 120, 160, 0, false, -1));

    @Test
    void everyDictatedNumberSurvivesWithItsUnit() {
        Random rnd = new Random(SEED);
        for (int i = 0; i < CASES; i++) {
            Form f = FORMS.get(rnd.nextInt(FORMS.size()));
            int raw = f.min + rnd.nextInt(f.max - f.min + 1);
            BigDecimal written = BigDecimal.valueOf(raw).movePointLeft(f.decimals);
            boolean spoken = rnd.nextBoolean() && written.scale() <= 1 && written.compareTo(BigDecimal.valueOf(1000)) < 0;
            String number = spoken ? ("zh".equals(f.lang) ? Words.zh(written) : Words.en(written)) : written.toPlainString();
            String text = ("zh".equals(f.lang) ? "查体：" : "Exam: ") + f.before + number + f.unit
                    + ("zh".equals(f.lang) ? "。" : ".");
            StructuredReport r = ASSEMBLER.structure(new NoteRequest(text, f.lang, null), Optional.empty());
            BigDecimal expected = expected(f, written);
            List<ClinicalValue> found = r.vitals().isEmpty() ? r.labs() : r.vitals();
            assertEquals(1, found.size(), () -> text + " -> " + r.vitals() + r.labs() + r.flags());
            ClinicalValue v = found.get(0);
            assertEquals(f.code, v.code(), text);
            assertEquals(0, expected.compareTo(v.value()), () -> text + ": expected " + expected + " got " + v.value());
            assertTrue(v.unit().equals(org.mededge.fusion.extract.Measure.ofLoinc(f.code).unit()), text);
        }
    }

    private static BigDecimal expected(Form f, BigDecimal written) {
        if (f.fahrenheit) {
            return written.subtract(BigDecimal.valueOf(32)).multiply(BigDecimal.valueOf(5))
                    .divide(BigDecimal.valueOf(9), MathContext.DECIMAL64).setScale(1, RoundingMode.HALF_UP);
        }
        if (f.factor == null) { // glucose mg/dL → mmol/L
            return written.divide(new BigDecimal("18.016"), MathContext.DECIMAL64).setScale(1, RoundingMode.HALF_UP);
        }
        BigDecimal v = written.multiply(new BigDecimal(f.factor));
        return f.roundTo >= 0 ? v.setScale(f.roundTo, RoundingMode.HALF_UP) : v;
    }

    /** Numbers as a doctor says them, written independently of the parser under test. */
    static final class Words {
        private static final String[] EN_ONES = {"zero", "one", "two", "three", "four", "five", "six", "seven", "eight",
                "nine", "ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"};
        private static final String[] EN_TENS = {"", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"};
        private static final String[] ZH = {"零", "一", "二", "三", "四", "五", "六", "七", "八", "九"};

        static String en(BigDecimal v) {
            int whole = v.intValue();
            String s = enInt(whole);
            if (v.scale() > 0 && v.remainder(BigDecimal.ONE).signum() != 0) {
                int digit = v.remainder(BigDecimal.ONE).movePointRight(1).intValue();
                s += " point " + EN_ONES[digit];
            }
            return s;
        }

        private static String enInt(int n) {
            if (n < 20) {
                return EN_ONES[n];
            }
            if (n < 100) {
                return EN_TENS[n / 10] + (n % 10 == 0 ? "" : " " + EN_ONES[n % 10]);
            }
            return EN_ONES[n / 100] + " hundred" + (n % 100 == 0 ? "" : " and " + enInt(n % 100));
        }

        static String zh(BigDecimal v) {
            int whole = v.intValue();
            String s = zhInt(whole);
            if (v.scale() > 0 && v.remainder(BigDecimal.ONE).signum() != 0) {
                s += "点" + ZH[v.remainder(BigDecimal.ONE).movePointRight(1).intValue()];
            }
            return s;
        }

        private static String zhInt(int n) {
            if (n < 10) {
                return ZH[n];
            }
            if (n < 20) {
                return "十" + (n % 10 == 0 ? "" : ZH[n % 10]);
            }
            if (n < 100) {
                return ZH[n / 10] + "十" + (n % 10 == 0 ? "" : ZH[n % 10]);
            }
            int rest = n % 100;
            String tail = rest == 0 ? "" : rest < 10 ? "零" + ZH[rest] : ZH[rest / 10] + "十" + (rest % 10 == 0 ? "" : ZH[rest % 10]);
            return ZH[n / 100] + "百" + tail;
        }
    }
}
