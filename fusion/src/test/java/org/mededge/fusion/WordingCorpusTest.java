package org.mededge.fusion;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.junit.jupiter.api.Test;

import org.mededge.fusion.WordingCorpus.Note;
import org.mededge.fusion.WordingCorpus.S;
import org.mededge.fusion.WordingCorpus.V;

/**
 * Scores the structurer exactly on {@link WordingCorpus}: a note is right when its report holds every
 * value with its code, value, unit and comparator and no other, every earlier value as history, the
 * expected flags and no others (the assessment's own flag aside), and, where the family is about
 * them, exactly the expected symptoms and section texts. A value under a measure (or with a value)
 * the note does not state is counted apart: it must never happen.
 */
class WordingCorpusTest {
    private static final ReportAssembler A = new ReportAssembler(FusionConfig.defaults());

    record Score(int notes, int right, int wrongValues, List<String> failures) {
    }

    static Map<String, Score> score(List<Note> notes) {
        Map<String, Score> by = new LinkedHashMap<>();
        for (String f : WordingCorpus.FAMILIES) {
            by.put(f, new Score(0, 0, 0, new ArrayList<>()));
        }
        for (Note n : notes) {
            StructuredReport r = A.structure(new NoteRequest(n.text(), null, null), Optional.empty());
            List<String> why = new ArrayList<>();
            List<V> got = new ArrayList<>();
            for (ClinicalValue c : r.vitals()) {
                got.add(new V(c.code(), c.value(), c.comparator()));
                unit(c, why);
            }
            for (ClinicalValue c : r.labs()) {
                got.add(new V(c.code(), c.value(), c.comparator()));
                unit(c, why);
            }
            List<V> before = new ArrayList<>();
            for (ClinicalValue c : r.earlier()) {
                before.add(new V(c.code(), c.value(), c.comparator()));
            }
            int wrong = 0;
            for (V g : got) {
                if (n.values().stream().noneMatch(g::same)) {
                    wrong++;
                }
            }
            for (V g : before) {
                if (n.earlier().stream().noneMatch(g::same) && n.values().stream().noneMatch(g::same)) {
                    wrong++;
                }
            }
            if (!sameSet(got, n.values())) {
                why.add("values " + got + " want " + n.values());
            }
            if (!sameSet(before, n.earlier())) {
                why.add("earlier " + before + " want " + n.earlier());
            }
            Set<String> flags = new LinkedHashSet<>();
            for (Flag f : r.flags()) {
                if (!(f.code() == FlagCode.NEEDS_REVIEW && f.field() != null && f.field().startsWith("assessment"))) {
                    flags.add(f.code() + " " + f.field());
                }
            }
            if (!flags.equals(n.flags())) {
                why.add("flags " + flags + " want " + n.flags());
            }
            if (n.symptoms() != null) {
                Set<S> sy = new LinkedHashSet<>();
                r.symptoms().forEach(s -> sy.add(new S(s.name(), s.negated(), s.durationIso())));
                if (!sy.equals(new LinkedHashSet<>(n.symptoms()))) {
                    why.add("symptoms " + sy + " want " + n.symptoms());
                }
            }
            if (n.sections() != null) {
                for (Map.Entry<String, String> e : n.sections().entrySet()) {
                    String have = r.sections().getOrDefault(e.getKey(), "").replaceAll("^[\\s.。,，:：;；]+|[\\s.。,，:：;；]+$", "");
                    if (!have.equalsIgnoreCase(e.getValue())) {
                        why.add(e.getKey() + " \"" + have + "\" want \"" + e.getValue() + "\"");
                    }
                }
            }
            Score s = by.get(n.family());
            if (why.isEmpty()) {
                by.put(n.family(), new Score(s.notes() + 1, s.right() + 1, s.wrongValues() + wrong, s.failures()));
            } else {
                s.failures().add(n.text() + "  ->  " + String.join("; ", why));
                by.put(n.family(), new Score(s.notes() + 1, s.right(), s.wrongValues() + wrong, s.failures()));
            }
        }
        return by;
    }

    private static void unit(ClinicalValue c, List<String> why) {
        String want = org.mededge.fusion.extract.Measure.ofLoinc(c.code()).unit();
        if (!want.equals(c.unit())) {
            why.add(c.code() + " unit " + c.unit());
        }
    }

    private static boolean sameSet(List<V> a, List<V> b) {
        return a.size() == b.size() && a.stream().allMatch(x -> b.stream().anyMatch(x::same))
                && b.stream().allMatch(x -> a.stream().anyMatch(x::same));
    }

    static String table(Map<String, Score> by) {
        StringBuilder b = new StringBuilder("| family | notes | exactly right | values under a wrong measure or value |\n|---|---|---|---|\n");
        int n = 0;
        int right = 0;
        int wrong = 0;
        for (Map.Entry<String, Score> e : by.entrySet()) {
            Score s = e.getValue();
            b.append(String.format(java.util.Locale.ROOT, "| %s | %d | %.1f %% | %d |%n", e.getKey(), s.notes(),
                    100.0 * s.right() / Math.max(1, s.notes()), s.wrongValues()));
            n += s.notes();
            right += s.right();
            wrong += s.wrongValues();
        }
        b.append(String.format(java.util.Locale.ROOT, "| all | %d | %.1f %% | %d |%n", n, 100.0 * right / Math.max(1, n), wrong));
        return b.toString();
    }

    @Test
    void everyFamilyIsRightInAtLeast99PercentOfNotesAndNoValueLandsUnderTheWrongMeasure() {
        List<Note> notes = WordingCorpus.all();
        Map<String, Score> by = score(notes);
        System.out.print(table(by));
        List<String> shown = new ArrayList<>();
        for (Map.Entry<String, Score> e : by.entrySet()) {
            e.getValue().failures().stream().limit(6).forEach(x -> shown.add(e.getKey() + ": " + x));
        }
        shown.forEach(System.out::println);
        for (Map.Entry<String, Score> e : by.entrySet()) {
            Score s = e.getValue();
            assertTrue(s.notes() >= 200, e.getKey() + " has only " + s.notes() + " notes");
            assertTrue(s.right() >= 0.99 * s.notes(), e.getKey() + ": " + s.right() + " of " + s.notes() + " right\n" + String.join("\n", shown));
            assertEquals(0, s.wrongValues(), e.getKey() + ": values under a wrong measure\n" + String.join("\n", shown));
        }
    }

    @Test
    void theCorpusIsTheSameOnEveryRun() {
        List<Note> a = WordingCorpus.all();
        List<Note> b = WordingCorpus.all();
        assertEquals(a, b);
        assertTrue(a.stream().map(Note::text).distinct().count() > 1500, "the corpus should hold many distinct notes");
        // the truth is not empty where a family is about values
        assertTrue(a.stream().filter(n -> n.family().equals("lists and slashes") && !n.form().equals("mismatch"))
                .allMatch(n -> n.values().size() >= 2));
        assertTrue(a.stream().filter(n -> n.form().equals("mismatch")).count() >= 30, "names and values that do not pair are scored too");
        assertTrue(a.stream().noneMatch(n -> n.values().stream().anyMatch(v -> v.value().compareTo(BigDecimal.ZERO) <= 0)));
    }
}
