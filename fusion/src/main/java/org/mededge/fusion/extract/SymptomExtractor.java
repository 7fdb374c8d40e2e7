package org.mededge.fusion.extract;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntPredicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.mededge.fusion.Symptom;
import org.mededge.fusion.extract.Spans.Span;

/**
 * Symptoms and signs from the lexicon, with negation scoped to the phrase (a list after "无" or
 * "denies" is negated up to the end of the clause or a word such as "but", "伴"), hypotheticals
 * ("return if chest pain", "如有胸痛") left out, and durations attached to the clause they share.
 */
public final class SymptomExtractor {
    private final SymptomLexicon lexicon;

    public SymptomExtractor(SymptomLexicon lexicon) {
        this.lexicon = lexicon;
    }

    private static final Pattern ZH_NEG = Pattern.compile(
            "否认|未见明显|未见|未闻及|未触及|未及|未诉|未出现|未再|不伴有|不伴|没有|并无|无明显|无|未");
    private static final Pattern ZH_PSEUDO = Pattern.compile(
            "并非无|并非没有|不是没有|不否认|非无|无明显诱因|无诱因|无明确诱因|无明显原因|无特殊|未缓解|未好转|未愈|未治疗|未就诊|未予|未规律|未见好转|无缓解|无好转|未经治疗|未系统");
    private static final Pattern ZH_POST = Pattern.compile("^\\s*(?:\\(-\\)|（-）|\\(－\\)|阴性|不明显|已?消失|已?消退|已退|已除|均无|均未|均阴性)");
    private static final Pattern ZH_END = Pattern.compile("[,，。.;；:：!！?？]|伴|但|有|出现|诉|感|并|且");
    private static final Pattern ZH_HYPOTHETICAL = Pattern.compile("如有|如出现|如再|若有|若出现|若|一旦|警惕|观察有无|注意有无|有无");

    private static final Pattern EN_NEG = Pattern.compile(
            "(?i)(?<![A-Za-z])(?:no longer|no evidence of|no signs? of|no history of|negative for|free of|absence of|denies|denied|denying|deny|without|w/o|no|not|never|nor|none)(?![A-Za-z])");
    private static final Pattern EN_PSEUDO = Pattern.compile(
            "(?i)(?<![A-Za-z])(?:(?:does|did|do)\\s+not\\s+deny|(?:doesn't|didn't|don't)\\s+deny|not\\s+denying|not\\s+without|never\\s+without|no change|not only|no increase|not necessarily|no improvement|not improved|not improving|not resolved|no relief|not relieved|not certain|no longer sure)(?![A-Za-z])");
    private static final Pattern EN_POST = Pattern.compile(
            "(?i)^\\s*(?:is\\s+|are\\s+|was\\s+|were\\s+|has\\s+|have\\s+|had\\s+)?(?:now\\s+|since\\s+|completely\\s+|fully\\s+)?(?:\\(-\\)|absent|denied|resolved|settled|gone|negative|not present|none)(?![A-Za-z])");
    private static final Pattern EN_END = Pattern.compile(
            "(?i)[.;:!?]|(?<![A-Za-z])(?:but|however|although|though|except|apart from|aside from|with|reports?|reported|reporting|has|have|had|endorses?|endorsed|complains?|complained|complaining|c/o|presents?|presented|presenting|positive for|notes?|noted|admits?|which|who|that|since|because|due|is|are|was|were|he|she|patient|developed|describes?)(?![A-Za-z])");
    private static final Pattern EN_HYPOTHETICAL = Pattern.compile(
            "(?i)(?<![A-Za-z])(?:if|return for|return if|should|in case of|watch for|precautions?|would|unless|call if|monitor for|risk of|family history)(?![A-Za-z])");
    private static final Pattern EN_LIST_WORDS = Pattern.compile(
            "(?i)^(?:[\\s,/&]|and|or|nor|any|significant|recent|associated|other|obvious|new|mild|moderate|severe|frank|overt|acute|the|of|symptoms?)*$");
    private static final Pattern ZH_LIST_WORDS = Pattern.compile("^(?:[\\s、/及和或与]|明显|其他|等|以及|症状|发作|及其)*$");

