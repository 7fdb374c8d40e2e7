package org.mededge.fusion.assess;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.mededge.fusion.FusionError;
import org.mededge.fusion.FusionException;

/**
 * The specialties a note can be assessed for, each naming its LoRA adapter and its candidate
 * diagnoses (resource {@code specialties.json}).
 */
public final class Specialties {
    public static final String GENERAL = "general";

    /** One candidate diagnosis: English name (the value the model emits), Chinese name, SNOMED CT id or null. */
    public record Candidate(String name, String zh, String snomed) {
    }

    /** @param adapter the LoRA adapter's name, or null for the base model */
    public record Specialty(String name, String adapter, List<Candidate> candidates) {
        public Specialty {
            candidates = List.copyOf(candidates);
        }

        public List<String> names() {
            return candidates.stream().map(Candidate::name).toList();
        }

        public Candidate candidate(String name) {
            return candidates.stream().filter(c -> c.name().equals(name)).findFirst().orElse(null);
        }
    }

    private static final Map<String, Specialty> ALL = load();

    private Specialties() {
    }

    public static List<String> names() {
        return List.copyOf(ALL.keySet());
    }

    /** The specialty by name (case-insensitive); null or blank means general. */
    public static Specialty get(String name) {
        String key = name == null || name.isBlank() ? GENERAL : name.strip().toLowerCase(Locale.ROOT);
        Specialty s = ALL.get(key);
        if (s == null) {
            throw new FusionException(FusionError.FUSION_UNKNOWN_SPECIALTY,
                    "Unknown specialty; use one of " + String.join(", ", ALL.keySet()) + ".");
        }
        return s;
    }

    private static Map<String, Specialty> load() {
        try (InputStream in = Specialties.class.getResourceAsStream("specialties.json")) {
            if (in == null) {
                throw new IllegalStateException("specialties.json missing from the fusion jar");
            }
            JsonNode root = new ObjectMapper().readTree(in);
            Map<String, Specialty> out = new LinkedHashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (e.getKey().startsWith("_")) {
                    continue;
                }
                JsonNode s = e.getValue();
                List<Candidate> candidates = new ArrayList<>();
                for (JsonNode c : s.get("candidates")) {
                    candidates.add(new Candidate(c.get("name").asText(), c.get("zh").asText(),
                            c.get("snomed").isNull() ? null : c.get("snomed").asText()));
                }
                String adapter = s.get("adapter").isNull() ? null : s.get("adapter").asText();
                out.put(e.getKey(), new Specialty(e.getKey(), adapter, candidates));
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
