package org.mededge.vision;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.management.ManagementFactory;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.opencv.core.Mat;
import org.opencv.core.CvType;
import org.opencv.dnn.Dnn;
import org.opencv.dnn.Net;

import org.mededge.vision.io.DecodedImage;
import org.mededge.vision.io.ImageDecoder;
import org.mededge.vision.io.ImageLimits;
import org.mededge.vision.io.Preprocessor;
import org.mededge.vision.io.TestFiles;
import org.mededge.vision.ort.OrtBackends;

/**
 * One run, one image (img-pelican.jpeg), MobileNetV2-int8: the served path (decode, OpenCV
 * preprocessing, DJL's ONNX Runtime engine) against the raw ONNX Runtime Java API and OpenCV DNN on
 * the same input tensor. Not a test: run with
 * {@code mvn -o -pl vision test -Dvision.skipGroups=none -Dgroups=benchmark -Dtest=VisionBenchmark}.
 */
@Tag("benchmark")
class VisionBenchmark {
    private static final int WARMUP = 30;
    private static final int RUNS = Integer.getInteger("vision.bench.runs", 400);
    /** intra-op threads for both ONNX Runtime paths (-Dvision.bench.threads; 0 lets ONNX Runtime choose) */
    private static final int THREADS = Integer.getInteger("vision.bench.threads", 1);
    private static double pairedRatio = Double.NaN;
    private static double pairedDiff = Double.NaN;
    private static double controlRatio = Double.NaN;

    record Stat(String what, double medianMs, double p90Ms, double meanMs) {
        String row() {
            return String.format(Locale.ROOT, "| %s | %.2f | %.2f | %.2f |", what, medianMs, p90Ms, meanMs);
        }
    }

