package org.mededge.fusion.fhir;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.ClinicalImpression;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Composition;
import org.hl7.fhir.r4.model.Condition;
import org.hl7.fhir.r4.model.DateTimeType;
import org.hl7.fhir.r4.model.DiagnosticReport;
import org.hl7.fhir.r4.model.ImagingStudy;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Quantity;

import org.mededge.fusion.Assessment;
import org.mededge.fusion.ClinicalValue;
import org.mededge.fusion.Flag;
import org.mededge.fusion.ImagingFinding;
import org.mededge.fusion.Provenance.ModelRef;
import org.mededge.fusion.Section;
import org.mededge.fusion.StructuredReport;
import org.mededge.fusion.StudyRef;
import org.mededge.fusion.Symptom;
import org.mededge.fusion.assess.Specialties;

import static org.mededge.fusion.fhir.Document.LOINC;
import static org.mededge.fusion.fhir.Document.OBSERVATION_CATEGORY;
import static org.mededge.fusion.fhir.Document.SNOMED;
import static org.mededge.fusion.fhir.Document.UCUM;
import static org.mededge.fusion.fhir.Document.concept;
import static org.mededge.fusion.fhir.Document.narrative;
import static org.mededge.fusion.fhir.Document.ref;

/**
 * A structured note as a FHIR R4 document Bundle: Composition (LOINC 11506-3 progress note,
 * preliminary), vital signs on the R4 vital-signs profiles, laboratory Observations (LOINC + UCUM),
 * symptom Observations (SNOMED CT where known), the assessment as Condition + ClinicalImpression,
 * a Device per model and adapter, and a Provenance naming them.
 */
public final class NoteBundle {
    private static final String VS = "http://hl7.org/fhir/StructureDefinition/";
    private static final String PRESENT = "410605003";
    private static final String ABSENT = "410594000";

    private NoteBundle() {
    }

