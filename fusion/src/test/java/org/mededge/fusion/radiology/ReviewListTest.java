package org.mededge.fusion.radiology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

import org.mededge.vision.Finding;

/** The AI-versus-radiologist review list and the checks before signing. */
class ReviewListTest {
    private static final List<Finding> MODEL = List.of(
            new Finding("Cardiomegaly", null, 0.10, false, false, null),
            new Finding("Left pleural effusion", "RID34539", 0.05, false, false, "left"),
            new Finding("Right pleural effusion", "RID34539", 0.70, true, false, "right"),
            new Finding("Left pneumothorax", "RID5352", 0.93, true, true, "left"),
            new Finding("Right pneumothorax", "RID5352", 0.01, false, true, "right"),
            new Finding("Pulmonary nodule", "RID50149", 0.61, true, false, null),
            new Finding("Left consolidation", "RID43255", 0.01, false, false, "left"),
            new Finding("Right consolidation", "RID43255", 0.02, false, false, "right"));

    private static RadFinding rad(String term, String side, boolean negated, Integer mm) {
        return new RadFinding(term, null, side, null, List.of(), negated, mm == null ? List.of()
                : List.of(new Measurement(BigDecimal.valueOf(mm), null, null, null, mm + " mm")));
    }

    @Test
    void theReportMentionsTheNoduleNotThePneumothorax() {
        // the case: left pneumothorax and a 7 mm nodule; the radiologist writes the nodule, negates the
        // effusion the model saw, and adds a consolidation the model scored low
        List<RadFinding> said = List.of(rad("nodule", "right", false, 7), rad("pleural effusion", null, true, null),
                rad("consolidation", "left", false, null));
        List<ReviewList.Item> items = ReviewList.of(MODEL, said);
        assertEquals(List.of("effusion_right", "pneumothorax_left", "consolidation_left"),
                items.stream().map(ReviewList.Item::label).toList());
        assertEquals(List.of(ReviewList.Kind.REPORT_NEGATES_AI, ReviewList.Kind.AI_NOT_IN_REPORT, ReviewList.Kind.REPORT_NOT_IN_AI),
                items.stream().map(ReviewList.Item::kind).toList());
        assertTrue(items.get(1).critical(), "the pneumothorax item is critical");
        assertEquals("The AI found left pneumothorax (93 %); the report does not mention it.", items.get(1).message());
        // agreeing findings make no item
        assertEquals(List.of(), ReviewList.of(MODEL, List.of(rad("nodule", null, false, 7), rad("pneumothorax", "left", false, null),
                rad("pleural effusion", "right", false, null))));
    }

    @Test
    void labelsOfTheChestModel() {
        assertEquals("pneumothorax_left", ReviewList.labelOf(MODEL.get(3)));
        assertEquals("nodule", ReviewList.labelOf(MODEL.get(5)));
        assertEquals(null, ReviewList.labelOf(new Finding("pelican", null, 0.9, true)));
    }

    @Test
    void qualityChecksBeforeSigning() {
        List<RadFinding> said = List.of(rad("nodule", "right", false, null), rad("pneumothorax", "left", false, null));
        List<ChestImpression.Ranked> ranked = ChestImpression.rank(List.of(), said);
        List<QualityChecks.Problem> p = QualityChecks.check(said, "Right pneumothorax. Right lung nodule, size not stated.", ranked,
                0.45, List.of("effusion_right"), Set.of("pneumothorax_left"), false);
        assertEquals(List.of("REVIEW_UNACKNOWLEDGED", "NODULE_WITHOUT_SIZE", "LATERALITY_MISMATCH", "IMPRESSION_NOT_GROUNDED",
                        "IMPRESSION_NOT_GROUNDED", "CRITICAL_RESULT_NOT_RECORDED"),
                p.stream().map(QualityChecks.Problem::code).toList());
        assertEquals(List.of("The impression: the impression names pneumothorax_right, which is not among the findings.",
                "The impression: the impression leaves out pneumothorax_left."), p.stream()
                .filter(x -> x.code().equals("IMPRESSION_NOT_GROUNDED")).map(QualityChecks.Problem::message).toList());
        assertEquals(List.of("IMPRESSION_EMPTY"), QualityChecks.check(List.of(), " ", List.of(), 0.45, List.of(), Set.of(), false)
                .stream().map(QualityChecks.Problem::code).toList());
        List<RadFinding> ok = List.of(rad("nodule", "right", false, 7), rad("pneumothorax", "left", false, null));
        assertEquals(List.of(), QualityChecks.check(ok, "Left pneumothorax. Right lung nodule, 7 mm.",
                ChestImpression.rank(List.of(), ok), 0.45, List.of(), Set.of("pneumothorax_left"), true));
    }

    @Test
    void agreeingAddsTheAiFindingToTheReport() {
        NormalizedFindings n = new NormalizedFindings("en", "Right pleural effusion. No pneumothorax.",
                List.of(rad("pleural effusion", "right", false, null), rad("pneumothorax", null, true, null)));
        NormalizedFindings after = ReviewList.addToReport(n, "pneumothorax_left", "RID5352");
        assertEquals("Right pleural effusion. No pneumothorax. Left pneumothorax.", after.normalizedText());
        assertEquals(List.of("pleural effusion", "pneumothorax"), after.findings().stream().map(RadFinding::term).toList());
        assertEquals("left", after.findings().get(1).laterality());
        assertEquals(List.of(), ReviewList.of(MODEL.subList(3, 4), after.findings()), "the item is settled");
        NormalizedFindings zh = ReviewList.addToReport(new NormalizedFindings("zh", "右侧胸腔积液。", List.of()), "pneumothorax_left", null);
        assertEquals("右侧胸腔积液。左侧气胸。", zh.normalizedText());
    }
}
