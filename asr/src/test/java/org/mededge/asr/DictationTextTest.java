package org.mededge.asr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.mededge.asr.text.DictationText;
import org.mededge.asr.text.Repeats;

/** Dictation post-processing in both languages, and the repeated-n-gram guard. */
class DictationTextTest {
    private final DictationText text = DictationText.load(null);

    @Test
    void englishVoiceCommands() {
        assertEquals("Patient reports chest pain. Troponin elevated, ECG normal.",
                text.apply("patient reports chest pain period troponin elevated comma ECG normal period"));
        // Whisper often punctuates the command word itself
        assertEquals("Chest pain.\nNo fever.", text.apply("Chest pain. Period. New line. No fever, full stop."));
        assertEquals("Stable.\n\nPlan: continue aspirin.", text.apply("stable period next section plan continue aspirin period"));
        assertEquals("Well.\n\nPhysical exam: clear lungs.", text.apply("well period next section physical exam clear lungs period"));
        assertEquals("Any pain?", text.apply("any pain question mark"));
        assertEquals("First line\n\nSecond paragraph", text.apply("first line new paragraph second paragraph"));
    }

    @Test
    void periodStaysAWordWhereItIsOne() {
        assertEquals("Incubation period of five days.", text.apply("incubation period of five days period"));
        assertEquals("During the postoperative period she was stable.",
                text.apply("during the postoperative period she was stable period"));
    }

    @Test
    void chineseVoiceCommands() {
        assertEquals("患者胸痛三小时，伴出汗。", text.apply("患者胸痛三小时逗号伴出汗句号"));
        assertEquals("血压正常。\n心率齐。", text.apply("血压正常句号换行心率齐句号"));
        assertEquals("病史如上。\n\n诊断：急性冠脉综合征", text.apply("病史如上句号 下一项 诊断 急性冠脉综合征"));
        assertEquals("第一段\n\n第二段", text.apply("第一段下一段第二段"));
    }

    @Test
    void correctionLexiconFixesKnownMishearings() {
        assertEquals("二尖瓣反流。", text.apply("二维把反流句号"));
        assertEquals("Troponin is elevated.", text.apply("trope anin is elevated period"));
        assertEquals("Right lower lobe atelectasis", text.apply("right lower lobe at elect asis"));
    }

    @Test
    void specialtiesHaveVocabularies(@TempDir Path dir) throws Exception {
        assertTrue(text.prompt("cardiology").contains("troponin") && text.prompt("cardiology").contains("二尖瓣"));
        assertTrue(text.prompt("radiology").contains("atelectasis"));
        AsrException e = assertThrows(AsrException.class, () -> text.prompt("dermatology"));
        assertEquals(AsrError.ASR_OPTION_INVALID, e.error());
        // a lexicon directory adds specialties and replaces lists
        Files.writeString(dir.resolve("vocabulary-dermatology.txt"), "# skin\nmelanoma\nerythema\n");
        Files.writeString(dir.resolve("corrections-en.tsv"), "mela noma\tmelanoma\n");
        DictationText custom = DictationText.load(dir);
        assertEquals("melanoma, erythema", custom.prompt("dermatology"));
        assertEquals("Suspected melanoma.", custom.apply("suspected mela noma period"));
        assertEquals("Trope anin.", custom.apply("trope anin period"), "the replaced list no longer has the built-in entry");
    }

    @Test
    void repeatedNgramsCollapse() {
        assertEquals("thank you.", Repeats.collapse("thank you. thank you. thank you. thank you.", 2));
        assertEquals("the the patient", Repeats.collapse("the the patient", 2), "two in a row is allowed");
        assertEquals("the patient", Repeats.collapse("the the the the patient", 2));
        assertEquals("患者胸痛", Repeats.collapse("患者胸痛胸痛胸痛胸痛", 2));
        assertEquals("no fever no cough", Repeats.collapse("no fever no cough", 2));
        assertEquals("", Repeats.collapse("", 2));
    }
}
