package org.mededge.fusion.fhir;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;

import org.mededge.fusion.ClinicalValue;
import org.mededge.fusion.Concept;
import org.mededge.fusion.Provenance;
import org.mededge.fusion.StructuredReport;
import org.mededge.fusion.Symptom;
import org.mededge.fusion.ReportAssembler;
import org.mededge.fusion.safety.Disclaimer;

/** A small synthetic report (no patient data) that exercises the profiles during warm-up. */
final class WarmUpSample {
    private WarmUpSample() {
    }

    static StructuredReport report() {
        return new StructuredReport("en", "general", Map.of("chiefComplaint", "warm-up"),
                List.of(new ClinicalValue("8310-5", "Body temperature", new BigDecimal("37"), "Cel", "T 37"),
                        new ClinicalValue("8480-6", "Systolic blood pressure", new BigDecimal("120"), "mm[Hg]", "BP 120/80"),
                        new ClinicalValue("8462-4", "Diastolic blood pressure", new BigDecimal("80"), "mm[Hg]", "BP 120/80"),
                        new ClinicalValue("59408-5", "Oxygen saturation in Arterial blood by Pulse oximetry",
                                new BigDecimal("98"), "%", "SpO2 98%")),
                List.of(new ClinicalValue("6690-2", "Leukocytes [#/volume] in Blood by Automated count",
                        new BigDecimal("6"), "10*9/L", "WBC 6")),
                List.of(), List.of(), List.of(),
                List.of(new Symptom("cough", "cough", Concept.snomed("49727002", "Cough"), false, "P3D")),
                List.of(), null, Disclaimer.EN, StructuredReport.STATUS_PRELIMINARY,
                new Provenance(List.of(new Provenance.ModelRef("rules", ReportAssembler.RULES_NAME,
                        ReportAssembler.RULES_VERSION, null, "java", "cpu", null, null)), Map.of()));
    }
}
