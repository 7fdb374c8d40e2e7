package org.mededge.fusion;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.mededge.asr.Segment;
import org.mededge.asr.Transcript;
import org.mededge.fusion.assess.AssessmentParser;
import org.mededge.fusion.assess.PromptBuilder;
import org.mededge.fusion.assess.Specialties;
import org.mededge.fusion.extract.Extraction;
import org.mededge.fusion.extract.Languages;
import org.mededge.fusion.extract.NoteExtractor;
import org.mededge.fusion.safety.ConfidenceGate;
import org.mededge.fusion.safety.ReasonGrounding;
import org.mededge.fusion.safety.Disclaimer;
import org.mededge.fusion.safety.Plausibility;
import org.mededge.fusion.safety.RedFlags;
import org.mededge.fusion.safety.Trends;
import org.mededge.fusion.safety.UnplacedValues;
import org.mededge.llm.Generation;
import org.mededge.llm.GenerationRequest;
import org.mededge.llm.LlmException;
import org.mededge.llm.TextGenerator;

/**
 * The note pipeline: input checks → extraction → plausibility and red flags → assessment by the
 * language model when one is available → {@link StructuredReport}. Thread-safe; build one per
 * process. The assessment is never invented by rules: without a model the report has none and is
 * flagged NEEDS_REVIEW.
 */
public final class ReportAssembler {
    /** Version of the rules (lexicons, patterns, ranges) that structure notes. */
    public static final String RULES_NAME = "mededge-fusion-rules";
    public static final String RULES_VERSION = "0.1.0";

    private final FusionConfig config;
    private final NoteExtractor extractor = new NoteExtractor();

    public ReportAssembler(FusionConfig config) {
        this.config = config;
    }

    public FusionConfig config() {
        return config;
    }

    /** Structures a typed or dictated note. */
    public StructuredReport structure(NoteRequest request, Optional<TextGenerator> llm) {
        return structure(request, List.of(), List.of(), llm);
    }

    /** Structures a note with the imaging studies attached to it and their positive findings. */
    public StructuredReport structure(NoteRequest request, List<StudyRef> studies, List<ImagingFinding> imaging,
                                      Optional<TextGenerator> llm) {
        return structure(request.text(), request.language(), request.specialty(), llm, List.of(), null, studies, imaging);
    }

    /**
     * Structures what the speech engine heard; low-confidence segments become a
     * LOW_ASR_CONFIDENCE flag and the speech model joins the provenance.
     */
    public StructuredReport structure(Transcript transcript, String specialty, Optional<TextGenerator> llm) {
        return structure(transcript, specialty, List.of(), List.of(), llm);
    }

    /** Structures a dictation with the imaging studies attached to it and their positive findings. */
    public StructuredReport structure(Transcript transcript, String specialty, List<StudyRef> studies,
                                      List<ImagingFinding> imaging, Optional<TextGenerator> llm) {
        List<Flag> asrFlags = new ArrayList<>();
        List<Segment> unsure = transcript.segments().stream().filter(Segment::lowConfidence).toList();
        String language = Languages.normalize(transcript.language());
        if (!unsure.isEmpty()) {
            String lang = language != null ? language : Languages.detect(transcript.text());
            StringBuilder at = new StringBuilder();
            for (int i = 0; i < unsure.size() && i < 8; i++) {
                Segment s = unsure.get(i);
                at.append(i == 0 ? "" : ", ").append(clock(s.startMs())).append('–').append(clock(s.endMs()));
            }
            if (unsure.size() > 8) {
                at.append(", …");
            }
            asrFlags.add(new Flag(FlagCode.LOW_ASR_CONFIDENCE, "zh".equals(lang)
                    ? "语音识别对 " + unsure.size() + " 段不确定（" + at + "）：请对照录音核对转写文本。"
                    : "Speech recognition was unsure of " + unsure.size() + " segment(s) (" + at
                    + "); check the transcript against the audio.", "sections"));
        }
        Transcript.ModelProvenance m = transcript.model();
        Provenance.ModelRef asr = m == null ? null
                : new Provenance.ModelRef("asr", m.name(), m.version(), m.sha256(), m.engine(), m.device(), null, null);
        return structure(transcript.text(), language, specialty, llm, asrFlags, asr, studies, imaging);
    }

    private static String clock(long ms) {
        long s = ms / 1000;
        return String.format(java.util.Locale.ROOT, "%02d:%02d", s / 60, s % 60);
    }

