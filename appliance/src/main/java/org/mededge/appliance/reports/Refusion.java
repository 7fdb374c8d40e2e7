package org.mededge.appliance.reports;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;

import io.helidon.webserver.http.ServerRequest;

import org.mededge.appliance.auth.Principal;
import org.mededge.appliance.auth.Role;
import org.mededge.appliance.engines.EngineSlot;
import org.mededge.appliance.http.ApiException;
import org.mededge.appliance.http.Json;
import org.mededge.appliance.http.Routes;
import org.mededge.appliance.store.ReportStore;
import org.mededge.asr.Segment;
import org.mededge.asr.Transcript;
import org.mededge.fusion.FusionException;
import org.mededge.fusion.ImagingFinding;
import org.mededge.fusion.NoteRequest;
import org.mededge.fusion.ReportAssembler;
import org.mededge.fusion.StructuredReport;
import org.mededge.fusion.StudyRef;
import org.mededge.llm.TextGenerator;
import org.mededge.vision.ImagingFindings;

/**
 * One more input for an encounter's report: the report is re-fused from all its inputs (the note's
 * text or the dictation's transcript, every study attached so far and the new one), its assessment
 * redone with everything known, and published as the report's next version. A clinician attaches to
 * a report of their own; radiology to any; a signed report takes no new input.
 */
public final class Refusion {
    private final ReportStore store;
    private final ReportAssembler assembler;
    private final EngineSlot<TextGenerator> llm;
    private final ReportPublisher publisher;

    public Refusion(ReportStore store, ReportAssembler assembler, EngineSlot<TextGenerator> llm, ReportPublisher publisher) {
        this.store = store;
        this.assembler = assembler;
        this.llm = llm;
        this.publisher = publisher;
    }

    /** The report a study may be attached to, or 404/409 before the study is read or analysed. */
    public ReportStore.StoredReport target(ServerRequest req, String id) {
        Principal p = Routes.principal(req);
        ReportStore.StoredReport r = store.get(id)
                .filter(x -> p.role() == null || p.role() == Role.RADIOLOGY || p.role() == Role.ADMIN || x.owner().equals(p.id()))
                .orElseThrow(() -> new ApiException(404, "REPORT_NOT_FOUND", "No report " + id + " that you may add to:"
                        + " clinicians add to the reports they created."));
        if (!List.of("note", "dictation").contains(r.kind()) || r.sourceJson() == null || "null".equals(r.current().reportJson())) {
            throw new ApiException(409, "NOT_REFUSABLE", "Report " + id + " (" + r.kind() + ") has no note or transcript kept"
                    + " to fuse a study with; attach studies to a note or dictation made by this version of the appliance.");
        }
        if (!ReportStore.PRELIMINARY.equals(r.current().status())) {
            throw new ApiException(409, "REPORT_SIGNED", "Report " + id + " is " + r.current().status()
                    + ": a signed report takes no new input; attach the study to a new report.");
        }
        return r;
    }

    /** What the study added, and the re-fused report as published. */
    public record Result(StructuredReport report, ReportPublisher.Published published) {
    }

    public Result attachStudy(ServerRequest req, ReportStore.StoredReport cur, ImagingFindings study, byte[] image,
                              String mediaType) {
        StructuredReport before = parse(cur.current().reportJson(), StructuredReport.class);
        List<StudyRef> studies = new ArrayList<>(before.studies());
        String studyId = "study-" + (studies.size() + 1);
        studies.add(StudyRef.of(studyId, study));
        List<ImagingFinding> imaging = new ArrayList<>(before.imaging());
        imaging.addAll(ImagingFinding.of(study, studyId));
        JsonNode source = parse(cur.sourceJson(), JsonNode.class);
        Optional<TextGenerator> generator = llm.state() == EngineSlot.State.READY ? llm.engine() : Optional.empty();
        long t0 = System.nanoTime();
        StructuredReport after;
        try {
            after = "dictation".equals(cur.kind())
                    ? assembler.structure(transcript(source), before.specialty(), studies, imaging, generator)
                    : assembler.structure(new NoteRequest(source.path("text").asText(), text(source, "language"),
                    text(source, "specialty")), studies, imaging, generator);
        } catch (FusionException e) {
            publisher.observeRefused((System.nanoTime() - t0) / 1e9);
            throw e;
        }
        publisher.observeFusion(after, generator.isPresent(), (System.nanoTime() - t0) / 1e9);
        Routes.audit(req).models(ReportPublisher.models(after.provenance()));
        return new Result(after, publisher.addInput(req, cur.id(), "study", after, image, mediaType));
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    /** The dictation's transcript as it was stored beside its report. */
    static Transcript transcript(JsonNode t) {
        List<Segment> segments = new ArrayList<>();
        for (JsonNode s : t.path("segments")) {
            segments.add(new Segment(s.path("startMs").asLong(), s.path("endMs").asLong(), s.path("text").asText(),
                    s.path("avgLogProb").isNumber() ? s.path("avgLogProb").asDouble() : Double.NaN,
                    s.path("noSpeechProb").isNumber() ? s.path("noSpeechProb").asDouble() : Double.NaN,
                    s.path("lowConfidence").asBoolean()));
        }
        JsonNode m = t.path("model");
        return new Transcript(t.path("text").asText(), text(t, "language"), t.path("durationMs").asLong(), segments,
                new Transcript.ModelProvenance(text(m, "name"), text(m, "version"), text(m, "sha256"), text(m, "engine"),
                        text(m, "device")));
    }

    private static <T> T parse(String json, Class<T> type) {
        try {
            return Json.MAPPER.readValue(json, type);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a stored report is unreadable", e);
        }
    }
}
