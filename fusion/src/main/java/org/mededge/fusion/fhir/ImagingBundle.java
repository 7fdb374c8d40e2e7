package org.mededge.fusion.fhir;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Composition;
import org.hl7.fhir.r4.model.DateTimeType;
import org.hl7.fhir.r4.model.DiagnosticReport;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Quantity;
import org.hl7.fhir.r4.model.Range;

import org.mededge.fusion.FusionError;
import org.mededge.fusion.FusionException;
import org.mededge.fusion.ImagingFinding;
import org.mededge.fusion.Provenance.ModelRef;
import org.mededge.fusion.ReportAssembler;
import org.mededge.fusion.radiology.Measurement;
import org.mededge.fusion.radiology.NormalizedFindings;
import org.mededge.fusion.radiology.RadFinding;
import org.mededge.fusion.safety.Disclaimer;
import org.mededge.vision.ImagingFindings;

import static org.mededge.fusion.fhir.Document.LOINC;
import static org.mededge.fusion.fhir.Document.OBSERVATION_CATEGORY;
import static org.mededge.fusion.fhir.Document.RADLEX;
import static org.mededge.fusion.fhir.Document.SNOMED;
import static org.mededge.fusion.fhir.Document.UCUM;
import static org.mededge.fusion.fhir.Document.concept;
import static org.mededge.fusion.fhir.Document.narrative;
import static org.mededge.fusion.fhir.Document.ref;

/**
 * A radiology report as a FHIR R4 document Bundle: Composition (LOINC 18748-4, preliminary) with a
 * DiagnosticReport whose results are the imaging model's positive findings (RadLex-coded, with
 * their probability) and the radiologist's normalized findings (site, laterality, sizes in mm).
 * A model that is not declared clinical has its labels listed, each marked as not a clinical finding.
 */
public final class ImagingBundle {
    private static final String PRESENT = "410605003";
    private static final String ABSENT = "410594000";

    private ImagingBundle() {
    }

    /**
     * @param model       the imaging model's output, or null
     * @param radiologist the radiologist's normalized text, or null
     * @param language    "zh" or "en": the language of narratives
     */
    public static Bundle build(ImagingFindings model, NormalizedFindings radiologist, String language, Instant at) {
        return build(model, radiologist, null, false, language, at);
    }

    /**
     * The same, as a radiologist's report: with {@code impression} (the radiologist's, edited from the AI
     * draft) as the DiagnosticReport's conclusion, and, when {@code signed}, Composition, DiagnosticReport
     * and the radiologist's Observations final with a legal attestation at signing time (the model's
     * findings stay preliminary: a model's output is never made final by a signature).
     */
    public static Bundle build(ImagingFindings model, NormalizedFindings radiologist, String impression, boolean signed,
                               String language, Instant at) {
        if (model == null && radiologist == null) {
            throw new FusionException(FusionError.FUSION_INVALID_INPUT, "A radiology report needs imaging findings or a radiologist's text.");
        }
        String lang = "zh".equals(language) ? "zh" : "en";
        boolean zh = lang.equals("zh");
        Document doc = new Document(at, lang);
        String assembler = doc.device(new ModelRef("rules", ReportAssembler.RULES_NAME, ReportAssembler.RULES_VERSION,
                null, "java", "cpu", null, null));

        DiagnosticReport dr = doc.radiologyReport();
        if (model != null) {
            dr.addImagingStudy(ref(NoteBundle.imagingStudy(doc, org.mededge.fusion.StudyRef.of("study-1", model))));
        }

        List<String> conclusion = new ArrayList<>();
        if (model != null) {
            ImagingFindings.ModelProvenance p = model.model();
            String device = doc.device(new ModelRef("vision", p.name(), p.version(), p.sha256(), p.backend(), p.device(),
                    null, null));
            // every positive finding by the one rule of NoteBundle.imaging: a model not declared clinical is listed
            // too, each finding tagged and worded "demonstration model, not a clinical finding"
            if (!p.clinical()) {
                dr.getMeta().addTag(NoteBundle.NOT_CLINICAL_TAG, "not-clinical", ImagingFinding.NOT_CLINICAL_EN);
                conclusion.add(zh
                        ? "影像模型 " + p.name() + " 未声明为临床模型（" + p.tier() + "）：其标签仅作演示，不是关于该患者的发现。"
                        : "The imaging model " + p.name() + " is not declared clinical (" + p.tier()
                        + "): its labels are shown marked as a demonstration, not as findings about this patient.");
            }
            List<String> positives = new ArrayList<>();
            for (ImagingFinding f : ImagingFinding.of(model, null)) {
                dr.addResult(ref(doc.add(NoteBundle.imaging(doc, f, device, zh))));
                positives.add(f.label() + " (" + percent(f.probability()) + " %)");
                if (f.radlexId() != null && p.clinical()) {
                    dr.addConclusionCode(new CodeableConcept().addCoding(new Coding(RADLEX, f.radlexId(), f.label()))
                            .setText(f.label()));
                }
            }
            // what the model measured (the cardiothoracic ratio), by the one rule of NoteBundle.measured
            org.mededge.fusion.StudyRef st = org.mededge.fusion.StudyRef.of("study-1", model);
            for (org.mededge.fusion.StudyRef.Measurement m : st.measurements()) {
                dr.addResult(ref(doc.add(NoteBundle.measured(doc, st, m, device))));
                positives.add(m.name() + " " + String.format(java.util.Locale.ROOT, "%.2f", m.value()));
            }
            conclusion.add(positives.isEmpty()
                    ? (zh ? "AI 影像模型：未见阳性发现。" : "AI imaging model: no positive finding.")
                    : (zh ? "AI 影像模型提示：" : "AI imaging model suggests: ") + String.join(zh ? "；" : "; ", positives)
                    + (p.clinical() ? "" : " (" + (zh ? ImagingFinding.NOT_CLINICAL_ZH : ImagingFinding.NOT_CLINICAL_EN) + ")")
                    + (zh ? "。" : "."));
        }
        if (radiologist != null) {
            for (RadFinding f : radiologist.findings()) {
                Observation o = radiologistObservation(doc, f);
                if (signed) {
                    o.setStatus(Observation.ObservationStatus.FINAL);
                }
                dr.addResult(ref(doc.add(o)));
            }
            conclusion.add(radiologist.normalizedText());
        }
        if (impression != null && !impression.isBlank()) {
            conclusion.add((zh ? "印象：" : "Impression: ") + impression);
            dr.setConclusion(impression);
            // the radiologist's present findings, RadLex-coded, as the report's conclusion codes
            if (radiologist != null) {
                for (RadFinding f : radiologist.findings()) {
                    if (!f.negated() && f.radlexId() != null) {
                        String text = ((f.laterality() == null ? "" : f.laterality() + " ") + f.term()).strip();
                        dr.addConclusionCode(new CodeableConcept().addCoding(new Coding(RADLEX, f.radlexId(), f.term())).setText(text));
                    }
                }
            }
        } else {
            dr.setConclusion(String.join(zh ? "" : " ", conclusion));
        }
        dr.setText(narrative(Fhir.div(conclusion.toArray(String[]::new))));
        if (signed) {
            dr.setStatus(DiagnosticReport.DiagnosticReportStatus.FINAL);
        }
        String drUrl = doc.add(dr);

        Composition c = new Composition();
        c.setStatus(Composition.CompositionStatus.PRELIMINARY);
        c.setType(concept(LOINC, "18748-4", "Diagnostic imaging study", null));
        c.setSubject(ref(doc.patient));
        c.setDate(doc.date);
        c.addAuthor(ref(assembler));
        c.setTitle(signed ? (zh ? "影像报告" : "Imaging report") : zh ? "影像报告（AI 草稿）" : "Imaging report (AI draft)");
        if (signed) {
            c.setStatus(Composition.CompositionStatus.FINAL);
            c.addAttester().setMode(Composition.CompositionAttestationMode.LEGAL).setTime(doc.date);
        }
        c.setText(narrative(Fhir.div(c.getTitle(), Disclaimer.forLanguage(lang))));
        c.addSection().setTitle(zh ? "所见" : "Findings").addEntry(ref(drUrl))
                .setText(narrative(Fhir.div(conclusion.toArray(String[]::new))));
        return doc.finish(c, assembler);
    }