    @Test
    void mobileNetServedPathAgainstRawOrtAndOpenCvDnn() throws Exception {
        ModelSpec spec = TestModels.spec("mobilenetv2-int8");
        byte[] jpeg = Files.readAllBytes(TestFiles.sample("img-pelican.jpeg"));
        VisionConfig base = TestModels.config("onnxruntime");
        VisionConfig config = new VisionConfig(base.backends(), "cpu", base.maxImageBytes(), base.maxPixels(), THREADS,
                base.maxConcurrent(), base.maxPixelsInFlight(), base.queueTimeout(), base.acceleratedTolerance(), base.heatmapGrid());
        ImageDecoder decoder = new ImageDecoder(new ImageLimits(config.maxImageBytes(), config.maxPixels()));
        Preprocessor pre = new Preprocessor(spec);
        Tensor input = pre.apply(decoder.decode(jpeg, "image/jpeg")).tensor();
        List<Stat> stats = new ArrayList<>();
        String[] top = new String[4];

        try (VisionEngine engine = VisionEngine.open(spec, config);
             InferenceBackend djl = OrtBackends.open(spec.onnxPath(), "cpu", THREADS)) {
            OrtEnvironment env = OrtEnvironment.getEnvironment();
            OrtSession.SessionOptions options = new OrtSession.SessionOptions();
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            if (THREADS > 0) {
                options.setIntraOpNumThreads(THREADS);
                options.setInterOpNumThreads(1);
            }
            try (OrtSession raw = env.createSession(spec.onnxPath().toString(), options);
                 OrtSession control = env.createSession(spec.onnxPath().toString(), options)) {
                String inputName = raw.getInputNames().iterator().next();
                Supplier<float[]> controlRun = () -> {
                    try (OnnxTensor t = OnnxTensor.createTensor(env, FloatBuffer.wrap(input.data()), input.shape());
                         OrtSession.Result r = control.run(Map.of(inputName, t))) {
                        return ((float[][]) r.get(0).getValue())[0];
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                };
                Supplier<float[]> rawRun = () -> {
                    try (OnnxTensor t = OnnxTensor.createTensor(env, FloatBuffer.wrap(input.data()), input.shape());
                         OrtSession.Result r = raw.run(Map.of(inputName, t))) {
                        return ((float[][]) r.get(0).getValue())[0];
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                };
                Supplier<float[]> djlRun = () -> djl.run(input)[0];
                Net net = Dnn.readNetFromONNX(spec.onnxPath().toString());
                Supplier<float[]> dnnRun = () -> {
                    Mat blob = new Mat(new int[] {1, 3, 224, 224}, CvType.CV_32F);
                    blob.put(new int[] {0, 0, 0, 0}, input.data());
                    net.setInput(blob);
                    Mat out = net.forward();
                    float[] v = new float[(int) out.total()];
                    out.reshape(1, 1).get(0, 0, v);
                    blob.release();
                    out.release();
                    return v;
                };
                top[0] = label(spec, rawRun.get());
                top[1] = label(spec, djlRun.get());
                top[2] = label(spec, dnnRun.get());
                top[3] = engine.analyze(jpeg, "image/jpeg").findings().findings().get(0).label();

                stats.add(time("decode (JPEG 500x375, OpenCV)", () -> decoder.decode(jpeg, "image/jpeg")));
                DecodedImage decoded = decoder.decode(jpeg, "image/jpeg");
                stats.add(time("preprocess (crop, resize, normalize; OpenCV)", () -> pre.apply(decoded)));
                // the two ONNX Runtime paths alternate run by run, so that load on the machine hits both alike
                stats.addAll(interleaved("infer: raw ONNX Runtime Java API", rawRun, "infer: DJL ONNX Runtime engine (served)", djlRun));
                double served = pairedRatio;
                // the noise floor of this comparison on this machine: two identical raw sessions, same method
                interleaved("raw", rawRun, "raw (a second, identical session)", controlRun);
                controlRatio = pairedRatio;
                pairedRatio = served;
                stats.add(time("infer: OpenCV DNN", dnnRun));
                stats.add(time("served path end to end (VisionEngine.analyze)", () -> engine.analyze(jpeg, "image/jpeg")));
            }
        }
        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "MobileNetV2-int8, img-pelican.jpeg, %d runs after %d warm-up, ORT intra-op threads %s, %d CPUs, load %.1f, %s%n%n",
                RUNS, WARMUP, THREADS == 0 ? "default" : Integer.toString(THREADS), Runtime.getRuntime().availableProcessors(),
                ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(), System.getProperty("java.vm.version")));
        out.append("| step | median ms | p90 ms | mean ms |\n|---|---|---|---|\n");
        stats.forEach(s -> out.append(s.row()).append('\n'));
        double raw = stats.get(2).medianMs();
        double served = stats.get(3).medianMs();
        double pipeline = stats.get(5).medianMs();
        out.append(String.format(Locale.ROOT, "%nserved (DJL) inference vs raw ORT, run by run: median of paired ratios %.3f (%+.1f %%); "
                + "ratio of medians %.3f; ratio of means %.3f%n", pairedRatio, (pairedRatio - 1) * 100, served / raw,
                stats.get(3).meanMs() / stats.get(2).meanMs()));
        out.append(String.format(Locale.ROOT, "control, raw ORT vs an identical second raw session, same method: %.3f (%+.1f %%)%n",
                controlRatio, (controlRatio - 1) * 100));
        out.append(String.format(Locale.ROOT, "preprocessing share of the served path: decode %.1f %% + preprocess %.1f %% of %.2f ms%n",
                stats.get(0).medianMs() / pipeline * 100, stats.get(1).medianMs() / pipeline * 100, pipeline));
        out.append("top-1: raw ORT ").append(top[0]).append(", DJL ").append(top[1]).append(", OpenCV DNN ").append(top[2])
                .append(", served ").append(top[3]).append('\n');
        System.out.println(out);
        Files.writeString(Path.of("target", "vision-benchmark.md"), out.toString());
        assertEquals("pelican", top[0]);
        assertEquals(top[0], top[1]);
        assertEquals(top[0], top[3]);
    }

