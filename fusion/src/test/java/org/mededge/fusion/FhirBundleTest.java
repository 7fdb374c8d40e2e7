package org.mededge.fusion;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;

import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.ClinicalImpression;
import org.hl7.fhir.r4.model.Composition;
import org.hl7.fhir.r4.model.Condition;
import org.hl7.fhir.r4.model.Device;
import org.hl7.fhir.r4.model.DiagnosticReport;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Quantity;
import org.hl7.fhir.r4.model.Provenance;
import org.hl7.fhir.r4.model.Resource;
import org.junit.jupiter.api.Test;

import org.mededge.fusion.fhir.BundleValidator;
import org.mededge.fusion.fhir.Fhir;
import org.mededge.fusion.fhir.ImagingBundle;
import org.mededge.fusion.fhir.NoteBundle;
import org.mededge.fusion.radiology.NormalizedFindings;
import org.mededge.fusion.radiology.RadiologyNormalizer;
import org.mededge.vision.Finding;
import org.mededge.vision.ImagingFindings;

/** Every emitted bundle validates offline with HAPI's instance validator, with no errors. */
class FhirBundleTest {
    private static final ReportAssembler A = new ReportAssembler(FusionConfig.defaults());

    private static List<BundleValidator.Issue> errors(Bundle b) {
        return BundleValidator.get().errors(b);
    }

    @Test
    void everyGoldenNoteBundleValidates() {
        int n = 0;
        for (String file : List.of("notes-zh.json", "notes-en.json")) {
            for (JsonNode note : Golden.load(file)) {
                StructuredReport r = A.structure(new NoteRequest(note.get("text").asText(), null,
                        note.get("specialty").asText()), Optional.empty());
                Bundle b = NoteBundle.build(r, Instant.now());
                assertEquals(List.of(), errors(b), note.get("id").asText());
                n++;
            }
        }
        assertEquals(80, n);
    }

    @Test
    void aNoteBundleHasTheDocumentShape() {
        StructuredReport r = A.structure(new NoteRequest("主诉：咳嗽、发热3天。查体：T 38.6℃，P 108次/分，R 24次/分，BP 122/76mmHg，SpO2 93%。"
                + "辅助检查：WBC 15.2×10^9/L，CRP 86mg/L。", null, "respiratory"), Optional.empty());
        Bundle b = NoteBundle.build(r, Instant.parse("2026-11-22T08:00:00Z"));
        assertEquals(Bundle.BundleType.DOCUMENT, b.getType());
        Composition c = (Composition) b.getEntryFirstRep().getResource();
        assertEquals("11506-3", c.getType().getCodingFirstRep().getCode());
        assertEquals(Composition.CompositionStatus.PRELIMINARY, c.getStatus());
        List<Observation> obs = of(b, Observation.class);
        Observation bp = obs.stream().filter(o -> o.getCode().getCodingFirstRep().getCode().equals("85354-9")).findFirst().orElseThrow();
        assertEquals("http://hl7.org/fhir/StructureDefinition/bp", bp.getMeta().getProfile().get(0).getValue());
        assertEquals("8480-6", bp.getComponent().get(0).getCode().getCodingFirstRep().getCode());
        assertEquals("mm[Hg]", bp.getComponent().get(0).getValueQuantity().getCode());
        Observation temp = obs.stream().filter(o -> o.getCode().getCodingFirstRep().getCode().equals("8310-5")).findFirst().orElseThrow();
        assertEquals("Cel", temp.getValueQuantity().getCode());
        assertEquals("http://unitsofmeasure.org", temp.getValueQuantity().getSystem());
        Observation spo2 = obs.stream().filter(o -> o.getCode().getCodingFirstRep().getCode().equals("59408-5")).findFirst().orElseThrow();
        assertTrue(spo2.getCode().getCoding().stream().anyMatch(x -> x.getCode().equals("2708-6")), "oxygensat profile code");
        assertTrue(obs.stream().anyMatch(o -> o.getCode().getCodingFirstRep().getCode().equals("6690-2")
                && o.getValueQuantity().getCode().equals("10*9/L")));
        Observation cough = obs.stream().filter(o -> "cough".equals(o.getCode().getText())).findFirst().orElseThrow();
        assertEquals("49727002", cough.getCode().getCodingFirstRep().getCode());
        assertEquals("d", cough.getComponentFirstRep().getValueQuantity().getCode());
        Provenance p = of(b, Provenance.class).get(0);
        assertEquals(of(b, Device.class).size(), p.getAgent().size(), "every Device is an agent");
        assertEquals(b.getEntry().size() - 1, p.getTarget().size(), "every entry but the Provenance is a target");
        assertEquals(List.of(), errors(b));
    }