    public static Bundle build(StructuredReport r, Instant at) {
        String lang = r.language();
        boolean zh = "zh".equals(lang);
        Document doc = new Document(at, lang);
        String assembler = null;
        for (ModelRef m : r.provenance().models()) {
            String url = doc.device(m);
            if ("rules".equals(m.role())) {
                assembler = url;
            }
        }

        Composition c = new Composition();
        c.setStatus(Composition.CompositionStatus.PRELIMINARY);
        c.setType(concept(LOINC, "11506-3", "Progress note", null));
        c.setSubject(ref(doc.patient));
        c.setDate(doc.date);
        c.addAuthor(ref(assembler));
        c.setTitle(zh ? "临床记录（AI 结构化草稿）" : "Clinical note (AI-structured draft)");
        c.setLanguage(lang);
        c.setText(narrative(Fhir.div(c.getTitle(), r.disclaimer(),
                (zh ? "专科：" : "Specialty: ") + r.specialty() + (zh ? "；状态：" : "; status: ") + r.status())));

        for (Map.Entry<String, String> e : r.sections().entrySet()) {
            Section s = Section.ofKey(e.getKey());
            c.addSection().setTitle(s.title(lang)).setText(narrative(Fhir.div(e.getValue())));
        }

        List<String> vitalUrls = vitals(doc, r.vitals());
        if (!vitalUrls.isEmpty()) {
            Composition.SectionComponent s = c.addSection().setTitle(zh ? "生命体征" : "Vital signs")
                    .setCode(concept(LOINC, "8716-3", "Vital signs", null));
            s.setText(narrative(Fhir.divList(null, r.vitals().stream().map(NoteBundle::line).toList())));
            vitalUrls.forEach(u -> s.addEntry(ref(u)));
        }
        if (!r.labs().isEmpty()) {
            Composition.SectionComponent s = c.addSection().setTitle(zh ? "检验结果" : "Results")
                    .setCode(concept(LOINC, "30954-2", "Relevant diagnostic tests/laboratory data", null));
            s.setText(narrative(Fhir.divList(null, r.labs().stream().map(NoteBundle::line).toList())));
            for (ClinicalValue v : r.labs()) {
                Observation o = observation(doc, "laboratory", "Laboratory", concept(LOINC, v.code(), v.display(), null), v);
                s.addEntry(ref(doc.add(o)));
            }
        }
        if (!r.imaging().isEmpty() || !r.studies().isEmpty()) {
            Composition.SectionComponent s = c.addSection().setTitle(zh ? "影像发现（AI 模型）" : "Imaging findings (AI model)")
                    .setCode(concept(LOINC, "18748-4", "Diagnostic imaging study", null));
            List<String> lines = new ArrayList<>();
            // each attached study: an ImagingStudy and a DiagnosticReport whose results are its findings
            for (StudyRef st : r.studies()) {
                DiagnosticReport dr = study(doc, st, zh);
                List<String> said = new ArrayList<>();
                for (ImagingFinding f : r.imaging()) {
                    if (st.id().equals(f.study())) {
                        String device = doc.device(new ModelRef("vision", f.model(), f.modelVersion(), null, "vision", null, null, null));
                        dr.addResult(ref(doc.add(imaging(doc, f, device, zh))));
                        said.add(imagingLine(f, zh));
                        if (f.radlexId() != null) {
                            dr.addConclusionCode(new CodeableConcept().addCoding(new Coding(Document.RADLEX, f.radlexId(), f.label())));
                        }
                    }
                }
                for (StudyRef.Measurement m : st.measurements()) {
                    String device = doc.device(new ModelRef("vision", st.model(), st.modelVersion(), null, "vision", null, null, null));
                    dr.addResult(ref(doc.add(measured(doc, st, m, device))));
                }
                String conclusion = said.isEmpty() ? (zh ? "AI 影像模型：未见阳性发现。" : "AI imaging model: no positive finding.")
                        : String.join(zh ? "；" : "; ", said);
                if (!st.measurements().isEmpty()) {
                    conclusion += (zh ? "；" : "; ") + String.join(", ", st.measurements().stream().map(NoteBundle::measuredLine).toList());
                }
                dr.setConclusion(conclusion);
                dr.setText(narrative(Fhir.div(conclusion)));
                s.addEntry(ref(doc.add(dr)));
                lines.add(st.id() + ": " + conclusion);
            }
            // findings of no listed study (none in reports the appliance makes) are still written
            for (ImagingFinding f : r.imaging()) {
                if (r.studies().stream().noneMatch(st -> st.id().equals(f.study()))) {
                    String device = doc.device(new ModelRef("vision", f.model(), f.modelVersion(), null, "vision", null, null, null));
                    s.addEntry(ref(doc.add(imaging(doc, f, device, zh))));
                    lines.add(imagingLine(f, zh));
                }
            }
            s.setText(narrative(Fhir.divList(null, lines)));
        }
        if (!r.earlier().isEmpty()) {
            // earlier readings (baseline, on arrival) are history: in the narrative, never an Observation that a
            // receiving system could take for the current value
            c.addSection().setTitle(zh ? "此前的测量值（非当前值）" : "Earlier readings (not current)")
                    .setText(narrative(Fhir.divList(null, r.earlier().stream().map(v -> line(v) + " — " + v.when()).toList())));
        }
        if (!r.symptoms().isEmpty()) {
            Composition.SectionComponent s = c.addSection().setTitle(zh ? "症状与体征" : "Symptoms and signs");
            List<String> lines = new ArrayList<>();
            for (Symptom sy : r.symptoms()) {
                lines.add((sy.negated() ? (zh ? "无 " : "no ") : "") + sy.text()
                        + (sy.durationIso() == null ? "" : " (" + sy.durationIso() + ")"));
                s.addEntry(ref(doc.add(symptom(doc, sy))));
            }
            s.setText(narrative(Fhir.divList(null, lines)));
        }
        if (r.assessment() != null) {
            Composition.SectionComponent s = c.addSection().setTitle(zh ? "AI 评估" : "AI assessment");
            assessment(doc, r, s);
        }
        if (!r.flags().isEmpty()) {
            c.addSection().setTitle(zh ? "警示" : "Alerts")
                    .setText(narrative(Fhir.divList(null, r.flags().stream().map(Flag::message).toList())));
        }
        return withStatus(doc.finish(c, assembler), r.status(), doc.date);
    }

