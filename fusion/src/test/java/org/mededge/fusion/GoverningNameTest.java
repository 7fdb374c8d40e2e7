package org.mededge.fusion;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import org.mededge.fusion.extract.Measure;

/**
 * A value belongs to the measure name that governs it: the nearest name before it. A name with no
 * value of its own takes none; a unit that cannot be the measure's forbids the value; two different
 * values of one measure with nothing that sets them apart are flagged. Properties over every ordered
 * pair of measures said next to each other, in both languages, with and without units.
 */
class GoverningNameTest {
    private static final ReportAssembler A = new ReportAssembler(FusionConfig.defaults());

    /** measure, English name, Chinese name, value as written, unit (en), unit (zh), value in the standard unit */
    private record M(Measure measure, String en, String zh, String value, String unitEn, String unitZh, String standard) {
    }

    private static final List<M> MEASURES = List.of(
            new M(Measure.BODY_TEMPERATURE, "temperature", "体温", "38.2", " C", "℃", "38.2"),
            new M(Measure.HEART_RATE, "heart rate", "心率", "112", " bpm", "次/分", "112"),
            new M(Measure.RESPIRATORY_RATE, "respiratory rate", "呼吸频率", "24", " /min", "次/分", "24"),
            new M(Measure.OXYGEN_SATURATION, "oxygen saturation", "血氧饱和度", "93", "%", "%", "93"),
            new M(Measure.SYSTOLIC_BP, "blood pressure", "血压", "118/76", " mmHg", "mmHg", "118"),
            new M(Measure.WBC, "white cell count", "白细胞", "13.8", " x10^9/L", "×10^9/L", "13.8"),
            new M(Measure.CRP, "CRP", "C反应蛋白", "96", " mg/L", "mg/L", "96"),
            new M(Measure.HEMOGLOBIN, "hemoglobin", "血红蛋白", "118", " g/L", "g/L", "118"),
            new M(Measure.PLATELETS, "platelets", "血小板", "250", " x10^9/L", "×10^9/L", "250"),
            new M(Measure.GLUCOSE, "glucose", "血糖", "7.8", " mmol/L", "mmol/L", "7.8"),
            new M(Measure.CREATININE, "creatinine", "肌酐", "160", " umol/L", "μmol/L", "160"),
            new M(Measure.TROPONIN_I, "troponin", "肌钙蛋白", "0.9", " ng/mL", "ng/mL", "0.9"),
            new M(Measure.NT_PROBNP, "NT-proBNP", "N末端脑钠肽前体", "1200", " pg/mL", "pg/mL", "1200"),
            new M(Measure.D_DIMER, "D-dimer", "D-二聚体", "0.9", " mg/L", "mg/L", "0.9"),
            new M(Measure.PROCALCITONIN, "procalcitonin", "降钙素原", "1.2", " ng/mL", "ng/mL", "1.2"),
            new M(Measure.POTASSIUM, "potassium", "血钾", "5.7", " mmol/L", "mmol/L", "5.7"),
            new M(Measure.SODIUM, "sodium", "血钠", "138", " mmol/L", "mmol/L", "138"));

    private static StructuredReport structure(String text) {
        return A.structure(new NoteRequest(text, null, null), Optional.empty());
    }

    private static List<ClinicalValue> values(StructuredReport r) {
        List<ClinicalValue> all = new ArrayList<>(r.vitals());
        all.addAll(r.labs());
        return all;
    }

    @Test
    void aNameWithoutAValueTakesNoneAndTheNearestNameGoverns() {
        List<String> failures = new ArrayList<>();
        int notes = 0;
        for (M a : MEASURES) {
            for (M b : MEASURES) {
                if (a == b) {
                    continue;
                }
                List<String> texts = new ArrayList<>();
                for (String unit : new String[] {b.unitEn(), ""}) {
                    for (String joint : new String[] {" and ", " since ", " ", ", then "}) {
                        texts.add("Cough. " + a.en() + joint + b.en() + " " + b.value() + unit + ".");
                    }
                }
                for (String unit : new String[] {b.unitZh(), ""}) {
                    for (String joint : new String[] {"和", "及", " "}) {
                        texts.add("咳嗽。" + a.zh() + joint + b.zh() + b.value() + unit + "。");
                    }
                }
                for (String text : texts) {
                    notes++;
                    List<ClinicalValue> v = values(structure(text));
                    boolean aTook = v.stream().anyMatch(c -> c.code().equals(a.measure().loinc()));
                    List<ClinicalValue> bs = v.stream().filter(c -> c.code().equals(b.measure().loinc())).toList();
                    boolean bRight = bs.size() == 1 && bs.get(0).value().compareTo(new BigDecimal(b.standard())) == 0;
                    if (aTook || !bRight) {
                        failures.add(text + " -> " + v.stream().map(c -> c.display().split(" ")[0] + "=" + c.value()).toList());
                    }
                }
            }
        }
        System.out.println("governing name: " + notes + " notes over " + MEASURES.size() + " measures, " + failures.size() + " wrong");
        assertEquals(List.of(), failures.subList(0, Math.min(20, failures.size())), failures.size() + " of " + notes + " wrong");
    }

    @Test
    void aUnitThatCannotBeTheMeasuresForbidsTheValueAndSaysSo() {
        for (String text : List.of("Heart rate 96 mg/L.", "体温37.9mmHg。", "CRP 40 %.", "Procalcitonin 38.2 C.",
                "Temperature procalcitonin 38.2 C.", "potassium 4.1 bpm.")) {
            StructuredReport r = structure(text);
            assertEquals(List.of(), values(r), text);
            assertTrue(r.flags().stream().anyMatch(f -> f.code() == FlagCode.UNPLACED_VALUE && f.message().contains("unit")
                    || f.message().contains("单位")), text + " " + r.flags());
        }
        // and the same words with the measure's own unit are read
        assertEquals(1, values(structure("Procalcitonin temperature 38.2 C.")).size());
        assertEquals(Measure.BODY_TEMPERATURE.loinc(), values(structure("Procalcitonin temperature 38.2 C.")).get(0).code());
    }

    @Test
    void twoValuesOfOneMeasureWithoutContextAreFlagged() {
        StructuredReport r = structure("Heart rate 104, white cell count 11, heart rate 40.");
        assertTrue(r.flags().stream().anyMatch(f -> f.code() == FlagCode.NEEDS_REVIEW && f.message().contains("104")
                && f.message().contains("40")), r.flags().toString());
        StructuredReport z = structure("心率104次/分，心率40次/分。");
        assertTrue(z.flags().stream().anyMatch(f -> f.code() == FlagCode.NEEDS_REVIEW && f.message().contains("104")), z.flags().toString());
        // a time or context that sets them apart: no such flag
        for (String text : List.of("Heart rate 130 on arrival, now heart rate 96.", "入院时心率130次/分，现心率96次/分。")) {
            StructuredReport s = structure(text);
            assertTrue(s.flags().stream().noneMatch(f -> f.message().contains("Two different values") || f.message().contains("两个不同数值")),
                    text + " " + s.flags());
        }
        // the same value said twice is one reading, not a conflict
        assertTrue(structure("HR 88. Pulse 88.").flags().stream().noneMatch(f -> f.message().contains("Two different")));
    }
}
