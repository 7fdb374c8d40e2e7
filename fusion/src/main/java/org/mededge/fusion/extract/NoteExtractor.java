package org.mededge.fusion.extract;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.mededge.fusion.ClinicalValue;
import org.mededge.fusion.Section;
import org.mededge.fusion.extract.Spans.Span;

/**
 * The extraction stage: note text → {@link Extraction}. Stateless and thread-safe; build one and
 * share it (patterns compile once).
 */
public final class NoteExtractor {
    private final SectionSplitter splitter = new SectionSplitter();
    private final ValueExtractor values = new ValueExtractor();
    private final SymptomExtractor symptoms = new SymptomExtractor(SymptomLexicon.get());

    /** @param language "zh" or "en" (already resolved) */
    public Extraction extract(String text, String language) {
        NormalizedText nt = NormalizedText.of(text);
        SectionSplitter.Result split = splitter.split(nt);
        Map<String, String> sections = new LinkedHashMap<>();
        for (Map.Entry<Section, List<Span>> e : split.sections().entrySet()) {
            StringBuilder b = new StringBuilder();
            for (Span sp : e.getValue()) {
                String part = nt.originalSpan(sp.start(), sp.end());
                if (!part.isEmpty()) {
                    if (b.length() > 0) {
                        b.append(b.charAt(b.length() - 1) > 0x2E80 || part.charAt(0) > 0x2E80 ? "" : " ");
                    }
                    b.append(part);
                }
            }
            if (b.length() > 0) {
                sections.put(e.getKey().key(), b.toString());
            }
        }
        ValueExtractor.Read read = values.read(nt, language, split::inHeading);
        List<ClinicalValue> all = read.values();
        List<ClinicalValue> vitals = new ArrayList<>();
        List<ClinicalValue> labs = new ArrayList<>();
        for (ClinicalValue v : all) {
            Measure m = Measure.ofLoinc(v.code());
            (m.kind() == Measure.Kind.VITAL ? vitals : labs).add(v);
        }
        List<Durations.Found> durations = new ArrayList<>(Durations.find(nt.text()));
        for (Durations.Found d : Durations.shorthand(nt.text())) {
            if (read.spans().stream().noneMatch(t -> d.start() < t.end() && t.start() < d.end())) {
                durations.add(d);
            }
        }
        durations.sort(java.util.Comparator.comparingInt(Durations.Found::start));
        var found = symptoms.extract(nt, i -> split.inHeading(i) || split.sectionAt(i) == Section.PLAN, durations);
        List<Span> taken = new ArrayList<>(read.spans());
        durations.forEach(d -> taken.add(new Span(d.start(), d.end())));
        return new Extraction(language, sections, vitals, labs, read.earlier(), found, UnplacedNumbers.find(nt, taken),
                read.ranges(), read.doubts());
    }
}
