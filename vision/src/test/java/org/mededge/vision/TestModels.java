package org.mededge.vision;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

import org.mededge.vision.io.TestFiles;

/**
 * Installs real models for the vision tests with the project's own installer (../shared/models as
 * the mirror, demo models from the repository) and reads their model.yaml as the appliance does.
 */
public final class TestModels {
    private TestModels() {
    }

    private static boolean fresh;

    public static synchronized Path install(String name) {
        Path home = TestFiles.repo().resolve("vision/target/test-home");
        if (!fresh) {
            // the installer keeps an intact install as it is: start from nothing so edited manifests apply
            deleteTree(home);
            fresh = true;
        }
        ProcessBuilder pb = new ProcessBuilder("bash", TestFiles.repo().resolve("firmware-scripts/install-models.sh").toString(),
                "--mirror", TestFiles.shared().resolve("models").toString(), "--only", name).redirectErrorStream(true);
        pb.environment().put("MEDEDGE_HOME", home.toString());
        try {
            Process p = pb.start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(5, TimeUnit.MINUTES) || p.exitValue() != 0) {
                throw new IllegalStateException("installing " + name + " failed:\n" + out);
            }
            try (var versions = Files.list(home.resolve("models").resolve(name))) {
                return versions.filter(Files::isDirectory).filter(d -> !d.getFileName().toString().startsWith("."))
                        .findFirst().orElseThrow();
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (var walk = Files.walk(dir)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot clear " + dir, e);
        }
    }

    /** The installed model's declaration, as the appliance hands it to the engine. */
    public static ModelSpec spec(String name) {
        Path dir = install(name);
        Map<String, Object> yaml = yaml(dir.resolve("model.yaml"));
        Object files = yaml.get("files");
        String sha = ((Map<?, ?>) ((List<?>) files).get(0)).get("sha256").toString();
        return ModelSpec.from(yaml, dir, sha);
    }

    @SuppressWarnings("unchecked")
    public static Map<String, Object> yaml(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            Object o = new Yaml(new SafeConstructor(new LoaderOptions())).load(in);
            return new LinkedHashMap<>((Map<String, Object>) o);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A configuration for tests: CPU, the given backend order. */
    public static VisionConfig config(String... backends) {
        return VisionConfig.defaults().withBackends(List.of(backends));
    }
}
