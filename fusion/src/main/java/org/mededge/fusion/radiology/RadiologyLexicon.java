package org.mededge.fusion.radiology;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/** Findings, sites and modifiers of resource {@code radiology-lexicon.tsv}. */
final class RadiologyLexicon {
    enum Kind { TERM, SITE, MODIFIER }

    /** One row: canonical English name, RadLex RID (or null), Chinese house-style name, and its matcher. */
    record Entry(Kind kind, String name, String radlexId, String zh, Pattern pattern, int order) {
    }

    static final List<Entry> ENTRIES = load();

    private RadiologyLexicon() {
    }

    static List<Entry> of(Kind kind) {
        return ENTRIES.stream().filter(e -> e.kind == kind).toList();
    }

    static Entry term(String name) {
        return ENTRIES.stream().filter(e -> e.kind == Kind.TERM && e.name.equals(name)).findFirst().orElse(null);
    }

    static Entry site(String name) {
        return ENTRIES.stream().filter(e -> e.kind == Kind.SITE && e.name.equals(name)).findFirst().orElse(null);
    }

    static Entry modifier(String name) {
        return ENTRIES.stream().filter(e -> e.kind == Kind.MODIFIER && e.name.equals(name)).findFirst().orElse(null);
    }

    private static List<Entry> load() {
        try (InputStream in = RadiologyLexicon.class.getResourceAsStream("radiology-lexicon.tsv")) {
            if (in == null) {
                throw new IllegalStateException("radiology-lexicon.tsv missing from the fusion jar");
            }
            List<Entry> out = new ArrayList<>();
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            int order = 0;
            for (String line; (line = r.readLine()) != null; ) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                String[] c = line.split("\t", -1);
                if (c.length != 6) {
                    throw new IllegalStateException("radiology-lexicon.tsv: expected 6 columns in: " + line);
                }
                Pattern p = Pattern.compile("(?<![A-Za-z])(?i:" + c[4] + ")(?![A-Za-z])|" + c[5]);
                out.add(new Entry(Kind.valueOf(c[0].toUpperCase(java.util.Locale.ROOT)), c[1],
                        "-".equals(c[2]) ? null : c[2], c[3], p, order++));
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
