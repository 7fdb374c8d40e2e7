package org.mededge.fusion;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

import com.fasterxml.jackson.databind.ObjectMapper;

import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Observation;
import org.junit.jupiter.api.Test;

import org.mededge.fusion.assess.PromptBuilder;
import org.mededge.fusion.assess.Specialties;
import org.mededge.fusion.fhir.BundleValidator;
import org.mededge.fusion.fhir.NoteBundle;
import org.mededge.fusion.html.ReportHtml;
import org.mededge.fusion.safety.ReasonGrounding;
import org.mededge.llm.GenerationRequest;

/**
 * Imaging findings fused into the note: carried in the report with their marking, given to the
 * language model beside vitals and labs, a critical one raising a red flag, cited by a reason only
 * when a study showed it, and written to FHIR by one rule that validates.
 */
class MultimodalFusionTest {
    private static final ReportAssembler A = new ReportAssembler(FusionConfig.defaults());
    private static final String NOTE = "Chief complaint: shortness of breath for 2 days. Exam: HR 112, SpO2 91% on room air, RR 26.";

    /** What a demonstration chest model and a clinical one would have said of one film. */
    private static final List<ImagingFinding> DEMO = List.of(
            new ImagingFinding("Pneumothorax", "RID5352", 0.87, "cxr-demo", "1", "demo", false, "study-1"),
            new ImagingFinding("Cardiomegaly", "RID1385", 0.64, "cxr-demo", "1", "demo", false, "study-1"));
    private static final List<ImagingFinding> CLINICAL = List.of(
            new ImagingFinding("Effusion", "RID34539", 0.91, "cxr-prod", "3", "production", true, "study-2"));

    @Test
    void findingsReachTheReportThePromptAndTheRedFlags() throws Exception {
        StructuredReport r = A.structure(new NoteRequest(NOTE, null, "respiratory"), List.of(), DEMO, Optional.empty());
        assertEquals(DEMO, r.imaging());
        String json = new ObjectMapper().writeValueAsString(r);
        assertTrue(json.contains("\"marking\":\"" + ImagingFinding.NOT_CLINICAL_EN + "\""), json);
        assertTrue(r.flags().stream().anyMatch(f -> f.code() == FlagCode.RED_FLAG && f.field().equals("imaging.Pneumothorax")
                && f.message().contains(ImagingFinding.NOT_CLINICAL_EN)), r.flags().toString());
        assertTrue(r.flags().stream().noneMatch(f -> f.field() != null && f.field().equals("imaging.Cardiomegaly")),
                "cardiomegaly is no emergency");
        // a label its model declares critical (model.yaml critical: true) raises one too
        StructuredReport declared = A.structure(new NoteRequest(NOTE, null, "respiratory"), List.of(), List.of(
                new ImagingFinding("Tension sign", null, 0.7, "cxr-prod", "3", "production", true, null, true)), Optional.empty());
        assertTrue(declared.flags().stream().anyMatch(f -> f.code() == FlagCode.RED_FLAG && f.field().equals("imaging.Tension sign")));
        assertTrue(r.provenance().models().stream().anyMatch(m -> m.role().equals("vision") && m.name().equals("cxr-demo")));
        assertTrue(ReportHtml.render(r).contains(ImagingFinding.NOT_CLINICAL_EN));

        GenerationRequest g = PromptBuilder.build(Specialties.get("respiratory"), "en", r.sections(), r.vitals(), r.labs(),
                r.symptoms(), r.imaging(), List.of(), 64, java.time.Duration.ofSeconds(5));
        assertTrue(g.user().contains("Imaging (AI model findings): Pneumothorax (probability 87 %, " + ImagingFinding.NOT_CLINICAL_EN
                + "); Cardiomegaly (probability 64 %"), g.user());
        GenerationRequest without = PromptBuilder.build(Specialties.get("respiratory"), "en", r.sections(), r.vitals(), r.labs(),
                r.symptoms(), List.of(), 64, java.time.Duration.ofSeconds(5));
        assertFalse(without.user().contains("Imaging"), "a note without studies keeps its prompt");
    }

    @Test
    void aReasonMayCiteAnImagingFindingOnlyWhenAStudyShowedIt() {
        Assessment a = new Assessment("pneumothorax", 0.8, "Sudden dyspnoea with a pneumothorax and cardiomegaly on the film.",
                List.of(), List.of(), "respiratory");
        assertEquals(java.util.Set.of(), ReasonGrounding.unsupportedImaging(a, DEMO, NOTE));
        assertEquals(java.util.Set.of("pneumothorax", "cardiomegaly"), ReasonGrounding.unsupportedImaging(a, CLINICAL, NOTE));
        // the note's own words support it too (a chest X-ray report typed into the note)
        assertEquals(java.util.Set.of("cardiomegaly"), ReasonGrounding.unsupportedImaging(a, List.of(), NOTE + " CXR: right pneumothorax."));
    }

    @Test
    void theBundleCarriesEachFindingByOneRuleAndValidates() {
        List<StudyRef> studies = List.of(
                new StudyRef("study-1", "CR", "CHEST", "1.2.826.0.1.3680043.8.498.1", 2048, 2048, "cxr-demo", "1", "demo", false),
                new StudyRef("study-2", null, null, null, 1024, 1024, "cxr-prod", "3", "production", true),
                new StudyRef("study-3", "DX", "CHEST", null, 512, 512, "cxr-prod", "3", "production", true));
        StructuredReport r = A.structure(new NoteRequest(NOTE, null, "respiratory"), studies,
                java.util.stream.Stream.concat(DEMO.stream(), CLINICAL.stream()).toList(), Optional.empty());
        Bundle b = NoteBundle.build(r, Instant.now());
        assertEquals(List.of(), BundleValidator.get().errors(b));
        List<Observation> imaging = b.getEntry().stream().map(Bundle.BundleEntryComponent::getResource)
                .filter(x -> x instanceof Observation o && "imaging".equals(o.getCategoryFirstRep().getCodingFirstRep().getCode()))
                .map(x -> (Observation) x).toList();
        assertEquals(3, imaging.size());
        // each study: an ImagingStudy (UID, modality, body part from the DICOM header) and a DiagnosticReport with its results
        List<org.hl7.fhir.r4.model.ImagingStudy> is = b.getEntry().stream().map(Bundle.BundleEntryComponent::getResource)
                .filter(x -> x instanceof org.hl7.fhir.r4.model.ImagingStudy).map(x -> (org.hl7.fhir.r4.model.ImagingStudy) x).toList();
        assertEquals(3, is.size());
        assertEquals("urn:oid:1.2.826.0.1.3680043.8.498.1", is.get(0).getIdentifierFirstRep().getValue());
        assertEquals("CR", is.get(0).getModalityFirstRep().getCode());
        List<org.hl7.fhir.r4.model.DiagnosticReport> drs = b.getEntry().stream().map(Bundle.BundleEntryComponent::getResource)
                .filter(x -> x instanceof org.hl7.fhir.r4.model.DiagnosticReport).map(x -> (org.hl7.fhir.r4.model.DiagnosticReport) x).toList();
        assertEquals(List.of(2, 1, 0), drs.stream().map(d -> d.getResult().size()).toList());
        for (Observation o : imaging) {
            boolean demo = !o.getCode().getText().equals("Effusion");
            assertEquals(demo, o.getMeta().getTag(NoteBundle.NOT_CLINICAL_TAG, "not-clinical") != null, o.getCode().getText());
            assertEquals(Observation.ObservationStatus.PRELIMINARY, o.getStatus());
        }
    }
}
