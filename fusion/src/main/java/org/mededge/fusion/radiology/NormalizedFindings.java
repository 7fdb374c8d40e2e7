package org.mededge.fusion.radiology;

import java.util.List;

/**
 * A radiology text in one house style per language, with its findings.
 *
 * @param language       "zh" or "en"
 * @param normalizedText the text rewritten: one sentence per finding ("Right lower lobe: solid
 *                       nodule, 10 mm."), other sentences as written
 */
public record NormalizedFindings(String language, String normalizedText, List<RadFinding> findings) {
    public NormalizedFindings {
        findings = List.copyOf(findings);
    }
}
