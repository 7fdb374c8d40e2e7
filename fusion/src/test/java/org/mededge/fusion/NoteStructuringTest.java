package org.mededge.fusion;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

import org.mededge.asr.Segment;
import org.mededge.asr.Transcript;

/** Behaviour a clinician relies on, one rule per test. */
class NoteStructuringTest {
    private static final ReportAssembler A = new ReportAssembler(FusionConfig.defaults());

    private static StructuredReport structure(String text) {
        return A.structure(new NoteRequest(text, null, null), Optional.empty());
    }

    private static Map<String, Boolean> symptoms(StructuredReport r) {
        return r.symptoms().stream().collect(Collectors.toMap(Symptom::name, Symptom::negated, (a, b) -> a));
    }

    @Test
    void negationIsScopedToThePhraseNotTheSentence() {
        Map<String, Boolean> zh = symptoms(structure("咳嗽，无发热、畏寒，伴胸痛。"));
        assertEquals(Map.of("cough", false, "fever", true, "chills", true, "chest pain", false), zh);
        Map<String, Boolean> en = symptoms(structure("Patient has cough but denies fever or chills; reports chest pain."));
        assertEquals(Map.of("cough", false, "fever", true, "chills", true, "chest pain", false), en);
        Map<String, Boolean> notCause = symptoms(structure("患者无明显诱因出现发热、咳嗽。"));
        assertEquals(Map.of("fever", false, "cough", false), notCause);
        Map<String, Boolean> post = symptoms(structure("双下肢水肿（-），胸痛不明显，咳嗽。"));
        assertEquals(Map.of("edema", true, "chest pain", true, "cough", false), post);
    }

    @Test
    void hypotheticalsAndThePlanAreNotFindings() {
        StructuredReport r = structure("Cough for 3 days. Plan: return if chest pain or shortness of breath.");
        assertEquals(List.of("cough"), r.symptoms().stream().map(Symptom::name).toList());
        StructuredReport z = structure("咳嗽3天。如有胸痛、气促及时就诊。");
        assertEquals(List.of("cough"), z.symptoms().stream().map(Symptom::name).toList());
    }

    @Test
    void durationsBecomeIso8601() {
        StructuredReport r = structure("咳嗽、咳痰两周，发热3天，胸痛半小时，乏力1年余。");
        Map<String, String> d = r.symptoms().stream().collect(Collectors.toMap(Symptom::name, Symptom::durationIso));
        assertEquals(Map.of("cough", "P2W", "productive cough", "P2W", "fever", "P3D", "chest pain", "PT30M",
                "fatigue", "P1Y"), d);
        StructuredReport e = structure("Three-day history of fever, cough and myalgia for 5 days, headache for two hours.");
        assertEquals("PT2H", e.symptoms().stream().filter(s -> s.name().equals("headache")).findFirst().get().durationIso());
    }

    @Test
    void fahrenheitIsConvertedAndEveryVitalCarriesLoincAndUcum() {
        StructuredReport r = structure("Temp 101.3 F, HR 112, RR 24, BP 128/76 mmHg, SpO2 95%.");
        Map<String, ClinicalValue> v = r.vitals().stream().collect(Collectors.toMap(ClinicalValue::code, x -> x));
        assertEquals(new BigDecimal("38.5"), v.get("8310-5").value());
        assertEquals("Cel", v.get("8310-5").unit());
        assertEquals("Temp 101.3 F", v.get("8310-5").text());
        assertEquals("/min", v.get("8867-4").unit());
        assertEquals("/min", v.get("9279-1").unit());
        assertEquals("mm[Hg]", v.get("8480-6").unit());
        assertEquals(0, new BigDecimal(76).compareTo(v.get("8462-4").value()));
        assertEquals("%", v.get("59408-5").unit());
    }