    /**
     * The symptoms in the given normalized text, leaving out positions where {@code skip} holds
     * (headings, the plan).
     */
    public List<Symptom> extract(NormalizedText nt, IntPredicate skip) {
        return extract(nt, skip, Durations.find(nt.text()));
    }

    /** The same, with the text's durations already found ({@link Durations#find}). */
    public List<Symptom> extract(NormalizedText nt, IntPredicate skip, List<Durations.Found> durations) {
        String s = nt.text();
        List<SymptomLexicon.Hit> hits = new ArrayList<>();
        for (SymptomLexicon.Hit h : lexicon.find(s)) {
            if (!skip.test(h.start())) {
                hits.add(h);
            }
        }
        List<Symptom> out = new ArrayList<>();
        for (Span sentence : Spans.sentences(s, 0, s.length())) {
            List<SymptomLexicon.Hit> inSentence = hits.stream()
                    .filter(h -> h.start() >= sentence.start() && h.start() < sentence.end()).toList();
            if (inSentence.isEmpty()) {
                continue;
            }
            boolean[] negated = negation(s, sentence, inSentence, durations);
            boolean[] hypothetical = hypothetical(s, sentence, inSentence);
            String[] duration = durations(s, sentence, inSentence, negated, durations);
            for (int k = 0; k < inSentence.size(); k++) {
                if (hypothetical[k]) {
                    continue;
                }
                SymptomLexicon.Hit h = inSentence.get(k);
                out.add(new Symptom(nt.originalSpan(h.start(), h.end()), h.entry().name(), h.entry().concept(),
                        negated[k], negated[k] ? null : duration[k]));
            }
        }
        return dedupe(out);
    }

    /** One symptom per name and polarity: the first mention, with the first duration given. */
    private static List<Symptom> dedupe(List<Symptom> all) {
        Map<String, Symptom> by = new LinkedHashMap<>();
        for (Symptom sy : all) {
            String key = sy.name() + "|" + sy.negated();
            Symptom prev = by.get(key);
            if (prev == null) {
                by.put(key, sy);
            } else if (prev.durationIso() == null && sy.durationIso() != null) {
                by.put(key, prev.withDuration(sy.durationIso()));
            }
        }
        return new ArrayList<>(by.values());
    }

    private static boolean isHan(String s) {
        return s.codePoints().anyMatch(c -> Character.UnicodeScript.of(c) == Character.UnicodeScript.HAN);
    }

    /** "for 3 days", "x3d", "3天" right after a phrase: a symptom with a duration of its own is present, and ends a negated list. */
    private static boolean ownDuration(String s, SymptomLexicon.Hit h, List<Durations.Found> durations) {
        for (Durations.Found d : durations) {
            if (d.start() >= h.end() && d.start() - h.end() <= 8
                    && s.substring(h.end(), d.start()).matches("(?i)\\s*(?:for|x|since|of|over|the\\s+past|已|约|达)?\\s*")) {
                return true;
            }
        }
        return false;
    }

    /** "no longer febrile, cough improving": an item with a predicate of its own is stated, not listed */
    private static final Pattern OWN_PREDICATE = Pattern.compile("(?i)\\s*(?:is\\s+|are\\s+|has\\s+)?(?:improving|improved|worsening|worse|better|"
            + "persist(?:s|ing)?|ongoing|continu(?:es|ing)|present|productive|getting)(?![A-Za-z])|\\s*(?:减轻|好转|加重|持续|仍在|仍有|明显)");

