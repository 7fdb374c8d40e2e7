package org.mededge.fusion.radiology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

/** The Fleischner 2017 rules against the guideline's Table 1 (solid nodules), every row, inside and at its edges. */
class FleischnerTest {

    @Test
    void everyRowOfTheGuidelinesTableAtSizesInsideAndAtItsEdges() throws IOException {
        String tsv;
        try (InputStream in = FleischnerTest.class.getResourceAsStream("/radiology/fleischner-2017-solid.tsv")) {
            tsv = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        Set<Fleischner.Row> covered = new HashSet<>();
        int cases = 0;
        for (String line : tsv.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            String[] f = line.split("\t");
            String[] dims = f[1].split("x");
            Fleischner.Recommendation r = Fleischner.recommend(new BigDecimal(dims[0]),
                    dims.length > 1 ? new BigDecimal(dims[1]) : null, f[0].equals("multiple"),
                    Fleischner.Risk.valueOf(f[2].toUpperCase(java.util.Locale.ROOT)));
            assertEquals(f[3], r.text(), line);
            assertEquals(Fleischner.CITATION, r.citation());
            covered.add(r.row());
            cases++;
        }
        assertEquals(Set.copyOf(Fleischner.TABLE), covered, "every row of the table is reached");
        assertEquals(12, Fleischner.TABLE.size());
        assertTrue(cases >= 18);
        for (Fleischner.Size s : EnumSet.allOf(Fleischner.Size.class)) {
            assertEquals(4, Fleischner.TABLE.stream().filter(r -> r.size() == s).count(), s + ": single/multiple x low/high");
        }
    }

    @Test
    void aRadiologistsNoduleGivesItsRowAndOneWithoutASizeGivesNone() {
        RadFinding sized = new RadFinding("nodule", "RID50149", "right", "lower lobe", List.of("solid"), false,
                List.of(new Measurement(null, null, null, List.of(new BigDecimal("12"), new BigDecimal("8")), "1.2 x 0.8 cm")));
        Fleischner.Recommendation r = Fleischner.of(sized, false, Fleischner.Risk.LOW);
        assertEquals(10, r.sizeMm());
        assertEquals("Consider CT at 3 months, PET/CT, or tissue sampling.", r.text());
        RadFinding seven = new RadFinding("nodule", null, "left", null, List.of(), false,
                List.of(new Measurement(new BigDecimal("7"), null, null, null, "7 mm")));
        assertEquals("CT at 6-12 months, then consider CT at 18-24 months.", Fleischner.of(seven, false, Fleischner.Risk.LOW).text());
        RadFinding range = new RadFinding("nodule", null, null, null, List.of(), false,
                List.of(new Measurement(null, new BigDecimal("5"), new BigDecimal("7"), null, "5-7 mm")));
        assertEquals(7, Fleischner.of(range, false, Fleischner.Risk.LOW).sizeMm(), "a range is read at its upper end");
        assertNull(Fleischner.of(new RadFinding("nodule", null, null, null, List.of(), false, List.of()), false, Fleischner.Risk.LOW));
        assertThrows(IllegalArgumentException.class, () -> Fleischner.recommend(BigDecimal.ZERO, null, false, Fleischner.Risk.LOW));
    }
}
