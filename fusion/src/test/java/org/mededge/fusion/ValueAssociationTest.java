package org.mededge.fusion;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

/**
 * The association stage on the wordings the issue names, in both languages: which name governs
 * which value, lists and slash groups, time and context, and what happens when the words do not
 * pair. The generated corpus ({@link WordingCorpusTest}) scores the same rules on thousands of notes.
 */
class ValueAssociationTest {
    private static final ReportAssembler A = new ReportAssembler(FusionConfig.defaults());

    private static StructuredReport structure(String text) {
        return A.structure(new NoteRequest(text, null, null), Optional.empty());
    }

    /** "Name=value" for every current value, in report order (vitals, then labs). */
    private static List<String> current(StructuredReport r) {
        List<String> out = new ArrayList<>();
        r.vitals().forEach(v -> out.add(v.code() + "=" + v.valueText()));
        r.labs().forEach(v -> out.add(v.code() + "=" + v.valueText()));
        return out;
    }

    private static List<String> earlier(StructuredReport r) {
        return r.earlier().stream().map(v -> v.code() + "=" + v.valueText() + "@" + v.when()).toList();
    }

    private static boolean flagged(StructuredReport r, FlagCode code, String field) {
        return r.flags().stream().anyMatch(f -> f.code() == code && field.equals(f.field()));
    }

    @Test
    void aNameWithoutItsOwnValueTakesNone() {
        assertEquals(List.of("8867-4=112"), current(structure("Potassium and heart rate 112.")));
        assertEquals(List.of("8310-5=38.6"), current(structure("Glucose and temperature 101.5.")));
        assertEquals(List.of("8867-4=112"), current(structure("血红蛋白 心率112次/分。")));
        StructuredReport r = structure("Troponin pending, D-dimer 0.9.");
        assertEquals(List.of("48065-7=0.9"), current(r));
        assertTrue(r.flags().stream().noneMatch(f -> f.code() == FlagCode.RED_FLAG), r.flags().toString());
    }

    @Test
    void listsAndSlashGroupsPairInOrder() {
        assertEquals(List.of("8310-5=38", "8867-4=96", "9279-1=20"),
                current(structure("Temperature, pulse and respiratory rate were 38.0, 96 and 20.")));
        assertEquals(List.of("8310-5=38", "8867-4=96"), current(structure("体温、脉搏分别为38.0℃、96次/分。")));
        assertEquals(List.of("8310-5=38", "8867-4=96", "9279-1=20", "8480-6=118", "8462-4=76"),
                current(structure("T/P/R/BP 38.0/96/20/118/76.")));
        assertEquals(List.of("2951-2=141", "2823-3=3.9"), current(structure("Na/K 141/3.9.")));
        assertEquals(List.of("718-7=118", "6690-2=11.2", "777-3=250"), current(structure("Hb/WCC/Plt 118/11.2/250.")));
        // a name we do not code still holds its place in the group
        assertEquals(List.of("2951-2=138", "2823-3=4.1"), current(structure("Na/Cl/K 138/101/4.1.")));
    }

    @Test
    void namesAndValuesThatDoNotPairFileNothingAndQuoteTheWords() {
        for (String text : List.of("T/P/R 38.0/96.", "Temperature, pulse and respiratory rate were 38.0 and 96.", "K 138/101/4.1.")) {
            StructuredReport r = structure(text);
            assertEquals(List.of(), current(r), text);
            Flag f = r.flags().stream().filter(x -> x.code() == FlagCode.UNPLACED_VALUE).findFirst().orElseThrow();
            assertTrue(f.message().contains(text.substring(0, 3)), f.message());
        }
    }