    private static boolean[] negation(String s, Span sentence, List<SymptomLexicon.Hit> hits, List<Durations.Found> durations) {
        boolean[] neg = new boolean[hits.size()];
        int cursor = sentence.start();
        boolean active = false;
        for (int k = 0; k < hits.size(); k++) {
            SymptomLexicon.Hit h = hits.get(k);
            String gap = s.substring(cursor, h.start());
            boolean zh = isHan(gap) || isHan(s.substring(h.start(), h.end()));
            // the last cue in the gap decides; anything after it must be list words only
            int cueEnd = -1;
            Matcher cue = (zh ? ZH_NEG : EN_NEG).matcher(gap);
            while (cue.find()) {
                if (!pseudoAt(gap, cue.start(), zh)) {
                    cueEnd = cue.end();
                }
            }
            // Chinese and English cues may mix in one note ("无 fever"): try the other too
            Matcher other = (zh ? EN_NEG : ZH_NEG).matcher(gap);
            while (other.find()) {
                if (!pseudoAt(gap, other.start(), !zh) && other.end() > cueEnd) {
                    cueEnd = other.end();
                }
            }
            if (cueEnd >= 0) {
                String rest = gap.substring(cueEnd);
                active = !endsScope(rest, zh) && listOnly(rest, 4);
            } else if (active) {
                // "no nausea or vomiting, cough for 2 days": the list ends where an item has its own duration
                active = !endsScope(gap, zh) && listOnly(gap, 3) && !ownDuration(s, h, durations)
                        && !OWN_PREDICATE.matcher(s.substring(h.end(), Math.min(sentence.end(), h.end() + 16))).lookingAt();
            }
            neg[k] = active;
            // a cue after the phrase: "胸痛（-）", "fever: absent", "发热、咳嗽均无"
            String after = s.substring(h.end(), Math.min(sentence.end(), h.end() + 24));
            if (ZH_POST.matcher(after).find() || EN_POST.matcher(after).find()) {
                neg[k] = true;
                if (after.matches("^\\s*(?:均无|均未|均阴性).*")) {
                    for (int j = k - 1; j >= 0 && !neg[j]; j--) {
                        String between = s.substring(hits.get(j).end(), hits.get(j + 1).start());
                        if (!listOnly(between, 2)) {
                            break;
                        }
                        neg[j] = true;
                    }
                }
            }
            cursor = h.end();
        }
        return neg;
    }

    private static boolean pseudoAt(String gap, int at, boolean zh) {
        Matcher p = (zh ? ZH_PSEUDO : EN_PSEUDO).matcher(gap);
        while (p.find()) {
            if (p.start() <= at && at < p.end()) {
                return true;
            }
        }
        return false;
    }

    /** Whether the text holds a scope end: a clause end or a word such as "but", "伴" (commas end Chinese scopes only). */
    private static boolean endsScope(String gap, boolean zh) {
        return zh ? ZH_END.matcher(gap).find() : EN_END.matcher(gap).find();
    }

    /** True when the text between two phrases is only list punctuation, conjunctions and a few modifiers. */
    private static boolean listOnly(String gap, int maxOtherChars) {
        String g = gap.strip();
        if (g.isEmpty()) {
            return true;
        }
        if (EN_LIST_WORDS.matcher(g).matches() || ZH_LIST_WORDS.matcher(g).matches()) {
            return true;
        }
        // a few other characters (Chinese modifiers such as "明显", "剧烈") keep the scope
        String stripped = g.replaceAll("[\\s、,/及和或与]", "");
        return isHan(stripped) && stripped.length() <= maxOtherChars;
    }

    private static boolean[] hypothetical(String s, Span sentence, List<SymptomLexicon.Hit> hits) {
        boolean[] hyp = new boolean[hits.size()];
        List<Span> clauses = Spans.clauses(s, sentence.start(), sentence.end());
        for (Span c : clauses) {
            String text = s.substring(c.start(), c.end());
            Matcher z = ZH_HYPOTHETICAL.matcher(text);
            Matcher e = EN_HYPOTHETICAL.matcher(text);
            int from = Integer.MAX_VALUE;
            if (z.find()) {
                from = c.start() + z.start();
            }
            if (e.find()) {
                from = Math.min(from, c.start() + e.start());
            }
            for (int k = 0; k < hits.size(); k++) {
                int at = hits.get(k).start();
                if (at >= from && at < c.end()) {
                    hyp[k] = true;
                }
            }
        }
        return hyp;
    }

    private static final Pattern LIST_WORDS = Pattern.compile(
            "(?i)(?<![A-Za-z])(?:and|or|also|plus|with|since|for|over|the|past|last|this|ago|yesterday|today|tonight|morning|night"
                    + "|monday|tuesday|wednesday|thursday|friday|saturday|sunday)(?![A-Za-z])|及|和|与|伴|以来|来|前|[,，.。;；、/:：\\s]");

