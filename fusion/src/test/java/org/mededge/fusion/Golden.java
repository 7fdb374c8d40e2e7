package org.mededge.fusion;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The golden corpus (src/test/resources/golden) and the field-level evaluator: items are compared
 * as multisets of keys per field type; precision, recall and F1 per field type.
 */
final class Golden {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private Golden() {
    }

    static JsonNode load(String name) {
        try (InputStream in = Golden.class.getResourceAsStream("/golden/" + name)) {
            if (in == null) {
                throw new IllegalStateException("missing golden file " + name);
            }
            return MAPPER.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** True/false positives and false negatives of one field type, with the misses kept for reading. */
    static final class Counts {
        int tp;
        int fp;
        int fn;
        final List<String> misses = new ArrayList<>();

        double precision() {
            return tp + fp == 0 ? 1 : (double) tp / (tp + fp);
        }

        double recall() {
            return tp + fn == 0 ? 1 : (double) tp / (tp + fn);
        }

        double f1() {
            double p = precision();
            double r = recall();
            return p + r == 0 ? 0 : 2 * p * r / (p + r);
        }
    }

    /** Field type → counts, in insertion order of first use. */
    static final class Scores {
        final Map<String, Counts> byType = new TreeMap<>();

        Counts of(String type) {
            return byType.computeIfAbsent(type, t -> new Counts());
        }

        /** Compares expected and predicted keys as multisets. */
        void compare(String type, String itemId, List<String> expected, List<String> predicted) {
            Counts c = of(type);
            Map<String, Integer> left = new HashMap<>();
            expected.forEach(k -> left.merge(k, 1, Integer::sum));
            for (String p : predicted) {
                Integer n = left.get(p);
                if (n != null && n > 0) {
                    c.tp++;
                    left.put(p, n - 1);
                } else {
                    c.fp++;
                    c.misses.add(itemId + " FP " + p);
                }
            }
            left.forEach((k, n) -> {
                c.fn += n;
                for (int i = 0; i < n; i++) {
                    c.misses.add(itemId + " FN " + k);
                }
            });
        }

        String table(String title) {
            StringBuilder b = new StringBuilder();
            b.append(title).append('\n');
            b.append(String.format(Locale.ROOT, "%-28s %6s %6s %6s %9s %7s %7s%n", "field type", "TP", "FP", "FN",
                    "precision", "recall", "F1"));
            byType.forEach((k, c) -> b.append(String.format(Locale.ROOT, "%-28s %6d %6d %6d %9.3f %7.3f %7.3f%n", k, c.tp,
                    c.fp, c.fn, c.precision(), c.recall(), c.f1())));
            return b.toString();
        }

        String misses() {
            StringBuilder b = new StringBuilder();
            byType.forEach((k, c) -> c.misses.forEach(m -> b.append("  [").append(k).append("] ").append(m).append('\n')));
            return b.toString();
        }
    }

    /** A number as a comparable key: 38.50 and 38.5 are the same. */
    static String number(JsonNode n) {
        return new java.math.BigDecimal(n.asText()).stripTrailingZeros().toPlainString();
    }

    static String number(java.math.BigDecimal v) {
        return v.stripTrailingZeros().toPlainString();
    }
}
