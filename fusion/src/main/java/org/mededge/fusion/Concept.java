package org.mededge.fusion;

/** A coded concept: code system URI, code and display (SNOMED CT, RadLex, LOINC). */
public record Concept(String system, String code, String display) {
    public static final String SNOMED = "http://snomed.info/sct";
    public static final String LOINC = "http://loinc.org";
    public static final String RADLEX = "http://radlex.org";
    public static final String UCUM = "http://unitsofmeasure.org";

    public static Concept snomed(String code, String display) {
        return new Concept(SNOMED, code, display);
    }
}
