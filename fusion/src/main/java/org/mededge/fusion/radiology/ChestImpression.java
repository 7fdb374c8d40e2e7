package org.mededge.fusion.radiology;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.mededge.fusion.FusionError;
import org.mededge.fusion.FusionException;
import org.mededge.llm.AdapterRef;
import org.mededge.llm.GenerationRequest;
import org.mededge.llm.Sampling;

/**
 * The chest radiograph impression: rules decide what is present and in which order, the language
 * model (llm-demo with its {@code radiology} adapter) writes the impression from that ranked list.
 *
 * <p>Rules (firmware-scripts/models/demo/llm/radiology_cases.py {@code decide} is the same rule, and
 * the held-out file radiology-heldout.jsonl checks the two agree case by case):
 * <ul>
 *   <li>the radiologist decides: a finding the radiologist states is present ("stated"); a finding the
 *   radiologist negates is absent, whatever the model scored; a negation without a side negates both
 *   sides; a model-positive label the radiologist does not mention is "possible";</li>
 *   <li>importance: pneumothorax, pleural effusion, consolidation, cardiomegaly, nodule; right before left.</li>
 * </ul>
 * The user text the adapter was trained on is firmware-scripts/models/demo/llm/radiology-prompt.md;
 * the answer is decoded under {@code impression.schema.json}, so it is always valid against it.
 */
public final class ChestImpression {
    /** The adapter this prompt was trained for. */
    public static final String ADAPTER = "radiology";
    /** chest-demo's labels in importance order; {@code primary} is one of these or "none". */
    public static final List<String> PRIORITY = List.of("pneumothorax_right", "pneumothorax_left", "effusion_right",
            "effusion_left", "consolidation_right", "consolidation_left", "cardiomegaly", "nodule");
    static final String SYSTEM = "You are a clinical decision-support assistant on an offline hospital appliance. "
            + "Write the impression of a chest radiograph as one JSON object: primary (the first finding's label, or none), "
            + "impression (one sentence per finding, in the listed order and the report language), followUp (true for a "
            + "consolidation, or a nodule of 6 mm or more or of unknown size).";
    private static final Set<String> SIDED = Set.of("pneumothorax", "pleural effusion", "consolidation");
    private static final Map<String, String> TERM_OF_LABEL = Map.of("pneumothorax", "pneumothorax",
            "effusion", "pleural effusion", "consolidation", "consolidation", "cardiomegaly", "cardiomegaly",
            "nodule", "nodule");
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final String SCHEMA = read();

    private ChestImpression() {
    }

    /** The schema the impression is decoded under. */
    public static String schema() {
        return SCHEMA;
    }

    /**
     * A present finding, ranked.
     *
     * @param label  one of {@link #PRIORITY}
     * @param stated true when the radiologist states it; false when only the model scored it ("possible")
     * @param side   a nodule's side as the radiologist gave it, else null (other labels carry their side)
     * @param sizeMm a nodule's size in whole millimetres as the radiologist gave it, else null
     */
    public record Ranked(String label, boolean stated, String side, Integer sizeMm) {
    }

    /** The answer, parsed. */
    public record Impression(String primary, String impression, boolean followUp) {
    }

    /**
     * The rules: which labels are present, most important first.
     *
     * @param modelPositives the imaging model's positive labels (chest-demo's), any order
     * @param radiologist    the radiologist's normalized findings; terms other than the five are ignored
     */
    public static List<Ranked> rank(List<String> modelPositives, List<RadFinding> radiologist) {
        Map<String, RadFinding> stated = new LinkedHashMap<>();
        Set<String> negated = new java.util.HashSet<>();
        for (RadFinding f : radiologist) {
            for (String label : labelsOf(f)) {
                if (f.negated()) {
                    negated.add(label);
                } else {
                    stated.put(label, f);
                }
            }
        }
        List<Ranked> out = new ArrayList<>();
        for (String label : PRIORITY) {
            RadFinding f = stated.get(label);
            if (f != null) {
                boolean nodule = label.equals("nodule");
                out.add(new Ranked(label, true, nodule ? side(f.laterality()) : null, nodule ? sizeMm(f) : null));
            } else if (modelPositives.contains(label) && !negated.contains(label)) {
                out.add(new Ranked(label, false, null, null));
            }
        }
        return List.copyOf(out);
    }

