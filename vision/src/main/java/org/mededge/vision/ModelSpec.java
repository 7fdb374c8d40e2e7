package org.mededge.vision;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * An imaging model as its installed model.yaml declares it: input tensor, preprocessing, output
 * activation, labels with RadLex ids and thresholds. Built from the parsed YAML and validated here,
 * so a wrong declaration fails at start-up with a message naming the key, never at the first study.
 *
 * @param dir       the model's installed directory
 * @param clinical  true only for a model validated to report clinical findings; test and demo
 *                  models are false and their labels are never presented as findings about a patient
 * @param maxBatch  largest batch a backend may run (occlusion heatmaps batch their inputs)
 */
public record ModelSpec(
        String name,
        String version,
        String sha256,
        String tier,
        boolean clinical,
        Path dir,
        String onnxFile,
        String torchscriptFile,
        Input input,
        int maxBatch,
        Preprocessing preprocessing,
        Postprocessing postprocessing,
        List<Label> labels,
        List<Measurement> measurements,
        Gate gate) {

    /** The model's one input: NCHW float32 of {@code channels} x {@code height} x {@code width}. */
    public record Input(String name, int channels, int height, int width) {
        public long[] shape(int batch) {
            return new long[] {batch, channels, height, width};
        }
    }

    public enum Colour { RGB, GREY }

    public enum Resize { CENTRE_CROP, LETTERBOX, STRETCH }

    public enum Activation { SOFTMAX, SIGMOID, NONE }

    /**
     * How a decoded image (display values in [0, 1]) becomes the model's input.
     *
     * @param crop  for centre-crop: the fraction of the shorter side kept (ImageNet: 0.875; 1 = square crop)
     * @param pad   for letterbox: the padding value in display units [0, 1]
     * @param scale display range [0, 1] maps linearly onto [scale[0], scale[1]] (torchxrayvision: [-1024, 1024])
     * @param mean  per-channel mean subtracted after scaling, or null
     * @param std   per-channel divisor after the mean, or null
     * @param claheClip CLAHE clip limit, 0 = off (grey models only)
     */
    public record Preprocessing(Colour colour, Resize resize, double crop, double pad, boolean invert,
                                double claheClip, int claheTiles, double[] scale, double[] mean, double[] std) {
    }

    /** @param topK report only the K most probable labels (0 = all, in declared order) */
    public record Postprocessing(Activation activation, int topK) {
    }

    /**
     * @param radlexId   RadLex RID, or null where none applies or none is known
     * @param critical   declared {@code critical: true} in model.yaml: a positive finding needs urgent action (a red flag)
     * @param laterality "left" or "right" (the patient's side) for a label that names one side, else null
     */
    public record Label(String name, String radlexId, double threshold, boolean critical, String laterality) {
        public Label(String name, String radlexId, double threshold) {
            this(name, radlexId, threshold, false, null);
        }
    }

    /**
     * A number the model measures (a regression output), in the output column after the labels and
     * the measurements before it. Values outside [min, max] are not reported (a model off its range
     * says nothing rather than something impossible).
     *
     * @param unit   UCUM unit ("1" for a ratio)
     * @param system code system of {@code code} (a URI), or null when no standard code is known
     */
    public record Measurement(String name, String unit, String system, String code, double min, double max) {
    }

    /**
     * An input gate: the output column after the measurements is a logit that the input is what the
     * model reads ({@code accepts}); below {@code threshold} in probability the study is refused
     * before any finding is made.
     */
    public record Gate(String accepts, double threshold) {
    }

    public ModelSpec {
        labels = List.copyOf(labels);
        measurements = measurements == null ? List.of() : List.copyOf(measurements);
    }

    /** A spec with labels only (no measurements, no gate). */
    public ModelSpec(String name, String version, String sha256, String tier, boolean clinical, Path dir, String onnxFile,
                     String torchscriptFile, Input input, int maxBatch, Preprocessing preprocessing,
                     Postprocessing postprocessing, List<Label> labels) {
        this(name, version, sha256, tier, clinical, dir, onnxFile, torchscriptFile, input, maxBatch, preprocessing,
                postprocessing, labels, List.of(), null);
    }

    /** Values the model's one output holds per item: the labels, then the measurements, then the gate. */
    public int outputs() {
        return labels.size() + measurements.size() + (gate == null ? 0 : 1);
    }

    public int labelIndex(String label) {
        for (int i = 0; i < labels.size(); i++) {
            if (labels.get(i).name().equalsIgnoreCase(label)) {
                return i;
            }
        }
        return -1;
    }

    public Path onnxPath() {
        return onnxFile == null ? null : dir.resolve(onnxFile);
    }

    public Path torchscriptPath() {
        return torchscriptFile == null ? null : dir.resolve(torchscriptFile);
    }

    /**
     * Reads the model.yaml of an installed model (as parsed by the appliance's registry).
     *
     * @param sha256 the verified checksum of the model's main file, for provenance
     */
    public static ModelSpec from(Map<String, Object> yaml, Path dir, String sha256) {
        Reader r = new Reader(yaml, String.valueOf(yaml.getOrDefault("name", dir.getParent() == null ? "model" : dir.getParent().getFileName())));
        String name = r.required(yaml, "name", "");
        String version = r.string(yaml, "version", "1");
        String tier = r.string(yaml, "tier", "production");
        boolean clinical = Boolean.TRUE.equals(yaml.get("clinical"));
        List<String> files = new ArrayList<>();
        if (yaml.get("files") instanceof List<?> list) {
            for (Object o : list) {
                if (o instanceof Map<?, ?> f && f.get("path") != null) {
                    files.add(String.valueOf(f.get("path")));
                }
            }
        }
        String onnx = files.stream().filter(f -> f.endsWith(".onnx")).findFirst().orElse(null);
        String torch = files.stream().filter(f -> f.endsWith(".pt") || f.endsWith(".torchscript")).findFirst().orElse(null);
        if (onnx == null && torch == null) {
            throw r.invalid("lists neither an .onnx nor a TorchScript (.pt) file");
        }

        Map<String, Object> in = r.map(r.first(yaml, "inputs"), "inputs[0]");
        List<?> shape = r.list(in, "shape");
        if (shape.size() != 4) {
            throw r.invalid("inputs[0].shape must have 4 dimensions [N, C, H, W], has " + shape.size());
        }
        String layout = r.string(in, "layout", "NCHW").toUpperCase(Locale.ROOT);
        if (!layout.equals("NCHW")) {
            throw r.invalid("inputs[0].layout " + layout + " is not supported (NCHW only)");
        }
        String dtype = r.string(in, "dtype", "float32");
        if (!dtype.equals("float32")) {
            throw r.invalid("inputs[0].dtype " + dtype + " is not supported (float32 only)");
        }
        int channels = r.positive(shape.get(1), "inputs[0].shape[1]");
        Input input = new Input(r.required(in, "name", "inputs[0]."), channels,
                r.positive(shape.get(2), "inputs[0].shape[2]"), r.positive(shape.get(3), "inputs[0].shape[3]"));
        int maxBatch = yaml.containsKey("maxBatch") ? r.positive(yaml.get("maxBatch"), "maxBatch") : 1;

        Map<String, Object> p = r.map(yaml.getOrDefault("preprocessing", Map.of()), "preprocessing");
        Colour colour = r.enumValue(Colour.class, r.string(p, "colour", channels == 1 ? "grey" : "rgb"), "preprocessing.colour");
        if ((colour == Colour.GREY) != (channels == 1) || (colour == Colour.RGB && channels != 3)) {
            throw r.invalid("preprocessing.colour " + colour.name().toLowerCase(Locale.ROOT) + " does not fit an input with "
                    + channels + " channel(s)");
        }
        Resize resize = r.enumValue(Resize.class, r.string(p, "resize", "stretch"), "preprocessing.resize");
        double crop = r.number(p, "crop", 1.0);
        if (!(crop > 0 && crop <= 1)) {
            throw r.invalid("preprocessing.crop must be in (0, 1], was " + crop);
        }
        double pad = r.number(p, "pad", 0.0);
        Map<String, Object> clahe = r.map(p.getOrDefault("clahe", Map.of()), "preprocessing.clahe");
        double clip = r.number(clahe, "clipLimit", 0.0);
        int tiles = (int) r.number(clahe, "tiles", 8);
        if (clip > 0 && colour != Colour.GREY) {
            throw r.invalid("preprocessing.clahe applies to grey models only");
        }
        if (clip < 0 || tiles < 1 || tiles > 64) {
            throw r.invalid("preprocessing.clahe needs clipLimit >= 0 and 1..64 tiles");
        }
        double[] scale = r.numbers(p, "scale", new double[] {0, 1}, 2);
        double[] mean = r.numbers(p, "mean", null, channels);
        double[] std = r.numbers(p, "std", null, channels);
        if (std != null) {
            for (double s : std) {
                if (s == 0) {
                    throw r.invalid("preprocessing.std must not contain 0");
                }
            }
        }
        Preprocessing pre = new Preprocessing(colour, resize, crop, pad, Boolean.TRUE.equals(p.get("invert")),
                clip, tiles, scale, mean, std);

        Map<String, Object> post = r.map(yaml.getOrDefault("postprocessing", Map.of()), "postprocessing");
        Activation activation = r.enumValue(Activation.class, r.string(post, "activation", "softmax"), "postprocessing.activation");
        int topK = (int) r.number(post, "topK", 0);
        double defaultThreshold = r.number(post, "threshold", 0.5);

        List<Label> labels = readLabels(r, yaml.get("labels"), dir, defaultThreshold);
        if (topK < 0 || topK > labels.size()) {
            throw r.invalid("postprocessing.topK must be 0..(number of labels " + labels.size() + ")");
        }
        List<Measurement> measurements = new ArrayList<>();
        if (yaml.get("measurements") != null) {
            List<?> list = r.list(yaml, "measurements");
            for (int i = 0; i < list.size(); i++) {
                Map<String, Object> m = r.map(list.get(i), "measurements[" + i + "]");
                double min = r.number(m, "min", Double.NEGATIVE_INFINITY);
                double max = r.number(m, "max", Double.POSITIVE_INFINITY);
                if (!(min < max)) {
                    throw r.invalid("measurements[" + i + "] needs min < max");
                }
                String system = r.string(m, "system", null);
                String code = r.string(m, "code", null);
                if ((system == null) != (code == null)) {
                    throw r.invalid("measurements[" + i + "] needs both system and code, or neither");
                }
                measurements.add(new Measurement(r.required(m, "name", "measurements[" + i + "]."),
                        r.required(m, "unit", "measurements[" + i + "]."), system, code, min, max));
            }
        }
        Gate gate = null;
        if (yaml.get("gate") != null) {
            Map<String, Object> g = r.map(yaml.get("gate"), "gate");
            double t = r.number(g, "threshold", 0.5);
            if (!(t > 0 && t < 1)) {
                throw r.invalid("gate.threshold must be in (0, 1)");
            }
            gate = new Gate(r.required(g, "accepts", "gate."), t);
        }
        return new ModelSpec(name, version, sha256, tier, clinical, dir, onnx, torch, input, maxBatch, pre,
                new Postprocessing(activation, topK), labels, measurements, gate);
    }

    private static List<Label> readLabels(Reader r, Object node, Path dir, double threshold) {
        if (!(node instanceof Map<?, ?> m)) {
            throw r.invalid("has no 'labels' mapping (file: or list:)");
        }
        List<Label> out = new ArrayList<>();
        if (m.get("file") != null) {
            Path file = dir.resolve(String.valueOf(m.get("file"))).normalize();
            if (!file.startsWith(dir)) {
                throw r.invalid("labels.file leaves the model directory");
            }
            try {
                boolean wordnet = "wordnet".equals(r.string(r.map(m, "labels"), "format", "plain"));
                for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                    if (!line.isBlank()) {
                        out.add(new Label(wordnet ? wordnetName(line) : line.strip(), null, threshold));
                    }
                }
            } catch (IOException e) {
                throw r.invalid("labels.file " + m.get("file") + " cannot be read");
            }
        } else if (m.get("list") instanceof List<?> list) {
            for (int i = 0; i < list.size(); i++) {
                Map<String, Object> l = r.map(list.get(i), "labels.list[" + i + "]");
                String radlex = r.string(l, "radlex", null);
                if (radlex != null && !radlex.matches("RID\\d+")) {
                    throw r.invalid("labels.list[" + i + "].radlex '" + radlex + "' is not a RadLex id (RID followed by digits)");
                }
                double t = r.number(l, "threshold", threshold);
                if (!(t >= 0 && t <= 1)) {
                    throw r.invalid("labels.list[" + i + "].threshold must be in [0, 1]");
                }
                Object critical = l.get("critical");
                if (critical != null && !(critical instanceof Boolean)) {
                    throw r.invalid("labels.list[" + i + "].critical must be true or false");
                }
                String side = r.string(l, "laterality", null);
                if (side != null && !side.equals("left") && !side.equals("right")) {
                    throw r.invalid("labels.list[" + i + "].laterality must be left or right, was '" + side + "'");
                }
                out.add(new Label(r.required(l, "name", "labels.list[" + i + "]."), radlex, t, Boolean.TRUE.equals(critical), side));
            }
        }
        if (out.isEmpty()) {
            throw r.invalid("declares no labels");
        }
        return out;
    }

    /** "n02051845 pelican" or "n01614925 bald eagle, American eagle, ..." to its first common name. */
    static String wordnetName(String line) {
        String s = line.strip().replaceFirst("^n\\d{8}\\s+", "");
        int comma = s.indexOf(", ");
        return comma > 0 ? s.substring(0, comma) : s;
    }

    /** Typed access to the parsed YAML with errors that name the model and the key. */
    private record Reader(Map<String, Object> yaml, String model) {
        VisionException invalid(String what) {
            return new VisionException(VisionError.VISION_MODEL_INVALID, "model.yaml of " + model + " " + what);
        }

        String string(Map<String, Object> m, String key, String dflt) {
            Object v = m.get(key);
            return v == null || String.valueOf(v).isBlank() ? dflt : String.valueOf(v).strip();
        }

        String required(Map<String, Object> m, String key, String where) {
            String v = string(m, key, null);
            if (v == null) {
                throw invalid("has no '" + where + key + "'");
            }
            return v;
        }

        double number(Map<String, Object> m, String key, double dflt) {
            Object v = m.get(key);
            if (v == null) {
                return dflt;
            }
            if (v instanceof Number n) {
                return n.doubleValue();
            }
            throw invalid("'" + key + "' must be a number, was '" + v + "'");
        }

        double[] numbers(Map<String, Object> m, String key, double[] dflt, int n) {
            Object v = m.get(key);
            if (v == null) {
                return dflt;
            }
            if (!(v instanceof List<?> l) || l.size() != n) {
                throw invalid("'" + key + "' must be a list of " + n + " numbers");
            }
            double[] out = new double[n];
            for (int i = 0; i < n; i++) {
                if (!(l.get(i) instanceof Number x)) {
                    throw invalid("'" + key + "' must be a list of " + n + " numbers");
                }
                out[i] = x.doubleValue();
            }
            return out;
        }

        int positive(Object v, String what) {
            if (v instanceof Number n && n.intValue() > 0 && n.doubleValue() == n.intValue()) {
                return n.intValue();
            }
            throw invalid(what + " must be a positive integer, was '" + v + "'");
        }

        List<?> list(Map<String, Object> m, String key) {
            if (m.get(key) instanceof List<?> l) {
                return l;
            }
            throw invalid("'" + key + "' must be a list");
        }

        Object first(Map<String, Object> m, String key) {
            List<?> l = list(m, key);
            if (l.isEmpty()) {
                throw invalid("'" + key + "' is empty");
            }
            return l.get(0);
        }

        @SuppressWarnings("unchecked")
        Map<String, Object> map(Object v, String what) {
            if (v instanceof Map<?, ?> m) {
                return (Map<String, Object>) m;
            }
            throw invalid("'" + what + "' must be a mapping");
        }

        <E extends Enum<E>> E enumValue(Class<E> type, String v, String what) {
            String key = v.toUpperCase(Locale.ROOT).replace('-', '_').replace("CENTER", "CENTRE").replace("GRAY", "GREY");
            try {
                return Enum.valueOf(type, key);
            } catch (IllegalArgumentException e) {
                List<String> allowed = new ArrayList<>();
                for (E x : type.getEnumConstants()) {
                    allowed.add(x.name().toLowerCase(Locale.ROOT).replace('_', '-'));
                }
                throw invalid(what + " '" + v + "' is not one of " + allowed);
            }
        }
    }
}