    private StructuredReport structure(String text, String requestedLanguage, String specialtyName,
                                       Optional<TextGenerator> llm, List<Flag> extraFlags, Provenance.ModelRef asr,
                                       List<StudyRef> studies, List<ImagingFinding> imaging) {
        long t0 = System.nanoTime();
        checkText(text);
        String language;
        if (requestedLanguage == null || requestedLanguage.isBlank()) {
            language = Languages.detect(text);
        } else {
            language = Languages.normalize(requestedLanguage);
            if (language == null) {
                throw new FusionException(FusionError.FUSION_UNSUPPORTED_LANGUAGE,
                        "Language '" + clip(requestedLanguage) + "' is not supported; use zh or en, or leave it out to detect.");
            }
        }
        Specialties.Specialty specialty = Specialties.get(specialtyName);

        Extraction ex = extractor.extract(text, language);
        long t1 = System.nanoTime();

        List<Flag> flags = new ArrayList<>(extraFlags);
        Plausibility.Checked vitals = Plausibility.check(ex.vitals(), "vitals", language);
        Plausibility.Checked labs = Plausibility.check(ex.labs(), "labs", language);
        Plausibility.Checked earlier = Plausibility.check(ex.earlier(), "earlier", language);
        flags.addAll(vitals.flags());
        flags.addAll(labs.flags());
        flags.addAll(earlier.flags());
        flags.addAll(RedFlags.check(vitals.accepted(), labs.accepted(), ex.symptoms(), text, language));
        flags.addAll(UnplacedValues.check(ex.ranges(), ex.unplaced(), asr != null, language));
        flags.addAll(UnplacedValues.doubts(ex.doubts(), language));
        List<ClinicalValue> current = new ArrayList<>(vitals.accepted());
        current.addAll(labs.accepted());
        flags.addAll(Trends.check(current, earlier.accepted(), language));
        flags.addAll(RedFlags.imaging(imaging, language));
        long t2 = System.nanoTime();

        List<Provenance.ModelRef> models = new ArrayList<>();
        if (asr != null) {
            models.add(asr);
        }
        // each imaging model that read a study, once
        java.util.Set<Provenance.ModelRef> vision = new java.util.LinkedHashSet<>();
        studies.forEach(st -> vision.add(new Provenance.ModelRef("vision", st.model(), st.modelVersion(), null, "vision", null, null, null)));
        imaging.forEach(f -> vision.add(new Provenance.ModelRef("vision", f.model(), f.modelVersion(), null, "vision", null, null, null)));
        models.addAll(vision);
        models.add(new Provenance.ModelRef("rules", RULES_NAME, RULES_VERSION, null, "java", "cpu", null, null));
        Assessment assessment = null;
        String whyNone;
        Map<String, Double> timings = new LinkedHashMap<>();
        if (llm.isEmpty()) {
            whyNone = "zh".equals(language) ? "未安装语言模型" : "no language model is installed";
        } else {
            TextGenerator generator = llm.get();
            GenerationRequest req = PromptBuilder.build(specialty, language, ex.sections(), vitals.accepted(),
                    labs.accepted(), ex.symptoms(), imaging, safeAdapters(generator), config.assessmentMaxTokens(),
                    config.assessmentDeadline());
            long a0 = System.nanoTime();
            Generation g = null;
            String failure = null;
            try {
                g = generator.generate(req);
            } catch (LlmException e) {
                failure = ("zh".equals(language) ? "语言模型出错：" : "the language model failed: ") + e.error().name();
            } catch (RuntimeException e) {
                failure = ("zh".equals(language) ? "语言模型出错" : "the language model failed");
            }
            timings.put("assessmentMs", ms(a0, System.nanoTime()));
            if (g != null) {
                models.add(new Provenance.ModelRef("llm", g.model(), g.modelVersion(), g.modelSha256(), "onnxruntime", g.device(), g.adapter(),
                        g.finishReason() == null ? null : g.finishReason().name()));
                AssessmentParser.Parsed parsed = AssessmentParser.parse(g, specialty.names());
                assessment = parsed.assessment();
                failure = parsed.ok() ? null
                        : ("zh".equals(language) ? "模型输出不符合格式：" : "its answer was refused: ") + parsed.problem();
            }
            whyNone = failure;
        }
        flags.addAll(ConfidenceGate.check(assessment, config.reviewThreshold(), whyNone, language));
        flags.addAll(ReasonGrounding.check(assessment, ex.symptoms(), vitals.accepted(), imaging, text, language));

        Map<String, Double> all = new LinkedHashMap<>();
        all.put("extractMs", ms(t0, t1));
        all.put("safetyMs", ms(t1, t2));
        all.putAll(timings);
        all.put("totalMs", ms(t0, System.nanoTime()));
        return new StructuredReport(language, specialty.name(), ex.sections(), vitals.accepted(), labs.accepted(),
                earlier.accepted(), studies, imaging, ex.symptoms(), flags, assessment, Disclaimer.forLanguage(language), StructuredReport.STATUS_PRELIMINARY,
                new Provenance(models, all));
    }

    private static List<String> safeAdapters(TextGenerator g) {
        try {
            return g.adapters();
        } catch (RuntimeException e) {
            return List.of();
        }
    }

    private void checkText(String text) {
        if (text == null || text.isBlank()) {
            throw new FusionException(FusionError.FUSION_EMPTY_TEXT, "The text is empty.");
        }
        int bytes = text.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > config.maxTextBytes()) {
            throw new FusionException(FusionError.FUSION_TEXT_TOO_LONG, "The text is " + bytes
                    + " bytes; the limit is " + config.maxTextBytes() + " bytes (UTF-8). Split the note.");
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x20 && c != '\n' && c != '\r' && c != '\t' || c == 0x7F) {
                throw new FusionException(FusionError.FUSION_INVALID_INPUT, String.format(java.util.Locale.ROOT,
                        "The text contains the control character U+%04X at position %d; send plain text.", (int) c, i));
            }
        }
    }

    static String clip(String s) {
        String t = s.strip();
        return t.length() > 16 ? t.substring(0, 16) + "…" : t;
    }

    private static double ms(long from, long to) {
        return Math.round((to - from) / 1_000.0) / 1_000.0;
    }
}