    /** The user text (radiology-prompt.md): three lines. */
    public static String userText(double ctr, List<Ranked> ranked, String language) {
        String items = ranked.isEmpty() ? "none" : ranked.stream().map(ChestImpression::item).collect(Collectors.joining("; "));
        return "Cardiothoracic ratio: " + String.format(Locale.ROOT, "%.2f", ctr) + "\n"
                + "Findings, most important first: " + items + "\n"
                + "Report language: " + language;
    }

    /**
     * The request: greedy, decoded under the impression schema, with the {@code radiology} adapter
     * when the engine has it loaded (else the base model, which was never taught this task).
     *
     * @param language "zh" or "en": the language the impression is written in
     */
    public static GenerationRequest request(double ctr, List<Ranked> ranked, String language, List<String> available,
                                            int maxNewTokens, Duration deadline) {
        if (!language.equals("zh") && !language.equals("en")) {
            throw new FusionException(FusionError.FUSION_UNSUPPORTED_LANGUAGE,
                    "the report language must be zh or en, not '" + language + "'");
        }
        AdapterRef adapter = available.contains(ADAPTER) ? new AdapterRef(ADAPTER) : null;
        return new GenerationRequest(SYSTEM, userText(ctr, ranked, language), adapter, SCHEMA, maxNewTokens,
                Sampling.GREEDY, List.of(), deadline, null);
    }

    /** A parsed answer: the impression, or why there is none (a problem is shown to the radiologist, never hidden). */
    public record Parsed(Impression impression, String problem) {
    }

    /** Parses an answer decoded under {@link #schema()}. */
    public static Parsed parse(String json) {
        JsonNode n;
        try {
            n = json == null ? null : MAPPER.readTree(json);
        } catch (IOException e) {
            n = null;
        }
        if (n == null || !n.isObject()) {
            return new Parsed(null, "the language model's impression is not a JSON object");
        }
        String primary = n.path("primary").asText("");
        if (!(PRIORITY.contains(primary) || primary.equals("none")) || !n.path("impression").isTextual()
                || n.get("impression").asText().isBlank() || !n.path("followUp").isBoolean() || n.size() != 3) {
            return new Parsed(null, "the language model's impression does not match its schema");
        }
        return new Parsed(new Impression(primary, n.get("impression").asText(), n.get("followUp").asBoolean()), null);
    }