    @Test
    void labUnitsAreConverted() {
        StructuredReport r = structure("Hb 9.8 g/dL, glucose 180 mg/dL, creatinine 1.2 mg/dL, troponin I 45 ng/L, "
                + "D-dimer 850 ng/mL FEU, CRP 2.4 mg/dL, WBC 14,500/uL, platelets 210, K 3.9, Na 141.");
        Map<String, BigDecimal> v = r.labs().stream().collect(Collectors.toMap(ClinicalValue::code, ClinicalValue::value));
        assertEquals(0, new BigDecimal("98").compareTo(v.get("718-7")));
        assertEquals(0, new BigDecimal("10").compareTo(v.get("15074-8")));
        assertEquals(0, new BigDecimal("106").compareTo(v.get("14682-9")));
        assertEquals(0, new BigDecimal("0.045").compareTo(v.get("10839-9")));
        assertEquals(0, new BigDecimal("0.85").compareTo(v.get("48065-7")));
        assertEquals(0, new BigDecimal("24").compareTo(v.get("1988-5")));
        assertEquals(0, new BigDecimal("14.5").compareTo(v.get("6690-2")));
        assertEquals(0, new BigDecimal("210").compareTo(v.get("777-3")));
        assertEquals(10, v.size());
    }

    @Test
    void bnpAndNtProBnpAreTwoTestsAndNeitherIsDropped() {
        // 脑钠肽 alone is BNP (30934-4); 脑钠肽前体, N末端B型利钠肽原 and pro-B-type are NT-proBNP (33762-6)
        Map<String, List<String>> cases = Map.of(
                "今日查脑钠肽一百四十三", List.of("30934-4 143"),
                "BNP 350 pg/mL, NT-proBNP 2100 pg/mL", List.of("30934-4 350", "33762-6 2100"),
                "氨基末端脑钠肽前体1200pg/ml，B型钠尿肽88", List.of("33762-6 1200", "30934-4 88"),
                "N末端B型利钠肽原900", List.of("33762-6 900"),
                "N-terminal pro-B-type natriuretic peptide 900 pg/mL", List.of("33762-6 900"),
                "B-type natriuretic peptide 0.4 ng/mL", List.of("30934-4 400"));
        cases.forEach((text, want) -> assertEquals(want, structure(text).labs().stream()
                .map(v -> v.code() + " " + v.value().stripTrailingZeros().toPlainString()).toList(), text));
    }

    @Test
    void aStrayDigitAfterADecimalTemperatureIsNotASecondDecimalPoint() {
        // a misheard dictation ("三十八点七度零") once crashed the extractor with two decimal points
        StructuredReport r = structure("呼吸二十一次每分钟体温三十八点七度零糖十八楼");
        Map<String, BigDecimal> v = r.vitals().stream().collect(Collectors.toMap(ClinicalValue::code, ClinicalValue::value));
        assertEquals(0, new BigDecimal("38.7").compareTo(v.get("8310-5")));
        assertEquals(0, new BigDecimal("21").compareTo(v.get("9279-1")));
        assertEquals(0, new BigDecimal("38.6").compareTo(structure("体温三十八度六").vitals().get(0).value()));
    }

    @Test
    void implausibleValuesAreKeptOutAndFlagged() {
        StructuredReport r = structure("体温100℃，心率900次/分，血压120/80mmHg。");
        assertTrue(r.vitals().stream().noneMatch(v -> v.code().equals("8310-5") || v.code().equals("8867-4")));
        List<String> fields = r.flags().stream().filter(f -> f.code() == FlagCode.IMPLAUSIBLE_VALUE).map(Flag::field).toList();
        assertEquals(List.of("vitals.8310-5", "vitals.8867-4"), fields);
        assertEquals(2, r.vitals().size());
    }

