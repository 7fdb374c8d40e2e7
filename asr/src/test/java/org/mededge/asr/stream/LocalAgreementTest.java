package org.mededge.asr.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** LocalAgreement-2 on hypotheses as a growing segment gives them. */
class LocalAgreementTest {
    @Test
    void theCommonPrefixOfTwoHypothesesBecomesStableAndStaysSo() {
        LocalAgreement a = new LocalAgreement();
        assertEquals(new LocalAgreement.Split("", "Respiratory"), a.update("Respiratory"));
        assertEquals(new LocalAgreement.Split("Respiratory", " rate sixty"), a.update("Respiratory rate sixty"));
        assertEquals(new LocalAgreement.Split("Respiratory rate", " sixteen temperature"), a.update("Respiratory rate sixteen temperature"));
        // the model changed its mind about a stable word: the stable text does not change, the words after it still agree
        assertEquals(new LocalAgreement.Split("Respiratory rate sixteen temperature", " thirty"),
                a.update("Respiration rate sixteen temperature thirty"));
        assertEquals(new LocalAgreement.Split("Respiratory rate sixteen temperature thirty", ""),
                a.update("Respiratory rate sixteen temperature thirty"));
        // a shorter hypothesis: nothing tentative, nothing taken back
        assertEquals(new LocalAgreement.Split("Respiratory rate sixteen temperature thirty", ""), a.update("Respiratory rate"));
    }

    @Test
    void punctuationAndLineBreaksKeepAWordTentativeAndSurviveInTheText() {
        LocalAgreement a = new LocalAgreement();
        a.update("Pain");
        assertEquals(new LocalAgreement.Split("Pain", " for three days"), a.update("Pain for three days"));
        assertEquals(new LocalAgreement.Split("Pain for three", " days."), a.update("Pain for three days."));
        assertEquals(new LocalAgreement.Split("Pain for three days.", "\n\nPlan"), a.update("Pain for three days.\n\nPlan"));
        assertEquals(new LocalAgreement.Split("Pain for three days.\n\nPlan", ""), a.update("Pain for three days.\n\nPlan"));
    }

    @Test
    void punctuationAgreedAfterTheLastStableWordExtendsIt() {
        LocalAgreement a = new LocalAgreement();
        a.update("Temperature thirty six point one");
        assertEquals(new LocalAgreement.Split("Temperature thirty six point one", ""), a.update("Temperature thirty six point one"));
        assertEquals(new LocalAgreement.Split("Temperature thirty six point one", " No"), a.update("Temperature thirty six point one. No"));
        assertEquals(new LocalAgreement.Split("Temperature thirty six point one.", " Today sodium"),
                a.update("Temperature thirty six point one. Today sodium"));
        assertEquals(new LocalAgreement.Split("Temperature thirty six point one. Today sodium", ""),
                a.update("Temperature thirty six point one. Today sodium"));
    }

    @Test
    void mandarinIsComparedCharacterByCharacter() {
        LocalAgreement a = new LocalAgreement();
        a.update("体温三十");
        assertEquals(new LocalAgreement.Split("体温三", "八度"), a.update("体温三八度"));
        assertEquals(new LocalAgreement.Split("体温三", "十八度"), a.update("体温三十八度"));
        assertEquals(new LocalAgreement.Split("体温三十八度", "六"), a.update("体温三十八度六"));
    }
}