    /** The follow-up rule (a placeholder, not Fleischner): a consolidation, or a nodule of 6 mm or more or of unknown size. */
    public static boolean followUp(List<Ranked> ranked) {
        for (Ranked r : ranked) {
            if (r.label().startsWith("consolidation") || r.label().equals("nodule") && (r.sizeMm() == null || r.sizeMm() >= 6)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Checks the language model's impression against the rules: the same primary and follow-up, every
     * listed finding named once with its side, as possible only when the model alone found it, nothing
     * else named, and no number but the stated ones
     * (the CTR to two decimals, a nodule's size). Each problem is a sentence for the radiologist; an
     * impression with any problem must be reviewed before it is signed, never shown as checked.
     */
    public static List<String> problems(Impression imp, double ctr, List<Ranked> ranked) {
        List<String> out = new ArrayList<>();
        String first = ranked.isEmpty() ? "none" : ranked.get(0).label();
        if (!imp.primary().equals(first)) {
            out.add("the model names " + imp.primary() + " as the most important finding; the rules say " + first);
        }
        if (imp.followUp() != followUp(ranked)) {
            out.add(imp.followUp() ? "the model advises follow-up the rule does not" : "the model does not advise the follow-up the rule does");
        }
        List<String> named = new ArrayList<>();
        List<String> hedged = new ArrayList<>();
        for (String sentence : imp.impression().split("(?<=\\.)\\s+|(?<=。)")) {
            String label = labelNamed(sentence);
            if (label != null) {
                if (named.contains(label)) {
                    out.add("the impression names " + label + " twice");
                }
                named.add(label);
                if (sentence.startsWith("Possible") || sentence.startsWith("可疑")) {
                    hedged.add(label);
                }
            }
        }
        for (String l : named) {
            if (ranked.stream().noneMatch(r -> r.label().equals(l))) {
                out.add("the impression names " + l + ", which is not among the findings");
            }
        }
        for (Ranked r : ranked) {
            if (!named.contains(r.label())) {
                out.add("the impression leaves out " + r.label());
            } else if (r.stated() == hedged.contains(r.label())) {
                out.add(r.stated() ? "the impression calls " + r.label() + " possible; the radiologist states it"
                        : "the impression states " + r.label() + " as certain; only the imaging model found it");
            }
        }
        Set<String> allowed = new java.util.HashSet<>();
        allowed.add(String.format(Locale.ROOT, "%.2f", ctr));
        ranked.stream().filter(r -> r.sizeMm() != null).forEach(r -> allowed.add(String.valueOf(r.sizeMm())));
        java.util.regex.Matcher m = NUMBER.matcher(imp.impression());
        while (m.find()) {
            if (!allowed.contains(m.group())) {
                out.add("the impression states " + m.group() + ", a number not in the findings");
            }
        }
        return List.copyOf(out);
    }

    private static final java.util.regex.Pattern NUMBER = java.util.regex.Pattern.compile("\\d+(?:\\.\\d+)?");
    /** term words (en, zh) of each label's finding, without the side. */
    private static final List<String[]> WORDS = List.of(new String[] {"pneumothorax", "pneumothorax", "气胸"},
            new String[] {"effusion", "pleural effusion", "胸腔积液"}, new String[] {"consolidation", "consolidation", "实变"},
            new String[] {"cardiomegaly", "cardiomegaly", "心影增大"}, new String[] {"nodule", "nodule", "结节"});

    /** The label a sentence of the impression names (term and side), or null when it names none of the five. */
    static String labelNamed(String sentence) {
        String low = sentence.toLowerCase(Locale.ROOT);
        for (String[] w : WORDS) {
            if (low.contains(w[1]) || sentence.contains(w[2])) {
                if (w[0].equals("cardiomegaly") || w[0].equals("nodule")) {
                    return w[0];
                }
                boolean left = low.matches(".*\\bleft\\b.*") || sentence.contains("左");
                boolean right = low.matches(".*\\bright\\b.*") || sentence.contains("右");
                return left == right ? w[0] + "_unsided" : w[0] + (left ? "_left" : "_right");
            }
        }
        return null;
    }

    private static String item(Ranked r) {
        StringBuilder b = new StringBuilder(r.label()).append(r.stated() ? " stated" : " possible");
        if (r.label().equals("nodule") && r.stated()) {
            if (r.side() != null) {
                b.append(", ").append(r.side());
            }
            b.append(r.sizeMm() != null ? ", " + r.sizeMm() + " mm" : ", size not stated");
        }
        return b.toString();
    }

    /** The labels a radiologist's finding speaks of: a sided term without a side (or bilateral) names both sides. */
    static List<String> labelsOf(RadFinding f) {
        List<String> out = new ArrayList<>();
        for (String label : PRIORITY) {
            int u = label.indexOf('_');
            String term = TERM_OF_LABEL.get(u < 0 ? label : label.substring(0, u));
            if (!term.equals(f.term())) {
                continue;
            }
            String side = u < 0 ? null : label.substring(u + 1);
            String said = side(f.laterality());
            if (side == null || said == null || side.equals(said) || !SIDED.contains(term)) {
                out.add(label);
            }
        }
        return out;
    }

    private static String side(String laterality) {
        return laterality == null || laterality.equals("bilateral") ? null : laterality;
    }

    /** A nodule's size: its largest stated millimetres, rounded half up to whole millimetres; null when none is given. */
    private static Integer sizeMm(RadFinding f) {
        BigDecimal best = null;
        for (Measurement m : f.measurements()) {
            List<BigDecimal> vals = m.valueMm() != null ? List.of(m.valueMm())
                    : m.highMm() != null ? List.of(m.highMm()) : m.dimensionsMm();
            for (BigDecimal v : vals) {
                best = best == null || v.compareTo(best) > 0 ? v : best;
            }
        }
        return best == null ? null : best.setScale(0, java.math.RoundingMode.HALF_UP).intValueExact();
    }

    private static String read() {
        try (InputStream in = ChestImpression.class.getResourceAsStream("impression.schema.json")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