    /**
     * The project's demo chest radiograph model on a held-out phantom DICOM: the served path against
     * raw ONNX Runtime on the same tensor (run by run), preprocessing shown separately, and DJL's
     * PyTorch engine on the TorchScript export against ONNX Runtime (outputs equal within 1e-4 on
     * every column: logits, the cardiothoracic ratio, the gate). TensorRT is compared where a GPU is
     * present (VisionEngineTest; skipped here).
     */
    @Test
    void chestDemoServedPathAgainstRawOrtAndTorch() throws Exception {
        ModelSpec spec = TestModels.spec("chest-demo");
        byte[] dicom = Files.readAllBytes(TestFiles.repo().resolve(
                "firmware-scripts/models/demo/chest-demo/samples/heldout-pneumothorax-left-effusion-right.dcm"));
        VisionConfig base = TestModels.config("onnxruntime");
        VisionConfig config = new VisionConfig(base.backends(), "cpu", base.maxImageBytes(), base.maxPixels(), THREADS,
                base.maxConcurrent(), base.maxPixelsInFlight(), base.queueTimeout(), base.acceleratedTolerance(), base.heatmapGrid());
        ImageDecoder decoder = new ImageDecoder(new ImageLimits(config.maxImageBytes(), config.maxPixels()));
        Preprocessor pre = new Preprocessor(spec);
        Tensor input = pre.apply(decoder.decode(dicom, "application/dicom")).tensor();
        List<Stat> stats = new ArrayList<>();
        double worst;
        try (VisionEngine engine = VisionEngine.open(spec, config);
             InferenceBackend djl = OrtBackends.open(spec.onnxPath(), "cpu", THREADS);
             InferenceBackend torch = org.mededge.vision.torch.TorchBackends.open(spec.torchscriptPath(), "cpu")) {
            OrtEnvironment env = OrtEnvironment.getEnvironment();
            OrtSession.SessionOptions options = new OrtSession.SessionOptions();
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            if (THREADS > 0) {
                options.setIntraOpNumThreads(THREADS);
                options.setInterOpNumThreads(1);
            }
            try (OrtSession raw = env.createSession(spec.onnxPath().toString(), options)) {
                Supplier<float[]> rawRun = () -> {
                    try (OnnxTensor t = OnnxTensor.createTensor(env, FloatBuffer.wrap(input.data()), input.shape());
                         OrtSession.Result r = raw.run(Map.of("image", t))) {
                        return ((float[][]) r.get(0).getValue())[0];
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                };
                float[] a = rawRun.get();
                float[] b = torch.run(input)[0];
                worst = 0;
                for (int i = 0; i < a.length; i++) {
                    worst = Math.max(worst, Math.abs(a[i] - b[i]));
                }
                stats.add(time("decode (DICOM 384x384, 16-bit)", () -> decoder.decode(dicom, "application/dicom")));
                DecodedImage decoded = decoder.decode(dicom, "application/dicom");
                stats.add(time("preprocess (stretch to 128x128; OpenCV)", () -> pre.apply(decoded)));
                stats.addAll(interleaved("infer: raw ONNX Runtime Java API", rawRun, "infer: DJL ONNX Runtime engine (served)",
                        () -> djl.run(input)[0]));
                stats.add(time("infer: DJL PyTorch engine (TorchScript)", () -> torch.run(input)[0]));
                stats.add(time("served path end to end (VisionEngine.analyze)", () -> engine.analyze(dicom, "application/dicom")));
            }
        }
        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "chest-demo, held-out phantom DICOM, %d runs after %d warm-up, ORT intra-op threads %s, %d CPUs, load %.1f%n%n",
                RUNS, WARMUP, THREADS == 0 ? "default" : Integer.toString(THREADS), Runtime.getRuntime().availableProcessors(),
                ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage()));
        out.append("| step | median ms | p90 ms | mean ms |\n|---|---|---|---|\n");
        stats.forEach(x -> out.append(x.row()).append('\n'));
        double rawMs = stats.get(2).medianMs();
        double pipeline = stats.get(5).medianMs();
        out.append(String.format(Locale.ROOT, "%nserved (DJL) inference vs raw ORT, run by run: median of paired ratios %.3f (%+.1f %%)%n",
                pairedRatio, (pairedRatio - 1) * 100));
        out.append(String.format(Locale.ROOT, "served path end to end %.2f ms = raw inference %.2f ms + decode %.2f + preprocess %.2f + the rest %.2f%n",
                pipeline, rawMs, stats.get(0).medianMs(), stats.get(1).medianMs(),
                pipeline - rawMs - stats.get(0).medianMs() - stats.get(1).medianMs()));
        out.append(String.format(Locale.ROOT, "DJL PyTorch vs ONNX Runtime, largest |difference| over the 10 output columns: %.2e%n", worst));
        System.out.println(out);
        Files.writeString(Path.of("target", "vision-benchmark-chest.md"), out.toString());
        org.junit.jupiter.api.Assertions.assertTrue(worst < 1e-4, "torch and ORT agree: " + worst);
    }

    /**
     * The fixed cost DJL adds per call, seen on the project's tiny shapes model (inference itself is a
     * fraction of a millisecond there): raw ONNX Runtime against DJL on the same input, interleaved.
     */
    @Test
    void fixedPerCallOverheadOfDjl() throws Exception {
        ModelSpec spec = TestModels.spec("vision-shapes-demo");
        Tensor input = VisionEngine.probe(spec);
        try (InferenceBackend djl = OrtBackends.open(spec.onnxPath(), "cpu", THREADS)) {
            OrtEnvironment env = OrtEnvironment.getEnvironment();
            OrtSession.SessionOptions options = new OrtSession.SessionOptions();
            if (THREADS > 0) {
                options.setIntraOpNumThreads(THREADS);
                options.setInterOpNumThreads(1);
            }
            try (OrtSession raw = env.createSession(spec.onnxPath().toString(), options)) {
                Supplier<float[]> rawRun = () -> {
                    try (OnnxTensor t = OnnxTensor.createTensor(env, FloatBuffer.wrap(input.data()), input.shape());
                         OrtSession.Result r = raw.run(Map.of("image", t))) {
                        return ((float[][]) r.get(0).getValue())[0];
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                };
                Supplier<float[]> djlRun = () -> djl.run(input)[0];
                assertEquals(rawRun.get()[0], djlRun.get()[0], 1e-6f);
                List<Stat> s = interleaved("raw ONNX Runtime (shapes demo, 64x64)", rawRun, "DJL ONNX Runtime (shapes demo, 64x64)", djlRun);
                StringBuilder out = new StringBuilder("| step | median ms | p90 ms | mean ms |\n|---|---|---|---|\n");
                s.forEach(x -> out.append(x.row()).append('\n'));
                out.append(String.format(Locale.ROOT, "DJL per-call overhead: median of paired differences %.3f ms%n", pairedDiff));
                System.out.println(out);
                Files.writeString(Path.of("target", "vision-benchmark-overhead.md"), out.toString());
            }
        }
    }

    private static String label(ModelSpec spec, float[] logits) {
        int best = 0;
        for (int i = 1; i < logits.length; i++) {
            if (logits[i] > logits[best]) {
                best = i;
            }
        }
        return spec.labels().get(best).name();
    }

    private static List<Stat> interleaved(String a, Supplier<?> workA, String b, Supplier<?> workB) {
        for (int i = 0; i < WARMUP; i++) {
            workA.get();
            workB.get();
        }
        double[] ma = new double[RUNS];
        double[] mb = new double[RUNS];
        for (int i = 0; i < RUNS; i++) {
            boolean aFirst = i % 2 == 0;
            long t0 = System.nanoTime();
            (aFirst ? workA : workB).get();
            long t1 = System.nanoTime();
            (aFirst ? workB : workA).get();
            long t2 = System.nanoTime();
            ma[i] = (aFirst ? t1 - t0 : t2 - t1) / 1e6;
            mb[i] = (aFirst ? t2 - t1 : t1 - t0) / 1e6;
        }
        double[] ratio = new double[RUNS];
        for (int i = 0; i < RUNS; i++) {
            ratio[i] = mb[i] / ma[i];
        }
        Arrays.sort(ratio);
        pairedRatio = ratio[RUNS / 2];
        double[] diff = new double[RUNS];
        for (int i = 0; i < RUNS; i++) {
            diff[i] = mb[i] - ma[i];
        }
        Arrays.sort(diff);
        pairedDiff = diff[RUNS / 2];
        return List.of(stat(a, ma), stat(b, mb));
    }

    private static Stat stat(String what, double[] ms) {
        double mean = Arrays.stream(ms).average().orElse(0);
        double[] sorted = ms.clone();
        Arrays.sort(sorted);
        return new Stat(what, sorted[sorted.length / 2], sorted[(int) (sorted.length * 0.9)], mean);
    }

    private static Stat time(String what, Supplier<?> work) {
        for (int i = 0; i < WARMUP; i++) {
            work.get();
        }
        double[] ms = new double[RUNS];
        for (int i = 0; i < RUNS; i++) {
            long t0 = System.nanoTime();
            work.get();
            ms[i] = (System.nanoTime() - t0) / 1e6;
        }
        return stat(what, ms);
    }
}