    @Test
    void aBoundIsAQuantityComparatorNotAValue() {
        StructuredReport r = A.structure(new NoteRequest("Labs: troponin I <0.01 ng/mL, NT-proBNP >35000 pg/mL. "
                + "Saturation less than ninety percent.", "en", "cardiology"), Optional.empty());
        Bundle b = NoteBundle.build(r, Instant.parse("2026-11-22T08:00:00Z"));
        List<Observation> obs = of(b, Observation.class);
        Observation trop = obs.stream().filter(o -> o.getCode().getCodingFirstRep().getCode().equals("10839-9")).findFirst().orElseThrow();
        assertEquals(Quantity.QuantityComparator.LESS_THAN, trop.getValueQuantity().getComparator());
        assertEquals(0, new BigDecimal("0.01").compareTo(trop.getValueQuantity().getValue()));
        Observation bnp = obs.stream().filter(o -> o.getCode().getCodingFirstRep().getCode().equals("33762-6")).findFirst().orElseThrow();
        assertEquals(Quantity.QuantityComparator.GREATER_THAN, bnp.getValueQuantity().getComparator());
        Observation spo2 = obs.stream().filter(o -> o.getCode().getCodingFirstRep().getCode().equals("59408-5")).findFirst().orElseThrow();
        assertEquals(Quantity.QuantityComparator.LESS_THAN, spo2.getValueQuantity().getComparator());
        // narratives are built as XHTML nodes: the note's '<' and '>' are escaped in the serialized div, and it validates
        String json = org.mededge.fusion.fhir.Fhir.json(b);
        assertTrue(json.contains("&lt;0.01") && json.contains("&gt;35000"), json);
        assertEquals(List.of(), errors(b));
        assertEquals(List.of(), errors(b));
    }

    @Test
    void anAssessmentBecomesConditionsAndAClinicalImpression() {
        StructuredReport base = A.structure(new NoteRequest("Chest pain radiating to the jaw, sweating. Troponin I 1.2 ng/mL.",
                null, "cardiology"), Optional.empty());
        Assessment a = new Assessment("acute myocardial infarction", 0.74, "Typical pain with raised troponin.",
                List.of("unstable angina"), List.of("aortic dissection"), "cardiology");
        List<org.mededge.fusion.Provenance.ModelRef> models = new ArrayList<>(base.provenance().models());
        models.add(new org.mededge.fusion.Provenance.ModelRef("llm", "medllm-demo", "1", null, "llm", null, "cardiology", "STOP"));
        StructuredReport r = new StructuredReport(base.language(), base.specialty(), base.sections(), base.vitals(), base.labs(),
                base.earlier(), base.studies(), base.imaging(), base.symptoms(), base.flags(), a, base.disclaimer(), base.status(),
                new org.mededge.fusion.Provenance(models, Map.of("totalMs", 1.0)));
        Bundle b = NoteBundle.build(r, Instant.now());
        List<Condition> conditions = of(b, Condition.class);
        assertEquals(2, conditions.size());
        assertEquals("provisional", conditions.get(0).getVerificationStatus().getCodingFirstRep().getCode());
        assertEquals("22298006", conditions.get(0).getCode().getCodingFirstRep().getCode());
        assertEquals("differential", conditions.get(1).getVerificationStatus().getCodingFirstRep().getCode());
        ClinicalImpression ci = of(b, ClinicalImpression.class).get(0);
        assertTrue(ci.getSummary().contains("0.74"));
        assertTrue(of(b, Device.class).stream().anyMatch(d -> d.getVersion().stream()
                .anyMatch(v -> "cardiology".equals(v.getValue()))), "the adapter is named on the model's Device");
        assertEquals(List.of(), errors(b));
    }