    /**
     * The one rule for an imaging model's finding in FHIR: a preliminary Observation (category imaging,
     * RadLex-coded, "probably present", the probability as a component, the model as its Device); a
     * finding of a model not declared clinical also carries the tag {@link #NOT_CLINICAL_TAG} and the
     * words {@link ImagingFinding#NOT_CLINICAL_EN} in its note and narrative.
     */
    static Observation imaging(Document doc, ImagingFinding f, String device, boolean zh) {
        Observation o = new Observation();
        o.setStatus(Observation.ObservationStatus.PRELIMINARY);
        o.addCategory(concept(OBSERVATION_CATEGORY, "imaging", "Imaging", null));
        CodeableConcept code = new CodeableConcept().setText(f.label());
        if (f.radlexId() != null) {
            code.addCoding(new Coding(Document.RADLEX, f.radlexId(), f.label()));
        }
        o.setCode(code);
        o.setSubject(ref(doc.patient));
        o.setEffective(new DateTimeType(doc.date));
        o.setValue(concept(SNOMED, "410592001", "Probably present", "suggested by the AI imaging model"));
        o.addComponent().setCode(new CodeableConcept().setText("model probability")).setValue(new Quantity()
                .setValue(BigDecimal.valueOf(f.probability() * 100).setScale(1, java.math.RoundingMode.HALF_UP))
                .setUnit("%").setSystem(UCUM).setCode("%"));
        if (f.laterality() != null) {
            o.setBodySite(laterality(f.laterality()));
        }
        o.setDevice(ref(device));
        o.setMethod(new CodeableConcept().setText("AI imaging model"));
        if (!f.clinical()) {
            o.getMeta().addTag(NOT_CLINICAL_TAG, "not-clinical", ImagingFinding.NOT_CLINICAL_EN);
            o.addNote().setText(ImagingFinding.NOT_CLINICAL_EN);
        }
        o.setText(narrative(Fhir.div(imagingLine(f, zh))));
        return o;
    }

    /** The patient's side as SNOMED CT's laterality qualifier (7771000 Left, 24028007 Right). */
    static CodeableConcept laterality(String side) {
        return "left".equals(side) ? concept(SNOMED, "7771000", "Left", "left") : concept(SNOMED, "24028007", "Right", "right");
    }

    /**
     * A number the imaging model measured (the cardiothoracic ratio): a preliminary imaging
     * Observation with its UCUM quantity, coded where the model declares a code, marked like the
     * model's findings when the model is not clinical.
     */
    static Observation measured(Document doc, StudyRef st, StudyRef.Measurement m, String device) {
        Observation o = new Observation();
        o.setStatus(Observation.ObservationStatus.PRELIMINARY);
        o.addCategory(concept(OBSERVATION_CATEGORY, "imaging", "Imaging", null));
        CodeableConcept code = new CodeableConcept().setText(m.name());
        if (m.code() != null) {
            code.addCoding(new Coding(m.system(), m.code(), m.name()));
        }
        o.setCode(code);
        o.setSubject(ref(doc.patient));
        o.setEffective(new DateTimeType(doc.date));
        o.setValue(new Quantity().setValue(BigDecimal.valueOf(m.value()).setScale(2, java.math.RoundingMode.HALF_UP))
                .setUnit(m.unit()).setSystem(UCUM).setCode(m.unit()));
        o.setDevice(ref(device));
        o.setMethod(new CodeableConcept().setText("AI imaging model"));
        if (!st.clinical()) {
            o.getMeta().addTag(NOT_CLINICAL_TAG, "not-clinical", ImagingFinding.NOT_CLINICAL_EN);
            o.addNote().setText(ImagingFinding.NOT_CLINICAL_EN);
        }
        o.setText(narrative(Fhir.div(measuredLine(m) + (st.clinical() ? "" : " (" + ImagingFinding.NOT_CLINICAL_EN + ")"))));
        return o;
    }

    private static String measuredLine(StudyRef.Measurement m) {
        return m.name() + " " + String.format(java.util.Locale.ROOT, "%.2f", m.value()) + ("1".equals(m.unit()) ? "" : " " + m.unit());
    }