    @Test
    void redFlagsCarryAnUrgentInstruction() {
        StructuredReport acs = structure("Crushing chest pain radiating to the left arm with sweating.");
        Flag f = acs.flags().stream().filter(x -> x.code() == FlagCode.RED_FLAG).findFirst().orElseThrow();
        assertTrue(f.message().contains("ECG"), f.message());
        assertTrue(structure("SpO2 86%").hasFlag(FlagCode.RED_FLAG));
        assertTrue(structure("RR 34").hasFlag(FlagCode.RED_FLAG));
        assertTrue(structure("肌钙蛋白I 0.5ng/mL").hasFlag(FlagCode.RED_FLAG));
        assertTrue(structure("突发剧烈头痛2小时").hasFlag(FlagCode.RED_FLAG));
        assertTrue(structure("口角歪斜，言语不清1小时").hasFlag(FlagCode.RED_FLAG));
        assertFalse(structure("Chest pain without radiation, no sweating.").hasFlag(FlagCode.RED_FLAG));
        assertFalse(structure("无口角歪斜，无言语不清。SpO2 97%，RR 18").hasFlag(FlagCode.RED_FLAG));
    }

    @Test
    void withoutAModelThereIsNoAssessmentAndTheReportSaysSo() {
        StructuredReport r = structure("Cough and fever for 3 days.");
        assertNull(r.assessment());
        Flag review = r.flags().stream().filter(x -> x.code() == FlagCode.NEEDS_REVIEW).findFirst().orElseThrow();
        assertEquals("assessment", review.field());
        assertEquals("preliminary", r.status());
        assertTrue(r.disclaimer().startsWith("AI-generated draft; the treating clinician decides"));
        assertEquals("rules", r.provenance().models().get(0).role());
        assertTrue(r.provenance().timings().containsKey("totalMs"));
    }

    @Test
    void sectionsFromHeadingsSoapAndPlainText() {
        StructuredReport soap = structure("S: cough 3 days\nO: T 38.2, RR 20\nA: bronchitis\nP: fluids");
        assertEquals(List.of("historyOfPresentIllness", "physicalExam", "assessment", "plan"), List.copyOf(soap.sections().keySet()));
        StructuredReport plain = structure("咳嗽3天。患者3天前受凉后咳嗽。双肺呼吸音粗。血常规白细胞12×10^9/L。考虑急性支气管炎。给予止咳治疗。");
        assertEquals("咳嗽3天。", plain.sections().get("chiefComplaint"));
        assertTrue(plain.sections().get("physicalExam").contains("双肺呼吸音粗"));
        assertTrue(plain.sections().get("auxiliaryExams").contains("白细胞"));
        assertTrue(plain.sections().get("assessment").contains("急性支气管炎"));
        assertTrue(plain.sections().get("plan").contains("止咳"));
        StructuredReport spoken = structure("chief complaint chest pain for two hours. history of present illness started at rest. plan aspirin");
        assertEquals(List.of("chiefComplaint", "historyOfPresentIllness", "plan"), List.copyOf(spoken.sections().keySet()));
    }

    @Test
    void languageIsDetectedOrChecked() {
        assertEquals("zh", structure("患者咳嗽3天，BP 120/80mmHg，SpO2 97%。").language());
        assertEquals("en", structure("Cough for 3 days.").language());
        assertEquals("zh", A.structure(new NoteRequest("cough", "zh-CN", null), Optional.empty()).language());
        FusionException e = assertThrows(FusionException.class,
                () -> A.structure(new NoteRequest("cough", "fr", null), Optional.empty()));
        assertEquals(FusionError.FUSION_UNSUPPORTED_LANGUAGE, e.error());
    }

    @Test
    void badInputHasStableCodes() {
        assertEquals(FusionError.FUSION_EMPTY_TEXT, assertThrows(FusionException.class, () -> structure("  \n\t ")).error());
        assertEquals(FusionError.FUSION_EMPTY_TEXT, assertThrows(FusionException.class, () -> structure(null)).error());
        ReportAssembler small = new ReportAssembler(new FusionConfig(100, 0.6, 256, java.time.Duration.ofSeconds(5), false));
        FusionException big = assertThrows(FusionException.class,
                () -> small.structure(new NoteRequest("咳嗽".repeat(20), null, null), Optional.empty()));
        assertEquals(FusionError.FUSION_TEXT_TOO_LONG, big.error());
        assertEquals(413, big.error().status());
        assertEquals(FusionError.FUSION_INVALID_INPUT, assertThrows(FusionException.class, () -> structure("cough\u0000")).error());
        FusionException sp = assertThrows(FusionException.class,
                () -> A.structure(new NoteRequest("cough", null, "dermatology"), Optional.empty()));
        assertEquals(FusionError.FUSION_UNKNOWN_SPECIALTY, sp.error());
        assertTrue(sp.getMessage().contains("respiratory"));
    }

