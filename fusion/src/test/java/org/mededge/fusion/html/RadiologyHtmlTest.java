package org.mededge.fusion.html;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

import org.mededge.fusion.ImagingFinding;
import org.mededge.fusion.radiology.NormalizedFindings;
import org.mededge.fusion.radiology.RadiologyNormalizer;

/** The radiology report page in both languages: headings in the report's language, every value escaped. */
class RadiologyHtmlTest {

    @Test
    void aChineseReportHasChineseHeadingsAndEscapesWhatItShows() {
        NormalizedFindings zh = new RadiologyNormalizer().normalize("右肺下叶见约1cm结节，左侧气胸。", "zh", 10_000);
        String html = RadiologyHtml.render(new RadiologyHtml.Page("final", zh, "左侧气胸。<script>x</script>", false,
                List.of("nodule, right, 10 mm: Consider CT at 3 months, PET/CT, or tissue sampling."), "pneumothorax_left: told 王医生",
                List.of(new ImagingFinding("Left pneumothorax", "RID5352", 0.93, "chest-demo", "1", "demo", false, null, true, "left")),
                "rad-1, 2026-12-06T22:00:00Z"));
        for (String s : List.of("lang=\"zh\"", "胸部X线报告", "所见", "印象", "随访建议", "危急值通报", "王医生", "演示模型，非临床发现", "右肺下叶")) {
            assertTrue(html.contains(s), s + " in " + html);
        }
        assertFalse(html.contains("<script>"), "escaped");
        assertTrue(html.contains("&lt;script&gt;"));
        NormalizedFindings en = new RadiologyNormalizer().normalize("Right pleural effusion.", "en", 10_000);
        String draft = RadiologyHtml.render(new RadiologyHtml.Page("preliminary", en, "Right pleural effusion.", true, List.of(), null,
                List.of(), null));
        assertTrue(draft.contains("Chest radiograph report") && draft.contains("AI draft, to be reviewed"), draft);
    }
}