    /**
     * Each positive phrase takes the duration stated in its own clause. Clauses that continue a
     * list ("fever, rigors and cough for 2 days"; "发热，咳嗽3天") or that hold nothing but a
     * duration ("since Tuesday, 3 days") share it.
     */
    private static String[] durations(String s, Span sentence, List<SymptomLexicon.Hit> hits, boolean[] negated,
                                      List<Durations.Found> all) {
        String[] out = new String[hits.size()];
        List<Span> clauses = Spans.clauses(s, sentence.start(), sentence.end());
        int n = clauses.size();
        String[] clauseDuration = new String[n];
        boolean[] tailIsList = new boolean[n];
        boolean[] startsWithHit = new boolean[n];
        boolean[] onlyDuration = new boolean[n];
        for (int c = 0; c < n; c++) {
            Span cl = clauses.get(c);
            Durations.Found d = null;
            for (Durations.Found f : all) {
                if (f.start() >= cl.start() && f.start() < cl.end()) {
                    d = f;
                    break;
                }
            }
            clauseDuration[c] = d == null ? null : d.iso();
            int lastEnd = -1;
            int firstStart = -1;
            for (SymptomLexicon.Hit h : hits) {
                if (h.start() >= cl.start() && h.end() <= cl.end()) {
                    lastEnd = h.end();
                    if (firstStart < 0) {
                        firstStart = h.start();
                    }
                }
            }
            if (lastEnd >= 0) {
                tailIsList[c] = LIST_WORDS.matcher(s.substring(lastEnd, cl.end())).replaceAll("").isEmpty();
                startsWithHit[c] = LIST_WORDS.matcher(s.substring(cl.start(), firstStart)).replaceAll("").isEmpty();
            } else if (d != null) {
                String rest = s.substring(cl.start(), d.start()) + s.substring(d.end(), cl.end());
                onlyDuration[c] = LIST_WORDS.matcher(rest).replaceAll("").length() <= 3;
            }
        }
        for (int k = 0; k < hits.size(); k++) {
            if (negated[k]) {
                continue;
            }
            int c = clauseOf(clauses, hits.get(k).start());
            // in its clause a phrase takes the first duration after it ("headache for two days and fever since this
            // morning": the fever has none), or one stated before every phrase of the clause ("3天前出现咳嗽")
            String d = null;
            Span cl = clauses.get(c);
            SymptomLexicon.Hit h = hits.get(k);
            int firstHit = hits.stream().filter(x -> x.start() >= cl.start() && x.end() <= cl.end()).mapToInt(SymptomLexicon.Hit::start)
                    .min().orElse(h.start());
            for (Durations.Found f : all) {
                if (f.start() >= h.end() && f.start() < cl.end()) {
                    d = f.iso();
                    break;
                }
            }
            if (d == null) {
                for (Durations.Found f : all) {
                    if (f.start() >= cl.start() && f.end() <= firstHit) {
                        d = f.iso();
                        break;
                    }
                }
            }
            if (d == null) {
                // "pain for 18 hours with nausea and loss of appetite": what accompanies it shares its duration,
                // unless its own time words follow ("and fever since this morning")
                int next = hits.stream().filter(x -> x.start() > h.start()).mapToInt(SymptomLexicon.Hit::start).min().orElse(cl.end());
                String after = s.substring(h.end(), Math.min(cl.end(), Math.max(h.end(), next)));
                if (!OWN_TIME.matcher(after).find()) {
                    for (Durations.Found f : all) {
                        if (f.start() >= cl.start() && f.end() <= h.start()) {
                            d = f.iso();
                        }
                    }
                }
            }
            if (d == null && all.stream().anyMatch(f -> f.start() >= cl.start() && f.start() < cl.end())) {
                out[k] = null;
                continue;
            }
            for (int m = c; d == null && m + 1 < n && tailIsList[m] && (startsWithHit[m + 1] || onlyDuration[m + 1]); m++) {
                d = clauseDuration[m + 1];
            }
            out[k] = d;
        }
        return out;
    }

    private static final Pattern OWN_TIME = Pattern.compile("(?i)(?<![A-Za-z])(?:since|ago|today|tonight|yesterday|this\\s+(?:morning|"
            + "afternoon|evening)|last\\s+(?:night|week)|overnight|started|began|onset|from)(?![A-Za-z])|以来|起|开始|今晨|今日|昨日|昨晚|前");

    private static int clauseOf(List<Span> clauses, int at) {
        for (int c = 0; c < clauses.size(); c++) {
            if (at < clauses.get(c).end()) {
                return c;
            }
        }
        return clauses.size() - 1;
    }
}