    @Test
    void aTranscriptPassesLowConfidenceOnAndNamesTheSpeechModel() {
        Transcript t = new Transcript("Chief complaint cough for three days. Temperature thirty eight point two.", "en", 9000,
                List.of(new Segment(0, 4000, "Chief complaint cough for three days.", -0.3, 0.05, false),
                        new Segment(4000, 9000, "Temperature thirty eight point two.", -1.4, 0.2, true)),
                new Transcript.ModelProvenance("whisper-demo", "1", "abc123", "whisper.cpp", "cpu"));
        StructuredReport r = A.structure(t, "respiratory", Optional.empty());
        Flag low = r.flags().stream().filter(f -> f.code() == FlagCode.LOW_ASR_CONFIDENCE).findFirst().orElseThrow();
        assertTrue(low.message().contains("00:04–00:09"), low.message());
        assertEquals("asr", r.provenance().models().get(0).role());
        assertEquals("whisper-demo", r.provenance().models().get(0).name());
        assertEquals(0, new BigDecimal("38.2").compareTo(r.vitals().get(0).value()));
        assertEquals("P3D", r.symptoms().get(0).durationIso());
        assertEquals("respiratory", r.specialty());
    }

    private static StructuredReport dictated(String text, String language) {
        Transcript t = new Transcript(text, language, 8000, List.of(new Segment(0, 8000, text, -0.3, 0.01, false)),
                new Transcript.ModelProvenance("whisper-demo", "3", "abc123", "whisper.cpp", "cpu"));
        return A.structure(t, null, Optional.empty());
    }

    private static List<Flag> unplaced(StructuredReport r) {
        return r.flags().stream().filter(f -> f.code() == FlagCode.UNPLACED_VALUE).toList();
    }

    @Test
    void aDictatedNumberThatNoFieldTookIsFlaggedNotDropped() {
        // the demo Whisper lost "sodium" in "today sodium one hundred thirty eight": the value has no name
        String heard = "Respiratory rate sixteen temperature thirty six point one. Thirty one hundred thirty eight";
        StructuredReport r = dictated(heard, "en");
        assertEquals(2, r.vitals().size());
        assertTrue(r.labs().isEmpty());
        List<Flag> f = unplaced(r);
        assertEquals(1, f.size(), r.flags().toString());
        assertTrue(f.get(0).message().contains("\"…Thirty one hundred thirty eight\""), f.get(0).message());
        assertEquals("transcript", f.get(0).field());
        List<Flag> zh = unplaced(dictated("体温三十七度六血压一百九十一比七十五。今日查钠钠肽一百四十三", "zh"));
        assertEquals(1, zh.size());
        assertTrue(zh.get(0).message().contains("今日查钠钠肽一百四十三"), zh.get(0).message());
        // a typed note is the clinician's own text: the same words carry no such flag
        assertTrue(unplaced(structure(heard)).isEmpty());
    }

    @Test
    void agesDurationsCountsAndDosesAreNotUnplacedValues() {
        assertEquals(List.of(), unplaced(dictated("Fifty two year old man, cough for three days, vomited twice, two puffs "
                + "of salbutamol, twelve lead ECG done, no one at home. Temperature thirty eight point six, "
                + "heart rate one hundred ten, sodium one hundred thirty eight", "en")));
        assertEquals(List.of(), unplaced(dictated("患者男五十二岁咳嗽三天呕吐两次第二天发热体温三十八度六心率一百一十次血钠一百三十八", "zh")));
        // ... but a value whose name was lost still is, among them
        assertEquals(1, unplaced(dictated("Cough for three days, heart rate one hundred ten, one hundred thirty eight", "en")).size());
    }

    private static List<String> bounds(StructuredReport r) {
        return java.util.stream.Stream.concat(r.vitals().stream(), r.labs().stream())
                .map(v -> v.code() + " " + v.valueText()).toList();
    }

