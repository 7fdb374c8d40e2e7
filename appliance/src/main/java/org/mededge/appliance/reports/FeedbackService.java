package org.mededge.appliance.reports;

import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;

import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import org.mededge.appliance.http.ApiException;
import org.mededge.appliance.http.ApiService;
import org.mededge.appliance.http.Json;
import org.mededge.appliance.http.Routes;
import org.mededge.appliance.store.FeedbackStore;
import org.mededge.fusion.Assessment;
import org.mededge.fusion.FusionException;
import org.mededge.fusion.StructuredReport;
import org.mededge.fusion.assess.PromptBuilder;
import org.mededge.fusion.assess.Specialties;
import org.mededge.llm.GenerationRequest;

/**
 * {@code GET /v1/feedback/export?specialty=&format=prompt-completion|alpaca|pairs}: the clinicians'
 * signed corrections as JSON Lines for the next LoRA round. The prompt is exactly what fusion sends
 * the language model (built from the signed report's findings); the completion is the clinician's
 * assessment. Reports signed without an assessment have nothing to teach the assessor and are
 * counted in {@code X-MedEdge-Skipped}; {@code pairs} exports every draft/final pair as stored.
 */
public final class FeedbackService implements ApiService {
    private final FeedbackStore feedback;

    public FeedbackService(FeedbackStore feedback) {
        this.feedback = feedback;
    }

    @Override
    public void register(Routes routes) {
        routes.get("/v1/feedback/export", this::export);
    }

    private void export(ServerRequest req, ServerResponse res) throws JsonProcessingException {
        String specialty = req.query().first("specialty").filter(s -> !s.isBlank()).orElse(null);
        String format = req.query().first("format").orElse("prompt-completion");
        if (!List.of("prompt-completion", "alpaca", "pairs").contains(format)) {
            throw ApiException.badRequest("INVALID_PARAMETER", "format must be prompt-completion, alpaca or pairs.");
        }
        if (specialty != null) {
            try {
                specialty = Specialties.get(specialty).name();
            } catch (FusionException e) {
                throw ApiException.badRequest("INVALID_PARAMETER", e.getMessage());
            }
        }
        Routes.audit(req).action("feedback.export").resource("feedback/" + (specialty == null ? "all" : specialty));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int rows = 0;
        int skipped = 0;
        for (FeedbackStore.Pair p : feedback.latest(specialty)) {
            Map<String, Object> line = line(p, format);
            if (line == null) {
                skipped++;
                continue;
            }
            out.writeBytes(Json.MAPPER.writeValueAsBytes(line));
            out.write('\n');
            rows++;
        }
        byte[] body = out.toByteArray();
        Routes.audit(req).output(body);
        res.header(HeaderNames.CONTENT_TYPE, "application/x-ndjson; charset=utf-8");
        res.header("Content-Disposition", "attachment; filename=\"mededge-feedback-" + (specialty == null ? "all" : specialty)
                + "-" + format + ".jsonl\"");
        res.header("X-MedEdge-Rows", Integer.toString(rows));
        res.header("X-MedEdge-Skipped", Integer.toString(skipped));
        res.send(body);
    }

    /** One JSONL record, or null when the signed report has no assessment to learn from. */
    static Map<String, Object> line(FeedbackStore.Pair p, String format) throws JsonProcessingException {
        Map<String, Object> m = new LinkedHashMap<>();
        if (format.equals("pairs")) {
            m.put("reportId", p.reportId());
            m.put("specialty", p.specialty());
            m.put("models", p.modelVersions());
            m.put("adapter", p.adapter());
            m.put("draft", Json.MAPPER.readTree(p.draftJson()));
            m.put("final", Json.MAPPER.readTree(p.finalJson()));
            return m;
        }
        StructuredReport signed = Json.MAPPER.readValue(p.finalJson(), StructuredReport.class);
        Assessment a = signed.assessment();
        if (a == null) {
            return null;
        }
        GenerationRequest g = PromptBuilder.build(Specialties.get(p.specialty()), signed.language(), signed.sections(),
                signed.vitals(), signed.labs(), signed.symptoms(), List.of(), 256, Duration.ofSeconds(60));
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("diagnosis", a.diagnosis());
        answer.put("confidence", a.confidence());
        answer.put("reason", a.reason());
        answer.put("differential", a.differential());
        answer.put("ruleOut", a.ruleOut());
        String completion = Json.MAPPER.writeValueAsString(answer);
        if (format.equals("alpaca")) {
            m.put("instruction", g.system());
            m.put("input", g.user());
            m.put("output", completion);
        } else {
            m.put("prompt", g.system() + "\n\n" + g.user());
            m.put("completion", completion);
        }
        return m;
    }
}
