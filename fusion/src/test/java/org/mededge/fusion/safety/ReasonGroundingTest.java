package org.mededge.fusion.safety;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

import org.mededge.fusion.Assessment;
import org.mededge.fusion.Flag;
import org.mededge.fusion.FlagCode;
import org.mededge.fusion.extract.Extraction;
import org.mededge.fusion.extract.NoteExtractor;

/** Both cases are real answers of the demo language model (README example and its failure). */
class ReasonGroundingTest {
    private static final NoteExtractor NOTES = new NoteExtractor();

    private static Set<String> unsupported(String note, String language, Assessment a) {
        Extraction ex = NOTES.extract(note, language);
        return ReasonGrounding.unsupported(a, ex.symptoms(), ex.vitals());
    }

    private static List<Flag> check(String note, String language, Assessment a) {
        Extraction ex = NOTES.extract(note, language);
        return ReasonGrounding.check(a, ex.symptoms(), ex.vitals(), language);
    }

    private static Assessment assessment(String dx, String reason) {
        return new Assessment(dx, 0.8, reason, List.of(), List.of(), "respiratory");
    }

    @Test
    void aReasonBuiltFromTheNotesFindingsPasses() {
        String note = "主诉：发热、咳嗽4天。现病史：男，52岁，伴咳痰、气促，无胸痛。查体：体温39.2℃，心率112次/分，"
                + "呼吸26次/分，血氧饱和度90%。右下肺可闻及湿啰音。检查结果：白细胞13.8×10^9/L，C反应蛋白96mg/L。";
        Assessment a = assessment("pneumonia", "Fever, productive cough, crackles and raised CRP support pneumonia.");
        assertEquals(Set.of(), unsupported(note, "zh", a));
        assertEquals(List.of(), check(note, "zh", a));
    }

    @Test
    void findingsTheNoteDoesNotStateAreFlaggedForReview() {
        String note = "Chief complaint: cough and fever for 3 days. Temperature 38.6 C, heart rate 112, "
                + "SpO2 91%. WBC 14.2, CRP 85 mg/L. No chest pain.";
        Assessment a = assessment("lung cancer", "Cough, weight loss and hemoptysis and hemoptysis support lung cancer.");
        assertEquals(Set.of("weight loss", "hemoptysis"), unsupported(note, "en", a));
        List<Flag> flags = check(note, "en", a);
        assertEquals(1, flags.size());
        assertEquals(FlagCode.NEEDS_REVIEW, flags.get(0).code());
        assertEquals("assessment.reason", flags.get(0).field());
    }

    @Test
    void aFindingTheNoteNegatesIsNotSupport() {
        String note = "Cough for 2 days. Denies chest pain and fever.";
        assertEquals(Set.of("fever"), unsupported(note, "en", assessment("pneumonia", "Cough and fever support pneumonia.")));
        // a reason that itself rules a finding out cites nothing unsupported
        assertEquals(Set.of(), unsupported(note, "en", assessment("acute bronchitis", "Cough without fever.")));
    }

    @Test
    void aMeasuredFeverAndAMoreSpecificCoughSupportTheGeneralFinding() {
        // real held-out note heldout-resp-en-00004: no word "fever", but T 38.9; "nonproductive cough" is a cough
        String note = "Chief complaint: 3 days of nonproductive cough and fatigue.\nHistory: A 27-year-old man.\n"
                + "Physical examination: T 38.9, HR 85, BP 113/82, SpO2 97%.\nInvestigations: sodium 144. SARS-CoV-2 PCR is positive.";
        assertEquals(Set.of(), unsupported(note, "en", assessment("COVID-19",
                "A positive SARS-CoV-2 test, dry cough, fatigue and fever support COVID-19.")));
        assertEquals(Set.of(), unsupported(note, "en", assessment("COVID-19", "Cough and fever support COVID-19.")));
        assertEquals(Set.of("fever"), unsupported(note.replace("T 38.9", "T 37.4"), "en",
                assessment("COVID-19", "Cough and fever support COVID-19.")));
    }
}