    @Test
    void aBoundIsKeptWithItsComparatorNeitherDroppedNorReadAsTheValue() {
        assertEquals(List.of("10839-9 <0.01", "33762-6 >35000", "1988-5 <5"),
                bounds(structure("Troponin I <0.01 ng/mL, NT-proBNP >35000 pg/mL, CRP < 5 mg/L.")));
        // spoken: "less than" was read as the value itself before
        assertEquals(List.of("10839-9 <0.01"), bounds(dictated("troponin less than zero point zero one nanograms per milliliter", "en")));
        assertEquals(List.of("10839-9 <0.01", "1988-5 <5", "33959-8 <0.05", "2823-3 <=3.5"),
                bounds(structure("肌钙蛋白I<0.01ng/mL，C反应蛋白小于5mg/L，降钙素原低于0.05，血钾不超过3.5。")));
        assertEquals(List.of("8867-4 >120", "59408-5 >=95"), bounds(structure("HR >120, SpO2 ≥95%.")));
        assertTrue(unplaced(dictated("troponin less than zero point zero one", "en")).isEmpty());
    }

    @Test
    void redFlagsReadABoundForWhatItSurelyMeans() {
        assertTrue(structure("SpO2 <90% on air.").hasFlag(FlagCode.RED_FLAG), "below 90 for sure");
        assertFalse(structure("SpO2 <95% on air.").hasFlag(FlagCode.RED_FLAG), "maybe 94: not known to be below 90");
        assertFalse(structure("Troponin I < 5 ng/mL.").hasFlag(FlagCode.RED_FLAG), "an upper bound is never above the limit");
        assertTrue(structure("Troponin I > 0.04 ng/mL.").hasFlag(FlagCode.RED_FLAG), "above the reference limit for sure");
        assertFalse(structure("Troponin I <0.01 ng/mL.").hasFlag(FlagCode.RED_FLAG));
    }

    @Test
    void aRangeWhereOneReadingBelongsIsFlaggedNotReadAsItsLowerEnd() {
        StructuredReport r = structure("HR 90-100, WBC 8～12, temperature 38.5 to 39.2 C, SpO2 96%.");
        assertEquals(List.of("59408-5 96"), bounds(r), "before: HR 90, WBC 8, temperature 38.5 were reported as readings");
        List<Flag> f = unplaced(r);
        assertEquals(List.of("vitals.8867-4", "labs.6690-2", "vitals.8310-5"), f.stream().map(Flag::field).toList());
        assertTrue(f.get(0).message().contains("\"HR 90-100\": a range"), f.get(0).message());
        StructuredReport zh = dictated("心率九十到一百次每分血钾三点五", "zh");
        assertEquals(List.of("2823-3 3.5"), bounds(zh));
        assertEquals(1, unplaced(zh).size(), zh.flags().toString());
        assertTrue(unplaced(zh).get(0).message().contains("心率九十到一百"), zh.flags().toString());
    }

    @Test
    void aRateWithAFractionIsAMisreadingNotARate() {
        // the demo Whisper heard "respiratory rate sixteen temperature forty point six" as
        // "respiratory rate thirty six point six": as a rate it would also have raised the RR > 30 red flag
        StructuredReport r = dictated("and WBC eight point seven respiratory rate thirty six point six", "en");
        assertEquals(List.of("6690-2 8.7"), bounds(r));
        assertFalse(r.hasFlag(FlagCode.RED_FLAG), r.flags().toString());
        Flag f = r.flags().stream().filter(x -> x.code() == FlagCode.IMPLAUSIBLE_VALUE).findFirst().orElseThrow();
        assertEquals("vitals.9279-1", f.field());
        assertTrue(f.message().contains("not a whole number"), f.message());
        assertEquals(List.of("8867-4 88", "9279-1 20"), bounds(structure("HR 88.0, RR 20.")));
        assertTrue(structure("心率88.5次/分").hasFlag(FlagCode.IMPLAUSIBLE_VALUE));
    }
}
