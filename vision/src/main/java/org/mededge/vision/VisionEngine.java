package org.mededge.vision;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Logger;

import org.mededge.vision.io.DecodedImage;
import org.mededge.vision.io.HeatmapImage;
import org.mededge.vision.io.ImageDecoder;
import org.mededge.vision.io.ImageLimits;
import org.mededge.vision.io.Preprocessor;
import org.mededge.vision.ort.OrtBackends;
import org.mededge.vision.tensorrt.TensorRtBackends;
import org.mededge.vision.torch.TorchBackends;

/**
 * The imaging engine: decode → preprocess → infer → findings, each a plain function of the previous
 * stage's result, timed. The backend is chosen once, at start-up, from the configured preference
 * order; an accelerated backend is used only if it agrees with the CPU ONNX Runtime reference.
 */
public final class VisionEngine implements ImagingModel {
    private static final Logger LOG = Logger.getLogger(VisionEngine.class.getName());

    private final ModelSpec spec;
    private final VisionConfig config;
    private final InferenceBackend backend;
    private final List<String> notes;
    private final ImageDecoder decoder;
    private final Preprocessor preprocessor;
    private final Semaphore slots;
    private final Semaphore pixels;
    private final AtomicBoolean closed = new AtomicBoolean();

    private VisionEngine(ModelSpec spec, VisionConfig config, InferenceBackend backend, List<String> notes) {
        this.spec = spec;
        this.config = config;
        this.backend = backend;
        this.notes = List.copyOf(notes);
        this.decoder = new ImageDecoder(new ImageLimits(config.maxImageBytes(), config.maxPixels()));
        this.preprocessor = new Preprocessor(spec);
        this.slots = new Semaphore(config.maxConcurrent(), true);
        this.pixels = new Semaphore((int) config.maxPixelsInFlight(), true);
    }

    /**
     * Loads the model on the first backend of the configured order that can serve it here.
     *
     * @throws VisionException VISION_BACKEND_UNAVAILABLE naming why each backend could not
     */
    public static VisionEngine open(ModelSpec spec, VisionConfig config) {
        // DJL's ONNX Runtime engine must create the process's OrtEnvironment: ask for it first
        if (config.backends().contains(OrtBackends.NAME) || config.acceleratedTolerance() > 0) {
            try {
                OrtBackends.engine();
            } catch (BackendUnavailableException e) {
                LOG.warning(e.getMessage());
            }
        }
        List<String> notes = new ArrayList<>();
        for (String name : config.backends()) {
            InferenceBackend b = null;
            try {
                b = load(name, spec, config);
                float[] probe = check(b, spec);
                if (!b.device().equals("cpu") && config.acceleratedTolerance() > 0) {
                    compareWithReference(b, spec, config, probe);
                }
                LOG.info(() -> "vision model " + spec.name() + " " + spec.version() + " serves on " + name);
                return new VisionEngine(spec, config, b, notes);
            } catch (VisionException e) {
                if (b != null) {
                    b.close();
                }
                if (!(e instanceof BackendUnavailableException)) {
                    throw e; // not about this backend (OpenCV missing, say): no other backend would do better
                }
                notes.add(e.getMessage());
            }
        }
        throw new VisionException(VisionError.VISION_BACKEND_UNAVAILABLE, "no backend could load " + spec.name() + " "
                + spec.version() + ": " + String.join("; ", notes));
    }

    private static InferenceBackend load(String name, ModelSpec spec, VisionConfig config) {
        return switch (name) {
            case TensorRtBackends.NAME -> TensorRtBackends.open(spec);
            case OrtBackends.NAME -> OrtBackends.open(spec.onnxPath(), config.device(), config.threads());
            case TorchBackends.NAME -> TorchBackends.open(spec.torchscriptPath(), config.device());
            default -> throw new BackendUnavailableException(name + ": unknown backend");
        };
    }

    /** Runs a synthetic probe: the model must accept the declared input and give one value per label. */
    private static float[] check(InferenceBackend b, ModelSpec spec) {
        float[][] out;
        try {
            out = b.run(probe(spec));
        } catch (VisionException e) {
            throw new BackendUnavailableException(b.name() + ": the model rejected the input model.yaml declares ("
                    + e.getMessage() + ")", e);
        }
        if (out.length != 1 || out[0].length != spec.outputs()) {
            throw new BackendUnavailableException(b.name() + ": the model gives " + (out.length == 0 ? 0 : out[0].length)
                    + " outputs but model.yaml declares " + spec.labels().size() + " labels"
                    + (spec.outputs() == spec.labels().size() ? "" : ", " + spec.measurements().size() + " measurement(s)"
                    + (spec.gate() == null ? "" : " and a gate")));
        }
        for (float v : out[0]) {
            if (!Float.isFinite(v)) {
                throw new BackendUnavailableException(b.name() + ": the model gives non-finite outputs on a test input");
            }
        }
        return out[0];
    }