    /** A study as FHIR: its ImagingStudy (UID, modality, body part from the DICOM header) and the DiagnosticReport that cites it. */
    private static DiagnosticReport study(Document doc, StudyRef st, boolean zh) {
        String isUrl = imagingStudy(doc, st);
        DiagnosticReport dr = doc.radiologyReport();
        dr.addImagingStudy(ref(isUrl));
        if (!st.clinical()) {
            dr.getMeta().addTag(NOT_CLINICAL_TAG, "not-clinical", ImagingFinding.NOT_CLINICAL_EN);
        }
        return dr;
    }

    /** A study's ImagingStudy (UID, modality, body part from the DICOM header), added to the document; its URL. */
    static String imagingStudy(Document doc, StudyRef st) {
        ImagingStudy is = new ImagingStudy();
        is.setStatus(ImagingStudy.ImagingStudyStatus.AVAILABLE);
        is.setSubject(ref(doc.patient));
        if (st.studyInstanceUid() != null) {
            is.addIdentifier().setSystem("urn:dicom:uid").setValue("urn:oid:" + st.studyInstanceUid());
        }
        if (st.modality() != null) {
            is.addModality(new Coding("http://dicom.nema.org/resources/ontology/DCM", st.modality(), null));
        }
        is.setDescription((st.bodyPart() == null ? "" : st.bodyPart() + " ") + st.width() + "x" + st.height()
                + (st.studyInstanceUid() == null ? " (no DICOM header)" : ""));
        is.setText(narrative(Fhir.div(st.id() + ": " + is.getDescription())));
        return doc.add(is);
    }

    /** The tag system that marks an output of a model not declared clinical. */
    public static final String NOT_CLINICAL_TAG = "urn:mededge:model-tier";

    private static String imagingLine(ImagingFinding f, boolean zh) {
        return f.label() + (f.laterality() == null || f.label().toLowerCase(java.util.Locale.ROOT).contains(f.laterality()) ? ""
                : " (" + f.laterality() + ")") + " " + Math.round(f.probability() * 100) + " % (" + f.model() + " " + f.modelVersion()
                + (f.clinical() ? "" : "; " + (zh ? ImagingFinding.NOT_CLINICAL_ZH : ImagingFinding.NOT_CLINICAL_EN)) + ")";
    }

    private static String line(ClinicalValue v) {
        return v.display().replaceAll(" \\[.*", "") + ": " + v.valueText() + " " + v.unit()
                + (v.text() == null ? "" : " (\"" + v.text() + "\")");
    }

    private static List<String> vitals(Document doc, List<ClinicalValue> vitals) {
        List<String> urls = new ArrayList<>();
        for (int i = 0; i < vitals.size(); i++) {
            ClinicalValue v = vitals.get(i);
            ClinicalValue next = i + 1 < vitals.size() ? vitals.get(i + 1) : null;
            if (v.code().equals("8480-6") && next != null && next.code().equals("8462-4")) {
                urls.add(doc.add(bloodPressure(doc, v, next)));
                i++;
                continue;
            }
            String profile = switch (v.code()) {
                case "8310-5" -> "bodytemp";
                case "8867-4" -> "heartrate";
                case "9279-1" -> "resprate";
                case "59408-5" -> "oxygensat";
                default -> "vitalsigns";
            };
            CodeableConcept code = concept(LOINC, v.code(), v.display(), null);
            if (v.code().equals("59408-5")) {
                code.addCoding(new Coding(LOINC, "2708-6", "Oxygen saturation in Arterial blood"));
            }
            Observation o = observation(doc, "vital-signs", "Vital Signs", code, v);
            o.getMeta().addProfile(VS + profile);
            urls.add(doc.add(o));
        }
        return urls;
    }

