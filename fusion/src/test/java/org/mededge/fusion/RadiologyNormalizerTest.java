package org.mededge.fusion;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.util.List;
import java.util.Random;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.Test;

import org.mededge.fusion.radiology.NormalizedFindings;
import org.mededge.fusion.radiology.RadFinding;
import org.mededge.fusion.radiology.RadiologyNormalizer;

/** Radiology wording: one house style, exact sizes, and normalization that is idempotent. */
class RadiologyNormalizerTest {
    private static final RadiologyNormalizer N = new RadiologyNormalizer();

    private static NormalizedFindings norm(String text) {
        return N.normalize(text, null, 65536);
    }

    @Test
    void theSameFindingWrittenFiveWaysComesOutOneWay() {
        List<String> zh = List.of("右下肺见一实性结节，约1cm。", "右肺下叶实性结节，大小约10mm。", "右肺下叶见一实性结节，直径约一厘米。",
                "右肺下叶可见实性结节影，约10毫米。", "右下叶实性结节，大小约1.0cm。");
        for (String t : zh) {
            assertEquals("右肺下叶：实性结节，10 mm。", norm(t).normalizedText(), t);
        }
        List<String> en = List.of("RLL solid nodule measuring 10 mm.", "Solid nodule in the right lower lobe, approximately 1 cm.",
                "There is a 1 cm solid nodule in the right lower lobe.", "Right lower lobe: solid nodule, 10 mm.",
                "A solid nodule of about 1.0 cm is seen in the right lower lobe.");
        for (String t : en) {
            assertEquals("Right lower lobe: solid nodule, 10 mm.", norm(t).normalizedText(), t);
        }
    }

    @Test
    void measurementsAreExactMillimetres() {
        RadFinding f = norm("左肺上叶磨玻璃结节，大小约1.25×0.8cm。").findings().get(0);
        assertEquals(List.of(new BigDecimal("12.5"), new BigDecimal("8")), f.measurements().get(0).dimensionsMm());
        assertEquals("大小约1.25×0.8cm", f.measurements().get(0).raw());
        RadFinding r = norm("A 8–12 mm nodule in the left upper lobe.").findings().get(0);
        assertEquals(0, new BigDecimal(8).compareTo(r.measurements().get(0).lowMm()));
        assertEquals(0, new BigDecimal(12).compareTo(r.measurements().get(0).highMm()));
        RadFinding z = norm("右肺中叶结节，8到12毫米。").findings().get(0);
        assertEquals("8–12 mm", z.measurements().get(0).format());
    }

    @Test
    void lateralityIsAModifierApartFromTheSite() {
        RadFinding f = norm("右肺下叶见一结节。").findings().get(0);
        assertEquals("right", f.laterality());
        assertEquals("lower lobe", f.site());
        RadFinding b = norm("Bilateral pleural effusions.").findings().get(0);
        assertEquals("bilateral", b.laterality());
        assertEquals(null, b.site());
        assertEquals("RID34539", b.radlexId());
    }

    @Test
    void negationIsScopedToTheList() {
        NormalizedFindings n = norm("未见胸腔积液及气胸，右肺下叶见实变。");
        assertEquals(3, n.findings().size());
        assertTrue(n.findings().get(0).negated() && n.findings().get(1).negated());
        assertTrue(!n.findings().get(2).negated());
        NormalizedFindings e = norm("No pleural effusion or pneumothorax. Consolidation in the left lower lobe.");
        assertTrue(e.findings().get(0).negated() && e.findings().get(1).negated() && !e.findings().get(2).negated());
    }

    @Test
    void sentencesWithoutAKnownFindingAreKeptAsWritten() {
        assertEquals("心影大小形态正常，双膈面光整。", norm("心影大小形态正常，双膈面光整。").normalizedText());
        assertEquals("Heart size is normal. No pneumothorax.", norm("Heart size is normal. No pneumothorax.").normalizedText());
    }