    private static void compareWithReference(InferenceBackend b, ModelSpec spec, VisionConfig config, float[] probe) {
        double[] accelerated = Postprocess.probabilities(probe, spec);
        double[] reference;
        try (InferenceBackend cpu = OrtBackends.open(spec.onnxPath(), "cpu", config.threads())) {
            reference = Postprocess.probabilities(cpu.run(probe(spec))[0], spec);
        } catch (BackendUnavailableException e) {
            throw new BackendUnavailableException(b.name() + " on " + b.device() + " could not be checked against the CPU "
                    + "reference (" + e.getMessage() + "); not used");
        }
        double worst = 0;
        for (int i = 0; i < reference.length; i++) {
            worst = Math.max(worst, Math.abs(reference[i] - accelerated[i]));
        }
        if (worst > config.acceleratedTolerance()) {
            throw new BackendUnavailableException(b.name() + " on " + b.device() + " differs from the CPU reference by "
                    + worst + " in probability (tolerance " + config.acceleratedTolerance() + "); not used");
        }
    }

    /** A deterministic test image (diagonal gradient with a bright square) through the model's own preprocessing. */
    static Tensor probe(ModelSpec spec) {
        int w = spec.input().width();
        int h = spec.input().height();
        float[] px = new float[w * h];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                boolean square = x > w / 3 && x < w / 2 && y > h / 3 && y < h / 2;
                px[y * w + x] = square ? 0.95f : (float) (x + y) / (w + h);
            }
        }
        DecodedImage img = new DecodedImage(w, h, 1, px, "probe", null, null, null, 1, null);
        return new Preprocessor(spec).apply(img).tensor();
    }

    @Override
    public ModelSpec spec() {
        return spec;
    }

    @Override
    public String backend() {
        return backend.name();
    }

    @Override
    public String device() {
        return backend.device();
    }

    @Override
    public List<String> notes() {
        return notes;
    }

    @Override
    public String describe() {
        StringBuilder s = new StringBuilder("backend ").append(backend.name()).append(" on ").append(backend.device());
        if (!spec.clinical()) {
            s.append("; ").append(spec.tier()).append(" model, not clinical: its labels are not findings about a patient");
        }
        for (String n : notes) {
            s.append("; ").append(n);
        }
        return s.toString();
    }

    @Override
    public Analysis analyze(byte[] bytes, String mediaType) {
        // the header says how large the image will be once decoded: its pixels are taken from the
        // budget first (an image over the per-image limit is refused by the decoder, not here)
        int px = (int) Math.min(decoder.pixels(bytes, mediaType), config.maxPixelsInFlight());
        acquire(pixels, px, "the decoded-pixel budget of " + config.maxPixelsInFlight() + " pixels stayed spent");
        try {
            return analyzeWithin(bytes, mediaType);
        } finally {
            pixels.release(px);
        }
    }

    private Analysis analyzeWithin(byte[] bytes, String mediaType) {
        acquire();
        try {
            long t0 = System.nanoTime();
            DecodedImage image = decoder.decode(bytes, mediaType);
            long t1 = System.nanoTime();
            Preprocessor.ModelInput input = preprocessor.apply(image);
            long t2 = System.nanoTime();
            float[] raw = infer(input.tensor())[0];
            long t3 = System.nanoTime();
            Postprocess.gate(raw, spec);
            ImagingFindings.Study study = new ImagingFindings.Study(image.width(), image.height(), image.modality(), image.bodyPart(),
                    image.studyUid());
            ImageStudy prepared = new ImageStudy(study, image.format(), image.frames(), image.window(), input,
                    millis(t0, t1), millis(t1, t2), View.of(image));
            ImagingFindings findings = new ImagingFindings(study, Postprocess.findings(raw, spec), Postprocess.measured(raw, spec),
                    provenance(),
                    new ImagingFindings.Timings(millis(t0, t1), millis(t1, t2), millis(t2, t3)));
            return new Analysis(prepared, findings);
        } finally {
            slots.release();
        }
    }

    @Override
    public Heatmap heatmap(ImageStudy study, String label) {
        int index = label == null ? -1 : spec.labelIndex(label);
        if (index < 0) {
            List<String> names = spec.labels().stream().map(ModelSpec.Label::name).limit(20).toList();
            throw new VisionException(VisionError.VISION_UNKNOWN_LABEL, "Model " + spec.name() + " has no label '" + label
                    + "'; its labels include " + names + (spec.labels().size() > 20 ? " ..." : "") + ".");
        }
        acquire();
        try {
            long t0 = System.nanoTime();
            Occlusion.Result r = Occlusion.map(study.input(), index, spec, config.heatmapGrid(), this::infer);
            long ms = millis(t0, System.nanoTime());
            byte[] png = HeatmapImage.render(r.drop(), r.width(), r.height(), study.input());
            return new Heatmap(spec.labels().get(index).name(), r.width(), r.height(), r.drop(), r.baseline(), r.maxDrop(),
                    r.patch(), r.stride(), ms, png);
        } finally {
            slots.release();
        }
    }

    private float[][] infer(Tensor batch) {
        if (closed.get()) {
            throw new VisionException(VisionError.VISION_BACKEND_UNAVAILABLE, "The imaging engine is shutting down.");
        }
        return backend.run(batch);
    }

    private ImagingFindings.ModelProvenance provenance() {
        return new ImagingFindings.ModelProvenance(spec.name(), spec.version(), spec.sha256(), backend.name(),
                backend.device(), spec.tier(), spec.clinical());
    }

    private void acquire() {
        acquire(slots, 1, "all " + config.maxConcurrent() + " imaging slots stayed busy");
    }

    private void acquire(Semaphore s, int permits, String why) {
        try {
            if (!s.tryAcquire(permits, config.queueTimeout().toMillis(), TimeUnit.MILLISECONDS)) {
                throw new VisionException(VisionError.VISION_BUSY, "Busy: " + why + " for "
                        + config.queueTimeout().toMillis() + " ms; retry shortly.");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new VisionException(VisionError.VISION_BUSY, "Interrupted while waiting for an imaging slot.");
        }
    }

    private static long millis(long from, long to) {
        return Math.round((to - from) / 1e6);
    }

    /** Waits for studies in flight (up to 30 s), then releases the backend. Safe to call twice. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        boolean idle = false;
        try {
            idle = slots.tryAcquire(config.maxConcurrent(), 30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        backend.close();
        if (idle) {
            slots.release(config.maxConcurrent());
        }
    }

    /** Raw model outputs to findings. */
    static final class Postprocess {
        private Postprocess() {
        }

        /** The labels' probabilities (the output's first columns; measurements and the gate follow them). */
        static double[] probabilities(float[] raw, ModelSpec spec) {
            return probabilities(Arrays.copyOf(raw, spec.labels().size()), spec.postprocessing().activation());
        }

        /**
         * Refuses an input the model's gate does not accept: 422 VISION_NOT_A_CHEST_RADIOGRAPH with the
         * gate's probability, before any finding is made.
         */
        static void gate(float[] raw, ModelSpec spec) {
            ModelSpec.Gate g = spec.gate();
            if (g == null) {
                return;
            }
            double p = 1 / (1 + Math.exp(-raw[spec.outputs() - 1]));
            if (p < g.threshold()) {
                throw new VisionException(VisionError.VISION_NOT_A_CHEST_RADIOGRAPH, "Model " + spec.name() + " reads "
                        + g.accepts() + "; its input gate scored this image " + Math.round(p * 1000) / 1000.0
                        + " (it accepts from " + g.threshold() + "), so no findings were made. Send a frontal chest radiograph.");
            }
        }

        /** The measurements within their declared ranges (a value outside is left out, never clamped). */
        static List<ImagingFindings.Measured> measured(float[] raw, ModelSpec spec) {
            List<ImagingFindings.Measured> out = new ArrayList<>();
            for (int i = 0; i < spec.measurements().size(); i++) {
                ModelSpec.Measurement m = spec.measurements().get(i);
                double v = raw[spec.labels().size() + i];
                if (Double.isFinite(v) && v >= m.min() && v <= m.max()) {
                    out.add(new ImagingFindings.Measured(m.name(), v, m.unit(), m.system(), m.code()));
                }
            }
            return out;
        }

        static double[] probabilities(float[] raw, ModelSpec.Activation activation) {
            double[] p = new double[raw.length];
            switch (activation) {
                case SIGMOID -> {
                    for (int i = 0; i < raw.length; i++) {
                        p[i] = 1 / (1 + Math.exp(-raw[i]));
                    }
                }
                case SOFTMAX -> {
                    double max = Double.NEGATIVE_INFINITY;
                    for (float v : raw) {
                        max = Math.max(max, v);
                    }
                    double sum = 0;
                    for (int i = 0; i < raw.length; i++) {
                        p[i] = Math.exp(raw[i] - max);
                        sum += p[i];
                    }
                    for (int i = 0; i < raw.length; i++) {
                        p[i] /= sum;
                    }
                }
                case NONE -> {
                    for (int i = 0; i < raw.length; i++) {
                        p[i] = Math.max(0, Math.min(1, raw[i]));
                    }
                }
            }
            return p;
        }

        static List<Finding> findings(float[] raw, ModelSpec spec) {
            double[] p = probabilities(raw, spec);
            List<Finding> all = new ArrayList<>(p.length);
            for (int i = 0; i < p.length; i++) {
                ModelSpec.Label l = spec.labels().get(i);
                all.add(new Finding(l.name(), l.radlexId(), p[i], p[i] >= l.threshold(), l.critical(), l.laterality()));
            }
            int k = spec.postprocessing().topK();
            if (k == 0) {
                return all;
            }
            return all.stream().sorted(Comparator.comparingDouble(Finding::probability).reversed()).limit(k).toList();
        }
    }

    /** Occlusion sensitivity: cover patches of the input and measure how much the label's score falls. */
    static final class Occlusion {
        private Occlusion() {
        }

        record Result(float[] drop, int width, int height, double baseline, double maxDrop, int patch, int stride) {
        }

        interface Runner {
            float[][] run(Tensor batch);
        }

        static Result map(Preprocessor.ModelInput input, int label, ModelSpec spec, int grid, Runner runner) {
            Tensor t = input.tensor();
            int w = input.width();
            int h = input.height();
            int c = input.channels();
            int plane = w * h;
            float[] x = t.data();
            float[] fill = new float[c];
            for (int ch = 0; ch < c; ch++) {
                double sum = 0;
                for (int i = 0; i < plane; i++) {
                    sum += x[ch * plane + i];
                }
                fill[ch] = (float) (sum / plane);
            }
            int stride = Math.max(1, Math.round((float) Math.min(w, h) / grid));
            int patch = Math.min(Math.min(w, h), 2 * stride);
            List<int[]> positions = new ArrayList<>();
            for (int y : starts(h, patch, stride)) {
                for (int xx : starts(w, patch, stride)) {
                    positions.add(new int[] {xx, y});
                }
            }
            ModelSpec.Activation act = spec.postprocessing().activation();
            float[] base = runner.run(t)[0];
            double baseline = Postprocess.probabilities(base, spec)[label];
            double baseScore = score(base, label, spec.labels().size(), act);
            double[] sum = new double[plane];
            int[] count = new int[plane];
            int batch = Math.max(1, spec.maxBatch());
            for (int from = 0; from < positions.size(); from += batch) {
                List<int[]> chunk = positions.subList(from, Math.min(positions.size(), from + batch));
                List<Tensor> items = new ArrayList<>(chunk.size());
                for (int[] pos : chunk) {
                    float[] y = Arrays.copyOf(x, x.length);
                    for (int ch = 0; ch < c; ch++) {
                        for (int row = pos[1]; row < pos[1] + patch; row++) {
                            Arrays.fill(y, ch * plane + row * w + pos[0], ch * plane + row * w + pos[0] + patch, fill[ch]);
                        }
                    }
                    items.add(new Tensor(y, t.shape()));
                }
                float[][] out = runner.run(Tensor.stack(items));
                for (int k = 0; k < chunk.size(); k++) {
                    double fall = baseScore - score(out[k], label, spec.labels().size(), act);
                    int[] pos = chunk.get(k);
                    for (int row = pos[1]; row < pos[1] + patch; row++) {
                        for (int col = pos[0]; col < pos[0] + patch; col++) {
                            sum[row * w + col] += fall;
                            count[row * w + col]++;
                        }
                    }
                }
            }
            float[] drop = new float[plane];
            double max = 0;
            for (int i = 0; i < plane; i++) {
                drop[i] = count[i] == 0 ? 0 : (float) (sum[i] / count[i]);
                max = Math.max(max, drop[i]);
            }
            return new Result(drop, w, h, baseline, max, patch, stride);
        }

        /**
         * The label's score, in which falls are measured: the logit for sigmoid (and plain) outputs,
         * the log-probability for softmax. Unlike the probability, neither saturates near 1, so
         * covering part of a clearly visible finding still shows.
         */
        static double score(float[] raw, int label, int labels, ModelSpec.Activation act) {
            if (act != ModelSpec.Activation.SOFTMAX) {
                return raw[label];
            }
            double max = Double.NEGATIVE_INFINITY;
            for (int i = 0; i < labels; i++) {
                max = Math.max(max, raw[i]);
            }
            double sum = 0;
            for (int i = 0; i < labels; i++) {
                sum += Math.exp(raw[i] - max);
            }
            return raw[label] - max - Math.log(sum);
        }

        /** Patch origins along one side: every stride, and one flush with the far edge. */
        private static List<Integer> starts(int side, int patch, int stride) {
            List<Integer> s = new ArrayList<>();
            for (int p = 0; p + patch <= side; p += stride) {
                s.add(p);
            }
            if (s.isEmpty() || s.get(s.size() - 1) + patch < side) {
                s.add(side - patch);
            }
            return s;
        }
    }
}