    /**
     * A signed report's bundle says so: Composition and Observations final (or amended), the
     * assessment's ClinicalImpression completed, and a legal attestation at signing time. A draft
     * stays preliminary.
     */
    private static Bundle withStatus(Bundle b, String status, java.util.Date at) {
        if (!"final".equals(status) && !"amended".equals(status)) {
            return b;
        }
        boolean amended = "amended".equals(status);
        for (Bundle.BundleEntryComponent e : b.getEntry()) {
            if (e.getResource() instanceof Composition c) {
                c.setStatus(amended ? Composition.CompositionStatus.AMENDED : Composition.CompositionStatus.FINAL);
                c.addAttester().setMode(Composition.CompositionAttestationMode.LEGAL).setTime(at);
            } else if (e.getResource() instanceof Observation o) {
                o.setStatus(amended ? Observation.ObservationStatus.AMENDED : Observation.ObservationStatus.FINAL);
            } else if (e.getResource() instanceof ClinicalImpression ci) {
                ci.setStatus(ClinicalImpression.ClinicalImpressionStatus.COMPLETED);
            }
        }
        return b;
    }

    private static Observation bloodPressure(Document doc, ClinicalValue sys, ClinicalValue dia) {
        Observation o = new Observation();
        o.getMeta().addProfile(VS + "bp");
        o.setStatus(Observation.ObservationStatus.PRELIMINARY);
        o.addCategory(concept(OBSERVATION_CATEGORY, "vital-signs", "Vital Signs", null));
        o.setCode(concept(LOINC, "85354-9", "Blood pressure panel with all children optional", "Blood pressure"));
        o.setSubject(ref(doc.patient));
        o.setEffective(new DateTimeType(doc.date));
        o.addComponent().setCode(concept(LOINC, sys.code(), sys.display(), null)).setValue(quantity(sys));
        o.addComponent().setCode(concept(LOINC, dia.code(), dia.display(), null)).setValue(quantity(dia));
        o.setText(narrative(Fhir.div("Blood pressure " + sys.value().toPlainString() + "/" + dia.value().toPlainString()
                + " mmHg", sys.text() == null ? null : "\"" + sys.text() + "\"")));
        return o;
    }

    private static Observation observation(Document doc, String category, String categoryDisplay, CodeableConcept code,
                                           ClinicalValue v) {
        Observation o = new Observation();
        o.setStatus(Observation.ObservationStatus.PRELIMINARY);
        o.addCategory(concept(OBSERVATION_CATEGORY, category, categoryDisplay, null));
        o.setCode(code);
        o.setSubject(ref(doc.patient));
        o.setEffective(new DateTimeType(doc.date));
        o.setValue(quantity(v));
        o.setText(narrative(Fhir.div(line(v))));
        return o;
    }

    static Quantity quantity(ClinicalValue v) {
        Quantity q = new Quantity().setValue(v.value()).setUnit(humanUnit(v.unit())).setSystem(UCUM).setCode(v.unit());
        if (v.comparator() != null) {
            q.setComparator(Quantity.QuantityComparator.fromCode(v.comparator()));
        }
        return q;
    }

    private static String humanUnit(String ucum) {
        return switch (ucum) {
            case "Cel" -> "°C";
            case "mm[Hg]" -> "mmHg";
            case "10*9/L" -> "10^9/L";
            case "umol/L" -> "µmol/L";
            case "mg/L{FEU}" -> "mg/L FEU";
            default -> ucum;
        };
    }

    private static Observation symptom(Document doc, Symptom sy) {
        Observation o = new Observation();
        o.setStatus(Observation.ObservationStatus.PRELIMINARY);
        CodeableConcept code = new CodeableConcept().setText(sy.name());
        if (sy.concept() != null) {
            code.addCoding(new Coding(SNOMED, sy.concept().code(), sy.concept().display()));
        }
        o.setCode(code);
        o.setSubject(ref(doc.patient));
        o.setEffective(new DateTimeType(doc.date));
        o.setValue(sy.negated()
                ? concept(SNOMED, ABSENT, "Definitely NOT present", "absent")
                : concept(SNOMED, PRESENT, "Confirmed present", "present"));
        Quantity d = duration(sy.durationIso());
        if (d != null) {
            o.addComponent().setCode(new CodeableConcept().setText("duration")).setValue(d);
        }
        o.setText(narrative(Fhir.div((sy.negated() ? "Absent: " : "Present: ") + sy.name() + " (\"" + sy.text() + "\")"
                + (sy.durationIso() == null ? "" : ", for " + sy.durationIso()))));
        return o;
    }

