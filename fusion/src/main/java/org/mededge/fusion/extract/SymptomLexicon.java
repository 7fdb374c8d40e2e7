package org.mededge.fusion.extract;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.mededge.fusion.Concept;

/** The bilingual symptom lexicon (resource {@code symptoms.tsv}) and its matcher. */
public final class SymptomLexicon {

    /** One lexicon entry: canonical name and its SNOMED CT concept where we are sure of one. */
    public record Entry(String name, Concept concept) {
    }

    /** A lexicon phrase found in normalized text. */
    public record Hit(Entry entry, int start, int end) {
    }

    private final Map<String, Entry> byPhrase = new HashMap<>();
    private final Pattern english;
    private final Pattern englishExactCase;
    private final Pattern chinese;
    /** Phrases written as regular expressions ("re:" in the lexicon): 胸骨后压榨样疼痛, 咳大量脓痰. */
    private final List<Map.Entry<Pattern, Entry>> patterns = new ArrayList<>();

    private static final SymptomLexicon DEFAULT = load();

    public static SymptomLexicon get() {
        return DEFAULT;
    }

    private SymptomLexicon(List<String[]> rows) {
        List<String> en = new ArrayList<>();
        List<String> enCase = new ArrayList<>();
        List<String> zh = new ArrayList<>();
        for (String[] r : rows) {
            Concept c = "-".equals(r[1]) ? null : Concept.snomed(r[1], r[2]);
            Entry e = new Entry(r[0], c);
            for (String p : phrases(r[3])) {
                if (p.isBlank()) {
                    continue;
                }
                if (p.startsWith("re:")) {
                    patterns.add(Map.entry(Pattern.compile("(?<![A-Za-z])(?i:" + p.substring(3) + ")(?![A-Za-z])"), e));
                    continue;
                }
                boolean upper = !p.equals(p.toLowerCase(java.util.Locale.ROOT));
                (upper ? enCase : en).add(p);
                byPhrase.put(upper ? p : p.toLowerCase(java.util.Locale.ROOT), e);
            }
            for (String p : phrases(r[4])) {
                if (p.startsWith("re:")) {
                    patterns.add(Map.entry(Pattern.compile(p.substring(3)), e));
                } else if (!p.isBlank()) {
                    zh.add(p);
                    byPhrase.put(p, e);
                }
            }
        }
        english = Pattern.compile("(?<![A-Za-z])(?:" + alternation(en) + ")(?![A-Za-z])", Pattern.CASE_INSENSITIVE);
        englishExactCase = Pattern.compile("(?<![A-Za-z])(?:" + alternation(enCase) + ")(?![A-Za-z])");
        chinese = Pattern.compile(alternation(zh));
    }

    /** Splits a column at '|' outside parentheses (a regex phrase keeps its own alternatives). */
    static List<String> phrases(String column) {
        List<String> out = new ArrayList<>();
        int depth = 0;
        int start = 0;
        for (int i = 0; i < column.length(); i++) {
            char c = column.charAt(i);
            if (c == '\\') {
                i++;
            } else if (c == '(') {
                depth++;
            } else if (c == ')') {
                depth--;
            } else if (c == '|' && depth == 0) {
                out.add(column.substring(start, i));
                start = i + 1;
            }
        }
        out.add(column.substring(start));
        return out;
    }

    private static String alternation(List<String> phrases) {
        List<String> sorted = new ArrayList<>(phrases);
        sorted.sort(Comparator.comparingInt(String::length).reversed());
        StringBuilder b = new StringBuilder();
        for (String p : sorted) {
            if (b.length() > 0) {
                b.append('|');
            }
            b.append(Pattern.quote(p).replace(" ", "\\E\\s+\\Q").replace("\\Q\\E", ""));
        }
        return b.length() == 0 ? "(?!)" : b.toString();
    }

    /** Non-overlapping lexicon phrases in text order, longest first where they overlap. */
    public List<Hit> find(String text) {
        List<Hit> hits = new ArrayList<>();
        collect(english.matcher(text), true, hits);
        collect(englishExactCase.matcher(text), false, hits);
        collect(chinese.matcher(text), false, hits);
        for (Map.Entry<Pattern, Entry> p : patterns) {
            Matcher m = p.getKey().matcher(text);
            while (m.find()) {
                hits.add(new Hit(p.getValue(), m.start(), m.end()));
            }
        }
        hits.sort(Comparator.comparingInt(Hit::start).thenComparing(h -> -(h.end() - h.start())));
        List<Hit> out = new ArrayList<>();
        int end = -1;
        for (Hit h : hits) {
            if (h.start() >= end) {
                out.add(h);
                end = h.end();
            }
        }
        return out;
    }

    private void collect(Matcher m, boolean lower, List<Hit> hits) {
        while (m.find()) {
            String key = m.group().replaceAll("\\s+", " ");
            Entry e = byPhrase.get(lower ? key.toLowerCase(java.util.Locale.ROOT) : key);
            if (e != null) {
                hits.add(new Hit(e, m.start(), m.end()));
            }
        }
    }

    private static SymptomLexicon load() {
        try (InputStream in = SymptomLexicon.class.getResourceAsStream("symptoms.tsv")) {
            if (in == null) {
                throw new IllegalStateException("symptoms.tsv missing from the fusion jar");
            }
            List<String[]> rows = new ArrayList<>();
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            for (String line; (line = r.readLine()) != null; ) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                String[] cols = line.split("\t", -1);
                if (cols.length != 5) {
                    throw new IllegalStateException("symptoms.tsv: expected 5 columns in: " + line);
                }
                rows.add(cols);
            }
            return new SymptomLexicon(rows);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
