package org.mededge.fusion.radiology;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.mededge.fusion.FusionError;
import org.mededge.fusion.FusionException;
import org.mededge.fusion.extract.Languages;
import org.mededge.fusion.extract.NormalizedText;
import org.mededge.fusion.extract.Spans;
import org.mededge.fusion.extract.Spans.Span;

/**
 * Rewrites radiology findings, Chinese or English, into one house style per language and lists
 * them: finding term (RadLex where sure), laterality apart from site, modifiers, negation and
 * sizes in millimetres. "右下肺见一实性结节，约1cm", "RLL solid nodule measuring 10 mm" and
 * "Solid nodule in the right lower lobe, approximately 1 cm" all become "Right lower lobe: solid
 * nodule, 10 mm." (or "右肺下叶：实性结节，10 mm。"). Sentences without a known finding are kept as
 * written. Normalizing normalized text changes nothing. Stateless and thread-safe.
 */
public final class RadiologyNormalizer {

    private enum Kind { TERM, SITE, MODIFIER, LAT, NEG }

    private record Tok(Kind kind, String name, String lat, int start, int end) {
    }

    private static final Pattern LATERALITY = Pattern.compile(
            "(?<![A-Za-z])(?i:right|left|bilateral(?:ly)?|both)(?:[- ]sided)?(?![A-Za-z])|右侧|左侧|双侧|两侧|右|左|双|两");
    private static final Pattern ABBREVIATION = Pattern.compile(
            "(?<![A-Za-z])(RUL|RML|RLL|LUL|LLL|(?i:bibasilar|bibasal))(?![A-Za-z])");
    private static final Pattern NEGATION = Pattern.compile(
            "(?<![A-Za-z])(?i:no evidence of|negative for|free of|absence of|without|no|not|nor)(?![A-Za-z])"
                    + "|未见明显|未见|未发现|未显示|未见确切|无明显|无|未|排除");
    private static final Pattern NEGATION_AFTER = Pattern.compile(
            "^\\s*(?i:(?:is|are|was|were)\\s+)?(?i:not\\s+(?:seen|identified|present|demonstrated|visualized|visualised|evident)|absent|resolved)(?![A-Za-z])"
                    + "|^\\s*(?:未见显示|已吸收|消失)");
    /** Words that carry nothing once finding, site and size are read ("见一", "there is a", "measuring"). */
    private static final Pattern FILLER = Pattern.compile(
            "(?i)(?<![A-Za-z])(?:there\\s+(?:is|are)|is|are|was|were|seen|noted|identified|present|demonstrated|in|of|the|a|an|at|within|involving|with|and|or|nor|also|focal|obvious|definite|significant|evidence|measuring|measures|approximately|about|size|sized|lesion)(?![A-Za-z])"
                    + "|可见|见到|见有|见|示|所见|呈|一枚|一个|一处|一|个|枚|处|影像|约|大小|直径|位于|于|内|区|处|明显|确切|另|及|和|与|或|伴|并|并见|病灶|灶|部|侧|肺|[,，.。:：;；、()（）\\s-]");

