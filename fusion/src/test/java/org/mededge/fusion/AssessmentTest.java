package org.mededge.fusion;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.mededge.fusion.assess.AssessmentParser;
import org.mededge.fusion.assess.AssessmentSchema;
import org.mededge.fusion.assess.PromptBuilder;
import org.mededge.fusion.assess.Specialties;
import org.mededge.fusion.safety.ConfidenceGate;
import org.mededge.llm.FinishReason;
import org.mededge.llm.Generation;
import org.mededge.llm.GenerationRequest;

/** The assessment contract: schema, prompt and the parser, as pure functions on JSON strings. */
class AssessmentTest {
    private static final ObjectMapper M = new ObjectMapper();
    private static final List<String> RESP = Specialties.get("respiratory").names();

    private static Generation gen(String text, FinishReason reason) {
        return new Generation(text, reason, 120, 40, 80, 900, "medllm-demo", "1", "respiratory");
    }

    @Test
    void aValidAnswerBecomesAnAssessment() {
        String json = "{\"diagnosis\":\"pneumonia\",\"confidence\":0.82,\"reason\":\"Fever, productive cough and right basal crackles.\","
                + "\"differential\":[\"acute bronchitis\",\"pneumonia\"],\"ruleOut\":[\"pulmonary embolism\"]}";
        AssessmentParser.Parsed p = AssessmentParser.parse(gen(json, FinishReason.STOP), RESP);
        assertTrue(p.ok(), p.problem());
        Assessment a = p.assessment();
        assertEquals("pneumonia", a.diagnosis());
        assertEquals(0.82, a.confidence());
        assertEquals(List.of("acute bronchitis"), a.differential(), "the main diagnosis is not its own differential");
        assertEquals(List.of("pulmonary embolism"), a.ruleOut());
        assertEquals("respiratory", a.adapter());
        assertTrue(ConfidenceGate.check(a, 0.6, null, "en").isEmpty());
        assertEquals(FlagCode.NEEDS_REVIEW, ConfidenceGate.check(new Assessment("pneumonia", 0.41, "r", List.of(), List.of(), null),
                0.6, null, "en").get(0).code());
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "",
            "not json",
            "[\"pneumonia\"]",
            "{\"diagnosis\":\"pneumonia\",\"confidence\":0.8,\"reason\":\"x\",\"differential\":[]}",
            "{\"diagnosis\":\"sarcoidosis\",\"confidence\":0.8,\"reason\":\"x\",\"differential\":[],\"ruleOut\":[]}",
            "{\"diagnosis\":\"pneumonia\",\"confidence\":1.2,\"reason\":\"x\",\"differential\":[],\"ruleOut\":[]}",
            "{\"diagnosis\":\"pneumonia\",\"confidence\":\"high\",\"reason\":\"x\",\"differential\":[],\"ruleOut\":[]}",
            "{\"diagnosis\":\"pneumonia\",\"confidence\":0.8,\"reason\":\" \",\"differential\":[],\"ruleOut\":[]}",
            "{\"diagnosis\":\"pneumonia\",\"confidence\":0.8,\"reason\":\"x\",\"differential\":[\"gout\"],\"ruleOut\":[]}",
            "{\"diagnosis\":\"pneumonia\",\"confidence\":0.8,\"reason\":\"x\",\"differential\":[],\"ruleOut\":[],\"icd\":\"J18\"}",
            "{\"diagnosis\":\"pneumonia\",\"confidence\":0.8,\"reason\":\"x\",\"differential\":[\"influenza\",\"COVID-19\",\"asthma exacerbation\",\"acute bronchitis\"],\"ruleOut\":[]}",
            "{\"diagnosis\":\"pneumonia\",\"diagnosis\":\"influenza\",\"confidence\":0.8,\"reason\":\"x\",\"differential\":[],\"ruleOut\":[]}",
    })
    void anythingOutsideTheSchemaIsRefusedNeverRepaired(String answer) {
        AssessmentParser.Parsed p = AssessmentParser.parse(gen(answer, FinishReason.STOP), RESP);
        assertFalse(p.ok(), answer);
        assertNotNull(p.problem());
    }

    @Test
    void aTruncatedGenerationIsRefused() {
        String json = "{\"diagnosis\":\"pneumonia\",\"confidence\":0.8,\"reason\":\"x\",\"differential\":[],\"ruleOut\":[]}";
        assertFalse(AssessmentParser.parse(gen(json, FinishReason.LENGTH), RESP).ok());
        assertFalse(AssessmentParser.parse(gen(json, FinishReason.DEADLINE), RESP).ok());
        assertNull(AssessmentParser.parse(null, RESP).assessment());
    }

    @Test
    void theSchemaIsValidJsonWithTheSpecialtysCandidates() throws Exception {
        JsonNode template = M.readTree(AssessmentSchema.template());
        assertEquals("object", template.get("type").asText());
        assertFalse(template.get("additionalProperties").asBoolean());
        JsonNode s = M.readTree(AssessmentSchema.forSpecialty("cardiology"));
        List<String> dx = M.convertValue(s.at("/properties/diagnosis/enum"), M.getTypeFactory()
                .constructCollectionType(List.class, String.class));
        assertEquals(Specialties.get("cardiology").names(), dx);
        assertEquals(dx.size(), s.at("/properties/differential/items/enum").size());
        assertEquals(1, s.at("/properties/confidence/maximum").asInt());
        for (String name : Specialties.names()) {
            assertTrue(Specialties.get(name).names().size() >= 8, name);
        }
    }

    @Test
    void thePromptNamesTheSpecialtysAdapterOnlyWhenItIsLoaded() {
        ReportAssembler a = new ReportAssembler(FusionConfig.defaults());
        StructuredReport r = a.structure(new NoteRequest("Cough and fever 3 days, T 38.6, crackles right base.", null,
                "respiratory"), Optional.empty());
        Specialties.Specialty sp = Specialties.get("respiratory");
        GenerationRequest withAdapter = PromptBuilder.build(sp, "en", r.sections(), r.vitals(), r.labs(), r.symptoms(),
                List.of("respiratory", "cardiology"), 256, Duration.ofSeconds(30));
        assertEquals("respiratory", withAdapter.adapter().name());
        assertEquals(AssessmentSchema.forSpecialty("respiratory"), withAdapter.jsonSchema());
        assertTrue(withAdapter.sampling().greedy());
        assertTrue(withAdapter.user().contains("Body temperature 38.6 Cel"), withAdapter.user());
        assertTrue(withAdapter.user().contains("cough (P3D)"), withAdapter.user());
        assertTrue(withAdapter.user().contains("pneumonia"));
        GenerationRequest base = PromptBuilder.build(sp, "en", r.sections(), r.vitals(), r.labs(), r.symptoms(),
                List.of("cardiology"), 256, Duration.ofSeconds(30));
        assertNull(base.adapter(), "an adapter that is not loaded is not asked for");
        GenerationRequest general = PromptBuilder.build(Specialties.get(null), "en", r.sections(), r.vitals(), r.labs(),
                r.symptoms(), List.of("respiratory"), 256, Duration.ofSeconds(30));
        assertNull(general.adapter(), "general uses the base model");
    }
}