    @Test
    void theLatestValueStatedAsCurrentIsCurrentAndEarlierOnesAreHistory() {
        StructuredReport sats = structure("SpO2 88% on room air, 96% on 3 L.");
        assertEquals(List.of("59408-5=96"), current(sats));
        assertEquals(List.of("59408-5=88@on room air"), earlier(sats));
        assertTrue(sats.flags().stream().noneMatch(f -> f.code() == FlagCode.RED_FLAG), "an earlier reading raises no red flag");

        StructuredReport bp = structure("BP 80/50 on arrival, now 110/70.");
        assertEquals(List.of("8480-6=110", "8462-4=70"), current(bp));
        assertEquals(List.of("8480-6=80@on arrival", "8462-4=50@on arrival"), earlier(bp));
        assertTrue(bp.flags().stream().noneMatch(f -> f.code() == FlagCode.RED_FLAG), bp.flags().toString());

        StructuredReport cr = structure("Baseline creatinine 70, today 160.");
        assertEquals(List.of("14682-9=160"), current(cr));
        assertEquals(List.of("14682-9=70@Baseline"), earlier(cr));
        assertTrue(flagged(cr, FlagCode.CHANGE, "labs.14682-9"), "a rise meeting the KDIGO criterion is flagged");
        assertTrue(structure("Baseline creatinine 90, today 100.").flags().stream().noneMatch(f -> f.code() == FlagCode.CHANGE));

        StructuredReport zh = structure("入院时血压80/50mmHg，现110/70mmHg。基线肌酐70μmol/L，今日160μmol/L。");
        assertEquals(List.of("8480-6=110", "8462-4=70", "14682-9=160"), current(zh));
        assertTrue(flagged(zh, FlagCode.CHANGE, "labs.14682-9"));
        assertTrue(zh.flags().stream().noneMatch(f -> f.code() == FlagCode.RED_FLAG), zh.flags().toString());

        // a fall is flagged, and the current low value still raises its red flag
        StructuredReport fall = structure("SpO2 was 96% this morning, now 88% on room air.");
        assertEquals(List.of("59408-5=88"), current(fall));
        assertTrue(flagged(fall, FlagCode.CHANGE, "vitals.59408-5"));
        assertTrue(flagged(fall, FlagCode.RED_FLAG, "vitals.59408-5"));

        // change words, parenthesised baselines, repeat tests
        assertEquals(List.of("59408-5=95"), current(structure("Sats 91% on air improving to 95% on 2L.")));
        assertEquals(List.of("14682-9=180"), current(structure("Creatinine 180 (baseline 90).")));
        assertEquals(List.of("10839-9=0.08"), current(structure("Troponin <0.01, repeat troponin 0.08.")));
        assertEquals(List.of("14682-9=180"), current(structure("肌酐从90升至180μmol/L。")));
        assertEquals(List.of("8867-4=95"), current(structure("The HR was 150 at presentation and is now 95.")));
        assertEquals(List.of("14682-9=250"), current(structure("creatinine 120 last week now 250")));
        assertEquals(List.of("8867-4=90"), current(structure("心率由120次/分降至90次/分。")));
        StructuredReport hb = structure("Hb 7.2 g/dL down from 9.0.");
        assertEquals(List.of("718-7=72"), current(hb));
        assertEquals(List.of("718-7=90@down from"), earlier(hb));
        assertEquals(List.of("15074-8=2.8@earlier"), earlier(structure("glucose 4.2 (hypo earlier 2.8)")));
        // two arms are two current readings, not a history: both filed, and the clinician asked which to keep
        StructuredReport arms = structure("BP 130/85 left arm, 128/84 right arm.");
        assertEquals(List.of("8480-6=130", "8462-4=85", "8480-6=128", "8462-4=84"), current(arms));
        assertTrue(flagged(arms, FlagCode.NEEDS_REVIEW, "vitals.8480-6"));
        // a value only ever stated as a past one is no current value
        StructuredReport past = structure("Temp 39.2 yesterday, afebrile today.");
        assertEquals(List.of(), current(past));
        assertEquals(List.of("8310-5=39.2@yesterday"), earlier(past));
    }

    @Test
    void numbersAsChineseAndShorthandWriteThem() {
        assertEquals(List.of("777-3=180"), current(structure("血小板18万。")));
        assertEquals(List.of("6690-2=12"), current(structure("白细胞1.2万。")));
        assertEquals(List.of("10839-9=0.3"), current(structure("Troponin .3 ng/mL.")));
        assertEquals(List.of("14682-9=90"), current(structure("Creatinine 0.09 mmol/L.")));
        assertEquals(List.of("8480-6=150", "8462-4=90"), current(structure("血压高压150低压90。")));
        assertEquals(List.of("8480-6=150", "8462-4=90"), current(structure("Systolic 150, diastolic 90.")));
    }

    @Test
    void earlierReadingsReachTheRecordAsHistoryNotAsObservations() {
        StructuredReport r = structure("BP 80/50 on arrival, now 110/70.");
        String json = org.mededge.fusion.fhir.Fhir.json(org.mededge.fusion.fhir.NoteBundle.build(r, java.time.Instant.now()));
        assertTrue(json.contains("Earlier readings (not current)"), json);
        assertTrue(json.contains("on arrival"));
        assertTrue(json.contains("\"value\":110"), "the current systolic is an Observation value");
        assertTrue(!json.contains("\"value\":80") && !json.contains("\"value\":50"), "80/50 must not be an Observation value");
        assertTrue(org.mededge.fusion.html.ReportHtml.render(r).contains("Earlier readings"));
        assertEquals(new BigDecimal("110"), r.vitals().get(0).value());
    }
}