    /** Normalizes {@code text}; {@code language} zh/en or null to detect. */
    public NormalizedFindings normalize(String text, String language, int maxTextBytes) {
        if (text == null || text.isBlank()) {
            throw new FusionException(FusionError.FUSION_EMPTY_TEXT, "The text is empty.");
        }
        int bytes = text.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
        if (bytes > maxTextBytes) {
            throw new FusionException(FusionError.FUSION_TEXT_TOO_LONG, "The text is " + bytes
                    + " bytes; the limit is " + maxTextBytes + " bytes (UTF-8).");
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x20 && c != '\n' && c != '\r' && c != '\t' || c == 0x7F) {
                throw new FusionException(FusionError.FUSION_INVALID_INPUT, String.format(java.util.Locale.ROOT,
                        "The text contains the control character U+%04X at position %d; send plain text.", (int) c, i));
            }
        }
        String lang;
        if (language == null || language.isBlank()) {
            lang = Languages.detect(text);
        } else {
            lang = Languages.normalize(language);
            if (lang == null) {
                throw new FusionException(FusionError.FUSION_UNSUPPORTED_LANGUAGE,
                        "This language is not supported; use zh or en, or leave it out to detect.");
            }
        }
        return normalize(text, lang);
    }

    private NormalizedFindings normalize(String text, String lang) {
        boolean zh = "zh".equals(lang);
        NormalizedText nt = NormalizedText.of(text);
        String s = nt.text();
        List<Measurements.Found> sizes = Measurements.find(s);
        List<Tok> toks = tokens(s, sizes);

        List<RadFinding> findings = new ArrayList<>();
        List<String> out = new ArrayList<>();
        for (Span sentence : Spans.sentences(s, 0, s.length())) {
            List<Tok> terms = toks.stream().filter(t -> t.kind == Kind.TERM && inside(sentence, t.start)).toList();
            if (terms.isEmpty()) {
                out.add(asWritten(nt.originalSpan(sentence.start(), sentence.end()), zh));
                continue;
            }
            List<Tok> in = toks.stream().filter(t -> inside(sentence, t.start)).toList();
            List<Measurements.Found> sz = sizes.stream().filter(m -> inside(sentence, m.start())).toList();
            List<List<String>> extras = extras(nt, sentence, in, sz, terms);
            Tok prevSite = null;
            boolean prevNegated = false;
            for (int k = 0; k < terms.size(); k++) {
                Tok term = terms.get(k);
                int from = k == 0 ? sentence.start() : terms.get(k - 1).end;
                int to = k + 1 < terms.size() ? terms.get(k + 1).start : sentence.end();
                String gapBefore = s.substring(from, term.start);

                // negation: a cue before the term with only sites, modifiers and filler between; or
                // the previous term's negation continued through a list ("no effusion or pneumothorax")
                boolean negated = false;
                Tok cue = last(in, Kind.NEG, from, term.start);
                if (cue != null) {
                    negated = onlyFiller(s.substring(cue.end, term.start), in, cue.end, term.start, zh);
                } else if (k > 0 && prevNegated) {
                    negated = listOnly(gapBefore);
                }
                Matcher after = NEGATION_AFTER.matcher(s.substring(term.end, to));
                if (after.find()) {
                    negated = true;
                }

                // site: each site belongs to one finding: to the one before it when joined by "in
                // the", "of the", "位于" ("nodule in the right lower lobe"), else to the one after it
                // ("右肺下叶见结节", "RLL nodule"); a finding listed right after another shares its site
                Tok site = null;
                for (Tok t : in) {
                    if (t.kind == Kind.SITE && t.start >= from && t.end <= term.start && !postModifies(s, t, from)) {
                        site = t;
                    }
                }
                if (site == null) {
                    for (Tok t : in) {
                        if (t.kind == Kind.SITE && t.start >= term.end && t.end <= to && sameClause(s, term.end, t.start)
                                && postModifies(s, t, term.end)) {
                            site = t;
                            break;
                        }
                    }
                }
                if (site == null && prevSite != null && k > 0 && listOnly(gapBefore)) {
                    site = prevSite;
                }
                String laterality = site != null ? site.lat : null;
                if (laterality == null) {
                    Tok lat = last(in, Kind.LAT, from, term.start);
                    laterality = lat == null ? null : lat.lat;
                }
                if (laterality == null) {
                    // "markings bilaterally", "fracture of the left 5th rib", "effusion on the right"
                    Matcher post = LATERALITY_AFTER.matcher(s.substring(term.end, to));
                    if (post.lookingAt()) {
                        laterality = laterality(post.group(1));
                    }
                }

                Set<String> mods = new LinkedHashSet<>();
                for (Tok t : in) {
                    if (t.kind == Kind.MODIFIER && t.start >= from && t.end <= term.end) {
                        mods.add(t.name);
                    }
                }
                mods.removeAll(implied(term.name));
                List<String> modifiers = RadiologyLexicon.of(RadiologyLexicon.Kind.MODIFIER).stream()
                        .map(RadiologyLexicon.Entry::name).filter(mods::contains).toList();

                List<Measurement> measures = new ArrayList<>();
                for (Measurements.Found m : sz) {
                    if (m.start() >= term.end && m.start() < to) {
                        measures.add(m.measurement());
                    }
                }
                if (measures.isEmpty()) {
                    for (Measurements.Found m : sz) {
                        if (m.start() >= from && m.end() <= term.start && sameClause(s, m.end(), term.start)) {
                            measures.add(m.measurement());
                        }
                    }
                }
                RadiologyLexicon.Entry entry = RadiologyLexicon.term(term.name);
                RadFinding f = new RadFinding(term.name, entry.radlexId(), laterality, site == null ? null : site.name,
                        modifiers, negated, negated ? List.of() : measures);
                findings.add(f);
                out.add(zh ? HouseStyle.zh(f, extras.get(k)) : HouseStyle.en(f, extras.get(k)));
                prevSite = site;
                prevNegated = negated;
            }
        }
        String joined = zh ? String.join("", out) : String.join(" ", out);
        return new NormalizedFindings(lang, joined, findings);
    }

    private static Set<String> implied(String term) {
        return switch (term) {
            case "ground-glass opacity" -> Set.of("ground-glass");
            case "calcification" -> Set.of("calcified");
            default -> Set.of();
        };
    }

    private static boolean inside(Span s, int at) {
        return at >= s.start() && at < s.end();
    }

    private static Tok last(List<Tok> toks, Kind kind, int from, int to) {
        Tok found = null;
        for (Tok t : toks) {
            if (t.kind == kind && t.start >= from && t.end <= to) {
                found = t;
            }
        }
        return found;
    }

    private static boolean sameClause(String s, int from, int to) {
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c == ',' || c == '，' || c == ';' || c == '；') {
                return false;
            }
        }
        return true;
    }

    private static final Pattern LATERALITY_AFTER = Pattern.compile(
            "\\s*(?:(?i:on|of|in|at|involving)\\s+the\\s+)?((?i:right|left|bilateral(?:ly)?)|右侧|左侧|双侧)(?![A-Za-z])");
    private static final Pattern POST_MODIFIER = Pattern.compile(
            "(?i)(?:(?<![A-Za-z])(?:in|of|at|within|involving|along|throughout|over)(?:\\s+(?:the|both))?\\s*|位于|于)$");

    /** True when a site is joined to what precedes it by "in the", "of the", "位于" (it describes that). */
    private static boolean postModifies(String s, Tok site, int from) {
        return POST_MODIFIER.matcher(s.substring(Math.max(from, site.start - 24), site.start).stripTrailing()
                + (s.substring(Math.max(from, site.start - 24), site.start).endsWith(" ") ? " " : "")).find();
    }

    private static final Pattern LIST = Pattern.compile("(?i)^(?:[\\s,，、/]|and|or|nor|及|和|与|或|以及)*$");

    private static boolean listOnly(String gap) {
        return LIST.matcher(gap).matches();
    }

    /** True when [from, to) holds nothing but sites, laterality, modifiers and filler words. */
    private static boolean onlyFiller(String gap, List<Tok> toks, int from, int to, boolean zh) {
        StringBuilder b = new StringBuilder(gap);
        for (int i = toks.size() - 1; i >= 0; i--) {
            Tok t = toks.get(i);
            if (t.start >= from && t.end <= to && t.kind != Kind.TERM && t.kind != Kind.NEG) {
                b.replace(t.start - from, t.end - from, " ");
            }
        }
        String left = FILLER.matcher(b).replaceAll(" ").strip();
        return left.length() <= (zh ? 2 : 0);
    }

    /**
     * For each term, the clauses of its sentence that hold no term, site, size or negation but do
     * say something ("边界清楚", "unchanged from prior"): kept, after the finding, as written.
     */
    private static List<List<String>> extras(NormalizedText nt, Span sentence, List<Tok> toks,
                                             List<Measurements.Found> sizes, List<Tok> terms) {
        List<List<String>> out = new ArrayList<>();
        terms.forEach(t -> out.add(new ArrayList<>()));
        String s = nt.text();
        for (Span clause : Spans.clauses(s, sentence.start(), sentence.end())) {
            boolean hasToken = toks.stream().anyMatch(t -> t.start >= clause.start() && t.start < clause.end()
                    && t.kind != Kind.MODIFIER && t.kind != Kind.LAT);
            boolean hasSize = sizes.stream().anyMatch(m -> m.start() >= clause.start() && m.start() < clause.end());
            if (hasToken || hasSize) {
                continue;
            }
            String words = s.substring(clause.start(), clause.end());
            if (FILLER.matcher(words).replaceAll("").isBlank()) {
                continue;
            }
            int owner = 0;
            for (int k = 0; k < terms.size(); k++) {
                if (terms.get(k).start < clause.start()) {
                    owner = k;
                }
            }
            String kept = nt.originalSpan(clause.start(), clause.end()).replaceAll("[,，.。;；:：!?！？]+$", "").strip();
            if (!kept.isEmpty()) {
                out.get(owner).add(kept);
            }
        }
        return out;
    }

    private static String asWritten(String sentence, boolean zh) {
        String t = sentence.strip();
        if (t.isEmpty()) {
            return t;
        }
        char last = t.charAt(t.length() - 1);
        if (".。!?！？;；".indexOf(last) >= 0) {
            return t;
        }
        return t + (zh ? "。" : ".");
    }

    // ------------------------------------------------------------------ tokens

    private static List<Tok> tokens(String s, List<Measurements.Found> sizes) {
        boolean[] measured = new boolean[s.length() + 1];
        for (Measurements.Found m : sizes) {
            for (int i = m.start(); i < m.end(); i++) {
                measured[i] = true;
            }
        }
        // findings and sites compete: longest match first, no overlaps
        List<Tok> candidates = new ArrayList<>();
        for (RadiologyLexicon.Entry e : RadiologyLexicon.ENTRIES) {
            if (e.kind() == RadiologyLexicon.Kind.MODIFIER) {
                continue;
            }
            Matcher m = e.pattern().matcher(s);
            while (m.find()) {
                if (m.end() > m.start()) {
                    candidates.add(new Tok(e.kind() == RadiologyLexicon.Kind.TERM ? Kind.TERM : Kind.SITE, e.name(), null,
                            m.start(), m.end()));
                }
            }
        }
        Matcher ab = ABBREVIATION.matcher(s);
        while (ab.find()) {
            String a = ab.group(1).toUpperCase(java.util.Locale.ROOT);
            String lat = a.startsWith("BI") ? "bilateral" : a.startsWith("R") ? "right" : "left";
            String site = a.startsWith("BI") ? "lower lobe" : switch (a.charAt(1)) {
                case 'U' -> "upper lobe";
                case 'M' -> "middle lobe";
                default -> "lower lobe";
            };
            candidates.add(new Tok(Kind.SITE, site, lat, ab.start(), ab.end()));
        }
        List<Tok> chosen = nonOverlapping(candidates, measured);
        // laterality words: merged into a site that follows at once ("右" + "肺下叶", "right" + "lower lobe")
        List<Tok> lats = new ArrayList<>();
        Matcher l = LATERALITY.matcher(s);
        while (l.find()) {
            if (!covered(chosen, l.start(), l.end()) && !measured[l.start()]) {
                lats.add(new Tok(Kind.LAT, null, laterality(l.group()), l.start(), l.end()));
            }
        }
        List<Tok> out = new ArrayList<>();
        for (Tok t : chosen) {
            if (t.kind == Kind.SITE && t.lat == null) {
                Tok lat = null;
                for (Tok x : lats) {
                    if (x.end <= t.start && s.substring(x.end, t.start).matches("\\s*|\\s*-?\\s*sided\\s*|侧")) {
                        lat = x;
                    }
                }
                if (lat != null) {
                    lats.remove(lat);
                    out.add(new Tok(Kind.SITE, t.name, lat.lat, lat.start, t.end));
                    continue;
                }
            }
            out.add(t);
        }
        out.addAll(lats);
        List<Tok> mods = new ArrayList<>();
        for (RadiologyLexicon.Entry e : RadiologyLexicon.of(RadiologyLexicon.Kind.MODIFIER)) {
            Matcher m = e.pattern().matcher(s);
            while (m.find()) {
                if (m.end() > m.start()) {
                    mods.add(new Tok(Kind.MODIFIER, e.name(), null, m.start(), m.end()));
                }
            }
        }
        out.addAll(nonOverlapping(mods, measured));
        Matcher n = NEGATION.matcher(s);
        while (n.find()) {
            if (!covered(chosen, n.start(), n.end())) {
                out.add(new Tok(Kind.NEG, null, null, n.start(), n.end()));
            }
        }
        out.sort(Comparator.comparingInt(Tok::start));
        return out;
    }

    private static List<Tok> nonOverlapping(List<Tok> candidates, boolean[] blocked) {
        List<Tok> sorted = new ArrayList<>(candidates);
        sorted.sort(Comparator.comparingInt(Tok::start).thenComparing(t -> -(t.end - t.start)));
        List<Tok> chosen = new ArrayList<>();
        int end = -1;
        for (Tok t : sorted) {
            if (t.start >= end && !blocked[t.start]) {
                chosen.add(t);
                end = t.end;
            }
        }
        return chosen;
    }

    private static boolean covered(List<Tok> toks, int a, int b) {
        for (Tok t : toks) {
            if (a < t.end && t.start < b) {
                return true;
            }
        }
        return false;
    }

    private static String laterality(String word) {
        String w = word.toLowerCase(java.util.Locale.ROOT);
        if (w.startsWith("right") || w.startsWith("右")) {
            return "right";
        }
        if (w.startsWith("left") || w.startsWith("左")) {
            return "left";
        }
        return "bilateral";
    }

    static final Map<String, String> EN_PLURAL = Map.of("nodule", "nodules", "mass", "masses",
            "calcification", "calcifications", "opacity", "opacities", "fracture", "fractures");
}
