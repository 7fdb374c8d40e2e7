package org.mededge.asr.text;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.mededge.asr.AsrError;
import org.mededge.asr.AsrException;

/**
 * Dictation post-processing, in one place for both languages: the correction lexicon fixes known
 * mis-hearings of medical terms, then voice commands ("period", "new paragraph", "next section plan";
 * 句号, 换行, 下一项 诊断) become punctuation and section breaks, then spacing and capitals are tidied.
 * The word lists are text files: built-in defaults, each replaceable by a file of the same name in
 * the configured lexicon directory. Also holds the per-specialty vocabularies used as Whisper's
 * initial prompt.
 */
public final class DictationText {
    static final String[] SPECIALTIES = {"general", "cardiology", "radiology", "respiratory"};
    private static final String PUNCT = "[\\s,.;:!?，。；：！？、]*";
    /** before a line or section break only commas and spaces go: a sentence's own full stop stays */
    private static final String SOFT = "[\\s,，、]*";

    private final Map<String, String> prompts;
    private final List<Rule> corrections = new ArrayList<>();
    private final List<Rule> commands = new ArrayList<>();

    /** One compiled replacement. */
    private record Rule(Pattern pattern, String replacement, Set<String> literalAfter, List<String> sections, boolean cjk) {
    }

    private DictationText(Map<String, String> prompts) {
        this.prompts = prompts;
    }

    /** Built-in lists, each overridden by a same-named file in {@code dir} when it exists (dir may be null). */
    public static DictationText load(Path dir) {
        Map<String, String> prompts = new LinkedHashMap<>();
        Set<String> names = new TreeSet<>(List.of(SPECIALTIES));
        if (dir != null && Files.isDirectory(dir)) {
            try (var s = Files.list(dir)) {
                s.map(p -> p.getFileName().toString()).filter(n -> n.matches("vocabulary-[a-z0-9-]+\\.txt"))
                        .forEach(n -> names.add(n.substring("vocabulary-".length(), n.length() - 4)));
            } catch (IOException e) {
                throw new IllegalArgumentException("lexicon directory " + dir + " cannot be listed");
            }
        }
        for (String n : names) {
            prompts.put(n, String.join(", ", lines(dir, "vocabulary-" + n + ".txt")));
        }
        DictationText t = new DictationText(prompts);
        for (String lang : List.of("en", "zh")) {
            boolean cjk = lang.equals("zh");
            for (String line : lines(dir, "corrections-" + lang + ".tsv")) {
                String[] f = line.split("\t");
                if (f.length < 2) {
                    throw new IllegalArgumentException("corrections-" + lang + ".tsv: line without a tab: " + line);
                }
                String body = Pattern.quote(f[0].trim());
                Pattern p = cjk ? Pattern.compile(body) : Pattern.compile("(?iu)\\b" + body + "\\b");
                t.corrections.add(new Rule(p, f[1].trim(), Set.of(), List.of(), cjk));
            }
            List<String> sections = new ArrayList<>(lines(dir, "sections-" + lang + ".txt"));
            sections.sort(Comparator.comparingInt(String::length).reversed());
            for (String line : lines(dir, "commands-" + lang + ".tsv")) {
                String[] f = line.split("\t");
                if (f.length < 2) {
                    throw new IllegalArgumentException("commands-" + lang + ".tsv: line without a tab: " + line);
                }
                String phrase = f[0].trim();
                String words = String.join("\\s+", phrase.split("\\s+"));
                Set<String> literal = f.length > 2 ? Set.of(f[2].trim().toLowerCase(Locale.ROOT).split("\\s+")) : Set.of();
                boolean section = f[1].trim().equals("SECTION");
                String before = section || f[1].contains("\\n") ? SOFT : PUNCT;
                Pattern p = cjk ? Pattern.compile(before + Pattern.quote(phrase) + PUNCT)
                        : Pattern.compile("(?iu)" + before + "\\b" + words + "\\b" + PUNCT);
                t.commands.add(new Rule(p, f[1].trim().replace("\\n", "\n"), literal, section ? sections : List.of(), cjk));
            }
        }
        return t;
    }

    /** The specialties with a vocabulary. */
    public Set<String> specialties() {
        return prompts.keySet();
    }

    /** The initial prompt for a specialty; ASR_OPTION_INVALID for one without a vocabulary. */
    public String prompt(String specialty) {
        String p = prompts.get(specialty);
        if (p == null) {
            throw new AsrException(AsrError.ASR_OPTION_INVALID, "no vocabulary for specialty '" + specialty + "'; known: "
                    + String.join(", ", prompts.keySet()));
        }
        return p;
    }