    private static final Pattern ISO = Pattern.compile("P(?:(\\d+(?:\\.\\d+)?)([YMWD]))?(?:T(\\d+(?:\\.\\d+)?)([HM]))?");

    /** An ISO 8601 duration with one component as a UCUM quantity (P3D → 3 d). */
    static Quantity duration(String iso) {
        if (iso == null) {
            return null;
        }
        Matcher m = ISO.matcher(iso);
        if (!m.matches()) {
            return null;
        }
        String value;
        String unit;
        if (m.group(1) != null) {
            value = m.group(1);
            unit = switch (m.group(2)) {
                case "Y" -> "a";
                case "M" -> "mo";
                case "W" -> "wk";
                default -> "d";
            };
        } else if (m.group(3) != null) {
            value = m.group(3);
            unit = m.group(4).equals("H") ? "h" : "min";
        } else {
            return null;
        }
        return new Quantity().setValue(new BigDecimal(value)).setUnit(unit).setSystem(UCUM).setCode(unit);
    }

    private static void assessment(Document doc, StructuredReport r, Composition.SectionComponent s) {
        Assessment a = r.assessment();
        boolean zh = "zh".equals(r.language());
        Specialties.Specialty sp = Specialties.get(r.specialty());
        Condition main = condition(doc, sp, a.diagnosis(), "provisional", "Provisional");
        main.addNote().setText(a.reason());
        String mainUrl = doc.add(main);
        s.addEntry(ref(mainUrl));
        ClinicalImpression ci = new ClinicalImpression();
        ci.setStatus(ClinicalImpression.ClinicalImpressionStatus.INPROGRESS);
        ci.setSubject(ref(doc.patient));
        ci.setDate(doc.date);
        String conf = String.format(java.util.Locale.ROOT, "%.2f", a.confidence());
        ci.setDescription((zh ? "语言模型评估" : "Language-model assessment")
                + (a.adapter() == null ? "" : " (adapter " + a.adapter() + ")"));
        ci.setSummary(a.diagnosis() + " — confidence " + conf + ". " + a.reason());
        ci.addProblem(ref(mainUrl));
        for (String d : a.differential()) {
            String url = doc.add(condition(doc, sp, d, "differential", "Differential"));
            ci.addProblem(ref(url));
            s.addEntry(ref(url));
        }
        if (!a.ruleOut().isEmpty()) {
            ci.addNote().setText("Rule out: " + String.join("; ", a.ruleOut()));
        }
        ci.setText(narrative(Fhir.div(ci.getSummary(),
                a.differential().isEmpty() ? null : "Differential: " + String.join("; ", a.differential()),
                a.ruleOut().isEmpty() ? null : "Rule out: " + String.join("; ", a.ruleOut()))));
        s.addEntry(ref(doc.add(ci)));
        s.setText(narrative(Fhir.div(ci.getSummary(),
                a.differential().isEmpty() ? null : "Differential: " + String.join("; ", a.differential()),
                a.ruleOut().isEmpty() ? null : "Rule out: " + String.join("; ", a.ruleOut()))));
    }

    private static Condition condition(Document doc, Specialties.Specialty sp, String name, String verification,
                                       String verificationDisplay) {
        Condition cond = new Condition();
        cond.setClinicalStatus(concept("http://terminology.hl7.org/CodeSystem/condition-clinical", "active", "Active", null));
        cond.setVerificationStatus(concept("http://terminology.hl7.org/CodeSystem/condition-ver-status", verification,
                verificationDisplay, null));
        cond.addCategory(concept("http://terminology.hl7.org/CodeSystem/condition-category", "encounter-diagnosis",
                "Encounter Diagnosis", null));
        Specialties.Candidate cand = sp.candidate(name);
        CodeableConcept code = new CodeableConcept().setText(name);
        if (cand != null && cand.snomed() != null) {
            code.addCoding(new Coding(SNOMED, cand.snomed(), null));
        }
        cond.setCode(code);
        cond.setSubject(ref(doc.patient));
        cond.setRecordedDate(doc.date);
        cond.setText(narrative(Fhir.div(verificationDisplay + " diagnosis: " + name
                + (cand != null && cand.zh() != null ? " (" + cand.zh() + ")" : ""))));
        return cond;
    }
}