    @Test
    void aRadiologyReportFromImagingFindingsAndRadiologistText() {
        ImagingFindings model = new ImagingFindings(new ImagingFindings.Study(1024, 1024, "CR", "CHEST"),
                List.of(new Finding("Pleural effusion", "RID34539", 0.873, true), new Finding("Pneumothorax", "RID5352", 0.04, false)),
                new ImagingFindings.ModelProvenance("xrv-densenet121-res224-all", "1", "ab12", "onnxruntime", "cpu", "production", true),
                new ImagingFindings.Timings(12, 8, 40));
        NormalizedFindings text = new RadiologyNormalizer().normalize("右侧胸腔少量积液。右肺下叶见一实性结节，约1cm。未见气胸。", null, 65536);
        Bundle b = ImagingBundle.build(model, text, "zh", Instant.now());
        Composition c = (Composition) b.getEntryFirstRep().getResource();
        assertEquals("18748-4", c.getType().getCodingFirstRep().getCode());
        DiagnosticReport dr = of(b, DiagnosticReport.class).get(0);
        assertEquals(DiagnosticReport.DiagnosticReportStatus.PRELIMINARY, dr.getStatus());
        assertEquals(1 + 3, dr.getResult().size(), "one positive model finding and three radiologist findings");
        assertEquals("RID34539", dr.getConclusionCodeFirstRep().getCodingFirstRep().getCode());
        assertTrue(dr.getConclusion().contains("右肺下叶：实性结节，10 mm。"));
        Observation nodule = of(b, Observation.class).stream().filter(o -> "nodule".equals(o.getCode().getText())).findFirst().orElseThrow();
        assertEquals(0, new BigDecimal(10).compareTo(nodule.getComponentFirstRep().getValueQuantity().getValue()));
        assertEquals("right lower lobe", nodule.getBodySite().getText());
        assertEquals(List.of(), errors(b));
    }

    @Test
    void aModelThatIsNotClinicalHasItsLabelsListedMarked() {
        ImagingFindings demo = new ImagingFindings(new ImagingFindings.Study(224, 224, null, null),
                List.of(new Finding("pelican", null, 0.97, true)),
                new ImagingFindings.ModelProvenance("mobilenetv2-int8", "12", "cc02", "onnxruntime", "cpu"),
                new ImagingFindings.Timings(3, 2, 9));
        Bundle b = ImagingBundle.build(demo, null, "en", Instant.now());
        DiagnosticReport dr = of(b, DiagnosticReport.class).get(0);
        assertEquals(1, dr.getResult().size());
        assertTrue(dr.getConclusion().contains("not declared clinical"), dr.getConclusion());
        assertTrue(dr.getConclusion().contains(ImagingFinding.NOT_CLINICAL_EN), dr.getConclusion());
        org.hl7.fhir.r4.model.Observation o = of(b, org.hl7.fhir.r4.model.Observation.class).get(0);
        assertEquals("pelican", o.getCode().getText());
        assertTrue(o.getMeta().getTag(NoteBundle.NOT_CLINICAL_TAG, "not-clinical") != null, "the label is marked, not a finding");
        assertEquals(List.of(), errors(b));
    }

    private static <T extends Resource> List<T> of(Bundle b, Class<T> type) {
        return b.getEntry().stream().map(Bundle.BundleEntryComponent::getResource).filter(type::isInstance).map(type::cast).toList();
    }
}