    @Test
    void badInputHasStableCodes() {
        FusionException empty = assertThrows(FusionException.class, () -> N.normalize(" \n ", null, 100));
        assertEquals(FusionError.FUSION_EMPTY_TEXT, empty.error());
        FusionException big = assertThrows(FusionException.class, () -> N.normalize("结节".repeat(40), null, 100));
        assertEquals(FusionError.FUSION_TEXT_TOO_LONG, big.error());
        FusionException lang = assertThrows(FusionException.class, () -> N.normalize("nodule", "fr", 100));
        assertEquals(FusionError.FUSION_UNSUPPORTED_LANGUAGE, lang.error());
    }

    /** Property: normalizing normalized text changes nothing, for the golden sentences. */
    @Test
    void idempotentOnTheGoldenSentences() {
        for (String file : List.of("radiology-zh.json", "radiology-en.json")) {
            for (JsonNode item : Golden.load(file)) {
                assertIdempotent(item.get("text").asText());
            }
        }
    }

    /** Property: idempotent on random findings composed from sites, lateralities, modifiers, terms and sizes. */
    @Test
    void idempotentOnRandomFindings() {
        Random rnd = new Random(7L);
        String[] zhLat = {"", "右", "左", "双"};
        String[] zhSite = {"", "肺上叶", "肺下叶", "下肺", "肺中叶", "肺", "肺尖", "肺门"};
        String[] zhMod = {"", "实性", "磨玻璃", "少量", "斑片状", "多发", "部分实性", "轻度"};
        String[] zhTerm = {"结节", "肿块影", "实变影", "胸腔积液", "气胸", "肺不张", "钙化灶", "肺气肿", "磨玻璃影", "纤维条索影"};
        String[] zhSize = {"", "，约1cm", "，大小约1.2×0.8cm", "，8-12mm", "，直径约五毫米", "，约0.6厘米"};
        String[] zhCue = {"", "", "", "未见", "见", "可见"};
        String[] enLat = {"", "right ", "left ", "bilateral "};
        String[] enSite = {"", "upper lobe ", "lower lobe ", "middle lobe ", "apical ", "hilar "};
        String[] enMod = {"", "solid ", "ground-glass ", "small ", "patchy ", "multiple ", "part-solid ", "mild "};
        String[] enTerm = {"nodule", "mass", "consolidation", "pleural effusion", "pneumothorax", "atelectasis",
                "calcification", "emphysema", "opacity", "fibrosis"};
        String[] enSize = {"", " measuring 1 cm", ", 1.2 x 0.8 cm", ", 8-12 mm", ", approximately 5 mm", " of 6 mm"};
        String[] enCue = {"", "", "", "No ", "There is a ", "Stable "};
        for (int i = 0; i < 300; i++) {
            StringBuilder zh = new StringBuilder();
            StringBuilder en = new StringBuilder();
            int k = 1 + rnd.nextInt(3);
            for (int j = 0; j < k; j++) {
                zh.append(pick(rnd, zhCue)).append(pick(rnd, zhLat)).append(pick(rnd, zhSite)).append(pick(rnd, zhMod))
                        .append(pick(rnd, zhTerm)).append(pick(rnd, zhSize)).append(rnd.nextBoolean() ? "。" : "，");
                en.append(pick(rnd, enCue)).append(pick(rnd, enMod)).append(pick(rnd, enLat)).append(pick(rnd, enSite))
                        .append(pick(rnd, enTerm)).append(pick(rnd, enSize)).append(". ");
            }
            assertIdempotent(zh.toString());
            assertIdempotent(en.toString());
        }
    }

    private static String pick(Random r, String[] a) {
        return a[r.nextInt(a.length)];
    }

    private static void assertIdempotent(String text) {
        NormalizedFindings once = norm(text);
        NormalizedFindings twice = N.normalize(once.normalizedText(), once.language(), 65536);
        assertEquals(once.normalizedText(), twice.normalizedText(), () -> "input: " + text);
        assertEquals(strip(once.findings()), strip(twice.findings()), () -> "input: " + text);
    }

    /** Findings without the raw words (which legitimately change: "约1cm" becomes "10 mm"). */
    private static List<String> strip(List<RadFinding> fs) {
        return fs.stream().map(f -> f.term() + "|" + f.laterality() + "|" + f.site() + "|" + f.modifiers() + "|"
                + f.negated() + "|" + f.measurements().stream().map(m -> m.format()).toList()).toList();
    }
}
