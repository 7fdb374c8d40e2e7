package org.mededge.fusion.extract;

/**
 * The vital signs and laboratory tests the structurer reads: LOINC code, display and UCUM unit.
 */
public enum Measure {
    BODY_TEMPERATURE(Kind.VITAL, "8310-5", "Body temperature", "Cel"),
    HEART_RATE(Kind.VITAL, "8867-4", "Heart rate", "/min"),
    RESPIRATORY_RATE(Kind.VITAL, "9279-1", "Respiratory rate", "/min"),
    SYSTOLIC_BP(Kind.VITAL, "8480-6", "Systolic blood pressure", "mm[Hg]"),
    DIASTOLIC_BP(Kind.VITAL, "8462-4", "Diastolic blood pressure", "mm[Hg]"),
    OXYGEN_SATURATION(Kind.VITAL, "59408-5", "Oxygen saturation in Arterial blood by Pulse oximetry", "%"),

    WBC(Kind.LAB, "6690-2", "Leukocytes [#/volume] in Blood by Automated count", "10*9/L"),
    CRP(Kind.LAB, "1988-5", "C reactive protein [Mass/volume] in Serum or Plasma", "mg/L"),
    HS_CRP(Kind.LAB, "30522-7", "C reactive protein [Mass/volume] in Serum or Plasma by High sensitivity method", "mg/L"),
    HEMOGLOBIN(Kind.LAB, "718-7", "Hemoglobin [Mass/volume] in Blood", "g/L"),
    PLATELETS(Kind.LAB, "777-3", "Platelets [#/volume] in Blood by Automated count", "10*9/L"),
    GLUCOSE(Kind.LAB, "15074-8", "Glucose [Moles/volume] in Blood", "mmol/L"),
    CREATININE(Kind.LAB, "14682-9", "Creatinine [Moles/volume] in Serum or Plasma", "umol/L"),
    TROPONIN_I(Kind.LAB, "10839-9", "Troponin I.cardiac [Mass/volume] in Serum or Plasma", "ng/mL"),
    NT_PROBNP(Kind.LAB, "33762-6", "Natriuretic peptide.B prohormone N-Terminal [Mass/volume] in Serum or Plasma", "pg/mL"),
    BNP(Kind.LAB, "30934-4", "Natriuretic peptide B [Mass/volume] in Serum or Plasma", "pg/mL"),
    D_DIMER(Kind.LAB, "48065-7", "Fibrin D-dimer FEU [Mass/volume] in Platelet poor plasma", "mg/L{FEU}"),
    PROCALCITONIN(Kind.LAB, "33959-8", "Procalcitonin [Mass/volume] in Serum or Plasma", "ng/mL"),
    POTASSIUM(Kind.LAB, "2823-3", "Potassium [Moles/volume] in Serum or Plasma", "mmol/L"),
    SODIUM(Kind.LAB, "2951-2", "Sodium [Moles/volume] in Serum or Plasma", "mmol/L");

    public enum Kind { VITAL, LAB }

    private final Kind kind;
    private final String loinc;
    private final String display;
    private final String unit;

    Measure(Kind kind, String loinc, String display, String unit) {
        this.kind = kind;
        this.loinc = loinc;
        this.display = display;
        this.unit = unit;
    }

    public Kind kind() {
        return kind;
    }

    public String loinc() {
        return loinc;
    }

    public String display() {
        return display;
    }

    /** The UCUM unit values are converted to. */
    public String unit() {
        return unit;
    }

    public static Measure ofLoinc(String code) {
        for (Measure m : values()) {
            if (m.loinc.equals(code)) {
                return m;
            }
        }
        return null;
    }
}