    /** Corrections, voice commands and tidying, for text in either language. */
    public String apply(String text) {
        String s = text == null ? "" : text.strip();
        for (Rule r : corrections) {
            s = r.pattern().matcher(s).replaceAll(Matcher.quoteReplacement(r.replacement()));
        }
        for (Rule r : commands) {
            s = command(s, r);
        }
        return tidy(s);
    }

    private static String command(String s, Rule r) {
        Matcher m = r.pattern().matcher(s);
        StringBuilder out = new StringBuilder();
        int last = 0;
        while (m.find()) {
            if (!r.literalAfter().isEmpty() && r.literalAfter().contains(previousWord(s, m.start()))) {
                continue;
            }
            out.append(s, last, m.start());
            last = m.end();
            if (r.sections().isEmpty()) {
                out.append(r.replacement());
                if (!r.cjk() && !r.replacement().contains("\n")) {
                    out.append(' ');
                }
                continue;
            }
            String rest = s.substring(m.end());
            String title = null;
            for (String sec : r.sections()) {
                if (rest.regionMatches(true, 0, sec, 0, sec.length())
                        && (rest.length() == sec.length() || !Character.isLetter(rest.charAt(sec.length())) || r.cjk())) {
                    title = rest.substring(0, sec.length());
                    break;
                }
            }
            if (title == null) {
                Matcher w = Pattern.compile("^[\\p{L}\\p{N}-]+").matcher(rest);
                title = w.find() ? w.group() : "";
            }
            last = m.end() + title.length();
            if (r.cjk()) {
                out.append("\n\n").append(title).append('：');
            } else {
                out.append("\n\n").append(capitalize(title.toLowerCase(Locale.ROOT))).append(": ");
            }
        }
        out.append(s.substring(last));
        return out.toString();
    }

    private static String previousWord(String s, int end) {
        int i = end;
        while (i > 0 && !Character.isLetterOrDigit(s.charAt(i - 1)) && s.charAt(i - 1) != '-') {
            i--;
        }
        int j = i;
        while (j > 0 && (Character.isLetterOrDigit(s.charAt(j - 1)) || s.charAt(j - 1) == '-')) {
            j--;
        }
        return s.substring(j, i).toLowerCase(Locale.ROOT);
    }

    /** Spacing around punctuation and line breaks, doubled punctuation, capitals at sentence starts. */
    static String tidy(String s) {
        s = s.replaceAll("[ \\t]+", " ");
        s = s.replaceAll(" +([.,;:!?，。；：！？])", "$1");
        s = s.replaceAll("([.,;:!?])[.,;:!?]+", "$1");
        s = s.replaceAll("([，。；：！？])[，。；：！？.,;:!?]+", "$1");
        s = s.replaceAll(" *\\n *", "\n");
        s = s.replaceAll("\\n{3,}", "\n\n");
        s = s.replaceAll("(?<=[\\p{IsHan}，。；：！？]) +|  +(?=[\\p{IsHan}])", "");
        s = s.strip();
        StringBuilder b = new StringBuilder(s);
        boolean start = true;
        for (int i = 0; i < b.length(); i++) {
            char c = b.charAt(i);
            if (Character.isLetter(c)) {
                if (start && Character.isLowerCase(c)) {
                    b.setCharAt(i, Character.toUpperCase(c));
                }
                start = false;
            } else if (c == '.' || c == '?' || c == '!' || c == '\n') {
                start = true;
            } else if (Character.isDigit(c)) {
                start = false;
            }
        }
        return b.toString();
    }

    private static String capitalize(String s) {
        return s.isEmpty() ? s : Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }

    private static List<String> lines(Path dir, String name) {
        try {
            String text;
            if (dir != null && Files.isRegularFile(dir.resolve(name))) {
                text = Files.readString(dir.resolve(name), StandardCharsets.UTF_8);
            } else {
                try (InputStream in = DictationText.class.getResourceAsStream(name)) {
                    if (in == null) {
                        return List.of();
                    }
                    text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                }
            }
            return text.lines().map(l -> l.replaceFirst("^#.*", "")).filter(l -> !l.isBlank()).toList();
        } catch (IOException e) {
            throw new IllegalArgumentException(name + " cannot be read: " + e.getClass().getSimpleName());
        }
    }
}
