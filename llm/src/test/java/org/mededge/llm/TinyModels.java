package org.mededge.llm;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

import org.mededge.llm.ort.OrtTextGenerator;

/**
 * The project's tiny test decoders, installed through the real model installer (catalog tier
 * test, files from the repository) into llm/target/test-home, and read back like the appliance does.
 */
public final class TinyModels {
    public static final String FP32 = "tiny-decoder-test";
    public static final String INT8 = "tiny-decoder-test-int8";
    public static final String INT4 = "tiny-decoder-test-int4";

    private TinyModels() {
    }

    public static Path repo() {
        String r = System.getenv("MEDEDGE_REPO");
        return r != null ? Path.of(r) : Path.of("..").toAbsolutePath().normalize();
    }

    /** firmware-scripts/llm/tiny: the builder's outputs (PEFT adapters, base weights, golden logits). */
    public static Path builderOutputs() {
        return repo().resolve("firmware-scripts/llm/tiny");
    }

    public static synchronized Path home() {
        Path home = repo().resolve("llm/target/test-home");
        List<String> cmd = new ArrayList<>(List.of("bash", repo().resolve("firmware-scripts/install-models.sh").toString(),
                "--home", home.toString(), "--only", FP32, "--only", INT8, "--only", INT4));
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(2, TimeUnit.MINUTES) || p.exitValue() != 0) {
                throw new IllegalStateException("installing the tiny decoders failed:\n" + out);
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        return home;
    }

    /** The installed model as the appliance hands it to the engine. */
    public static LlmModel model(String name) {
        return installed(home(), name);
    }

    /** The installed model under {@code home}: the version the catalog declares is the one with model.yaml. */
    public static LlmModel installed(Path home, String name) {
        Path models = home.resolve("models").resolve(name);
        String version;
        try (var dirs = Files.list(models)) {
            version = dirs.filter(d -> Files.isRegularFile(d.resolve("model.yaml"))).map(d -> d.getFileName().toString())
                    .max(java.util.Comparator.naturalOrder()).orElseThrow(() -> new IllegalStateException("not installed: " + models));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        Path dir = models.resolve(version);
        return LlmModel.from(name, version, dir, readYaml(dir.resolve("model.yaml")));
    }

    public static Map<String, Object> readYaml(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            Map<?, ?> m = (Map<?, ?>) new Yaml(new SafeConstructor(new LoaderOptions())).load(in);
            Map<String, Object> out = new LinkedHashMap<>();
            m.forEach((k, v) -> out.put(String.valueOf(k), v));
            return out;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public static OrtTextGenerator load(String name) {
        return OrtTextGenerator.load(model(name), LlmConfig.DEFAULTS);
    }
}