    private static String percent(double p) {
        return BigDecimal.valueOf(p).multiply(BigDecimal.valueOf(100)).setScale(1, RoundingMode.HALF_UP).toPlainString();
    }

    private static Observation radiologistObservation(Document doc, RadFinding f) {
        Observation o = new Observation();
        o.setStatus(Observation.ObservationStatus.PRELIMINARY);
        o.addCategory(concept(OBSERVATION_CATEGORY, "imaging", "Imaging", null));
        CodeableConcept code = new CodeableConcept().setText(f.term());
        if (f.radlexId() != null) {
            code.addCoding(new Coding(RADLEX, f.radlexId(), f.term()));
        }
        o.setCode(code);
        o.setSubject(ref(doc.patient));
        o.setEffective(new DateTimeType(doc.date));
        o.setValue(f.negated() ? concept(SNOMED, ABSENT, "Definitely NOT present", "absent")
                : concept(SNOMED, PRESENT, "Confirmed present", "present"));
        String where = ((f.laterality() == null ? "" : f.laterality() + " ") + (f.site() == null ? "" : f.site())).strip();
        if (!where.isEmpty()) {
            // the side coded (SNOMED CT left / right), the site as the radiologist's words
            CodeableConcept site = "left".equals(f.laterality()) || "right".equals(f.laterality())
                    ? NoteBundle.laterality(f.laterality()) : new CodeableConcept();
            o.setBodySite(site.setText(where));
        }
        for (Measurement m : f.measurements()) {
            if (m.valueMm() != null) {
                o.addComponent().setCode(new CodeableConcept().setText("size")).setValue(mm(m.valueMm()));
            } else if (m.lowMm() != null) {
                o.addComponent().setCode(new CodeableConcept().setText("size range"))
                        .setValue(new Range().setLow(mm(m.lowMm())).setHigh(mm(m.highMm())));
            } else {
                int i = 1;
                for (BigDecimal d : m.dimensionsMm()) {
                    o.addComponent().setCode(new CodeableConcept().setText("dimension " + i++)).setValue(mm(d));
                }
            }
        }
        String mods = f.modifiers().isEmpty() ? "" : String.join(" ", f.modifiers()) + " ";
        o.setText(narrative(Fhir.div((f.negated() ? "No " : "") + mods + f.term() + (where.isEmpty() ? "" : " — " + where)
                + (f.measurements().isEmpty() ? "" : ", " + String.join(", ", f.measurements().stream().map(Measurement::format).toList())))));
        return o;
    }

    private static Quantity mm(BigDecimal v) {
        return new Quantity().setValue(v).setUnit("mm").setSystem(UCUM).setCode("mm");
    }
}
