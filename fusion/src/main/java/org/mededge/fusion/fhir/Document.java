package org.mededge.fusion.fhir;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Composition;
import org.hl7.fhir.r4.model.Device;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Narrative;
import org.hl7.fhir.utilities.xhtml.XhtmlNode;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Provenance;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;

import org.mededge.fusion.Provenance.ModelRef;

/**
 * A FHIR document under construction: the entries with urn:uuid full URLs, the (unidentified)
 * patient, a Device for every model and rule set, and, when finished, the Composition first and a
 * Provenance naming every Device last.
 */
final class Document {
    static final String LOINC = "http://loinc.org";
    static final String SNOMED = "http://snomed.info/sct";
    static final String UCUM = "http://unitsofmeasure.org";
    static final String RADLEX = "http://radlex.org";
    static final String OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category";

    final Date date;
    final String language;
    private final List<Bundle.BundleEntryComponent> entries = new ArrayList<>();
    private final Map<String, String> devices = new LinkedHashMap<>();
    private final Map<String, String> deviceRoles = new LinkedHashMap<>();
    final String patient;

    Document(Instant at, String language) {
        this.date = Date.from(at);
        this.language = language;
        Patient p = new Patient();
        p.setText(narrative(Fhir.div("zh".equals(language)
                ? "患者身份未标识：本设备不接收患者人口学信息。"
                : "Patient not identified: the appliance receives no demographics.")));
        this.patient = add(p);
    }

    /** Adds a resource and returns its full URL. */
    String add(Resource r) {
        String id = UUID.randomUUID().toString();
        r.setId(id);
        String url = "urn:uuid:" + id;
        entries.add(new Bundle.BundleEntryComponent().setFullUrl(url).setResource(r));
        return url;
    }

    /** A preliminary radiology DiagnosticReport (LOINC 18748-4) about this document's patient, issued now. */
    org.hl7.fhir.r4.model.DiagnosticReport radiologyReport() {
        org.hl7.fhir.r4.model.DiagnosticReport dr = new org.hl7.fhir.r4.model.DiagnosticReport();
        dr.setStatus(org.hl7.fhir.r4.model.DiagnosticReport.DiagnosticReportStatus.PRELIMINARY);
        dr.addCategory(concept("http://terminology.hl7.org/CodeSystem/v2-0074", "RAD", "Radiology", null));
        dr.setCode(concept(LOINC, "18748-4", "Diagnostic imaging study", null));
        dr.setSubject(ref(patient));
        dr.setEffective(new org.hl7.fhir.r4.model.DateTimeType(date));
        dr.setIssuedElement(new org.hl7.fhir.r4.model.InstantType(date));
        return dr;
    }

    static Reference ref(String url) {
        return new Reference(url);
    }

    static Narrative narrative(XhtmlNode div) {
        Narrative n = new Narrative();
        n.setStatus(Narrative.NarrativeStatus.GENERATED);
        n.setDiv(div);
        return n;
    }

    static CodeableConcept concept(String system, String code, String display, String text) {
        CodeableConcept c = new CodeableConcept();
        if (code != null) {
            c.addCoding(new Coding(system, code, display));
        }
        c.setText(text != null ? text : display);
        return c;
    }

    /** The Device standing for a model or rule set (one per distinct model and adapter). */
    String device(ModelRef m) {
        String key = m.role() + "|" + m.name() + "|" + m.version() + "|" + m.adapter();
        String url = devices.get(key);
        if (url != null) {
            return url;
        }
        Device d = new Device();
        d.addDeviceName().setName(m.name() == null ? m.role() : m.name()).setType(Device.DeviceNameType.MODELNAME);
        if (m.version() != null) {
            d.addVersion().setValue(m.version());
        }
        if (m.adapter() != null) {
            d.addVersion().setType(new CodeableConcept().setText("LoRA adapter")).setValue(m.adapter());
        }
        String what = switch (m.role()) {
            case "asr" -> "speech recognition model";
            case "vision" -> "imaging model";
            case "llm" -> "language model";
            default -> "structuring rules (software)";
        };
        d.setType(new CodeableConcept().setText(what));
        StringBuilder detail = new StringBuilder();
        append(detail, "engine", m.engine());
        append(detail, "device", m.device());
        append(detail, "sha256", m.sha256());
        append(detail, "finish", m.finishReason());
        if (detail.length() > 0) {
            d.addNote().setText(detail.toString());
        }
        d.setText(narrative(Fhir.div(what + ": " + (m.name() == null ? m.role() : m.name())
                + (m.version() == null ? "" : " " + m.version()) + (m.adapter() == null ? "" : ", adapter " + m.adapter())
                + (detail.length() == 0 ? "" : " (" + detail + ")"))));
        url = add(d);
        devices.put(key, url);
        deviceRoles.put(url, m.role());
        return url;
    }

    private static void append(StringBuilder b, String k, String v) {
        if (v != null && !v.isBlank()) {
            b.append(b.length() == 0 ? "" : "; ").append(k).append(' ').append(v);
        }
    }

    /** The finished document: Composition first, then the entries, then the Provenance. */
    Bundle finish(Composition composition, String assembler) {
        String compositionUrl = "urn:uuid:" + UUID.randomUUID();
        composition.setId(compositionUrl.substring("urn:uuid:".length()));
        Provenance prov = new Provenance();
        prov.addTarget(ref(compositionUrl));
        for (Bundle.BundleEntryComponent e : entries) {
            prov.addTarget(ref(e.getFullUrl()));
        }
        prov.setRecorded(date);
        List<String> names = new ArrayList<>();
        for (Map.Entry<String, String> d : deviceRoles.entrySet()) {
            boolean isAssembler = d.getKey().equals(assembler);
            String code = isAssembler ? "assembler" : "performer";
            prov.addAgent()
                    .setType(concept("http://terminology.hl7.org/CodeSystem/provenance-participant-type", code,
                            isAssembler ? "Assembler" : "Performer", null))
                    .setWho(ref(d.getKey()));
            names.add(d.getValue());
        }
        prov.setText(narrative(Fhir.div("zh".equals(language)
                ? "由以下组件生成（AI 生成的草稿）：" + String.join("、", names)
                : "Generated by: " + String.join(", ", names) + " (AI-generated draft).")));

        Bundle b = new Bundle();
        b.setType(Bundle.BundleType.DOCUMENT);
        b.setIdentifier(new Identifier().setSystem("urn:ietf:rfc:3986").setValue(Fhir.newUrn()));
        b.setTimestamp(date);
        b.addEntry().setFullUrl(compositionUrl).setResource(composition);
        entries.forEach(b::addEntry);
        String provId = UUID.randomUUID().toString();
        prov.setId(provId);
        b.addEntry().setFullUrl("urn:uuid:" + provId).setResource(prov);
        return b;
    }
}
