package org.mededge.appliance.models;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * The models installed under {@code $MEDEDGE_HOME/models}, read once at start-up. Each model's files
 * are checked against the sha256 values in its model.yaml; a model that does not match is
 * REFUSED and never handed to an engine.
 */
public final class ModelRegistry {
    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
    private static final String INSTALL_HINT = "run firmware-scripts/install-models.sh";

    private final Path modelsDir;
    private final List<InstalledModel> models;

    private ModelRegistry(Path modelsDir, List<InstalledModel> models) {
        this.modelsDir = modelsDir;
        this.models = List.copyOf(models);
    }

    /** Scans {@code modelsDir}; a missing directory is an empty registry, not an error. */
    public static ModelRegistry scan(Path modelsDir) {
        List<InstalledModel> found = new ArrayList<>();
        if (Files.isDirectory(modelsDir)) {
            for (Path nameDir : list(modelsDir)) {
                if (!Files.isDirectory(nameDir) || hidden(nameDir)) {
                    continue;
                }
                for (Path versionDir : list(nameDir)) {
                    if (Files.isDirectory(versionDir) && !hidden(versionDir)) {
                        found.add(read(versionDir));
                    }
                }
            }
        }
        found.sort(Comparator.comparing(InstalledModel::name).thenComparing(InstalledModel::version, ModelRegistry::compareVersions));
        return new ModelRegistry(modelsDir, found);
    }

    public Path modelsDir() {
        return modelsDir;
    }

    public List<InstalledModel> all() {
        return models;
    }

    /**
     * The model an engine should load: the named model at the given version, or its newest usable
     * version when {@code version} is null.
     */
    public Resolution resolve(String name, String version) {
        List<InstalledModel> candidates = models.stream().filter(m -> m.name().equals(name))
                .filter(m -> version == null || m.version().equals(version)).toList();
        if (candidates.isEmpty()) {
            String what = version == null ? "'" + name + "'" : "'" + name + "' version " + version;
            return new Resolution(Optional.empty(), "model " + what + " is not installed in $MEDEDGE_HOME/models"
                    + ": " + INSTALL_HINT + " --only " + name);
        }
        Optional<InstalledModel> usable = candidates.stream().filter(InstalledModel::usable)
                .max(Comparator.comparing(InstalledModel::version, ModelRegistry::compareVersions));
        if (usable.isPresent()) {
            return new Resolution(usable, usable.get().detail());
        }
        InstalledModel refused = candidates.get(candidates.size() - 1);
        return new Resolution(Optional.empty(), "model '" + name + "' " + refused.version() + " refused: "
                + refused.detail());
    }

    /** True when any version of the model is installed (usable or refused). */
    public boolean installed(String name) {
        return models.stream().anyMatch(m -> m.name().equals(name));
    }

    /** The outcome of {@link #resolve}: the model, or why there is none in words a user can act on. */
    public record Resolution(Optional<InstalledModel> model, String detail) {
    }

    static InstalledModel read(Path dir) {
        String dirName = dir.getParent().getFileName().toString();
        String dirVersion = dir.getFileName().toString();
        Path yamlFile = dir.resolve("model.yaml");
        Map<String, Object> spec;
        try (InputStream in = Files.newInputStream(yamlFile)) {
            Object loaded = new Yaml(new SafeConstructor(new LoaderOptions())).load(in);
            if (!(loaded instanceof Map<?, ?> map)) {
                return refused(dirName, dirVersion, dir, "model.yaml is empty or not a mapping");
            }
            spec = new LinkedHashMap<>();
            map.forEach((k, v) -> spec.put(String.valueOf(k), v));
        } catch (IOException e) {
            return refused(dirName, dirVersion, dir, "model.yaml missing or unreadable (" + e.getClass().getSimpleName()
                    + "); " + INSTALL_HINT + " --only " + dirName);
        } catch (RuntimeException e) {
            return refused(dirName, dirVersion, dir, "model.yaml is not valid YAML");
        }
        String name = str(spec, "name", dirName);
        String version = str(spec, "version", dirVersion);
        if (!name.equals(dirName) || !version.equals(dirVersion)) {
            return refused(dirName, dirVersion, dir, "model.yaml says " + name + "/" + version
                    + " but it is installed as " + dirName + "/" + dirVersion);
        }
        List<ModelFile> files = new ArrayList<>();
        Object fileList = spec.get("files");
        if (!(fileList instanceof List<?> list) || list.isEmpty()) {
            return refused(name, version, dir, "model.yaml lists no files");
        }
        for (Object o : list) {
            if (!(o instanceof Map<?, ?> f) || f.get("path") == null) {
                return refused(name, version, dir, "model.yaml has a file entry without a path");
            }
            String path = String.valueOf(f.get("path"));
            Object sha = f.get("sha256");
            String sha256 = sha == null ? null : String.valueOf(sha).toLowerCase();
            long size = f.get("size") instanceof Number n ? n.longValue() : -1;
            files.add(new ModelFile(path, sha256 != null && SHA256.matcher(sha256).matches() ? sha256 : null, size));
        }
        InstalledModel.Verification verification = InstalledModel.Verification.VERIFIED;
        String detail = "verified: " + files.size() + " file(s) match model.yaml";
        for (ModelFile f : files) {
            Path p = dir.resolve(f.path()).normalize();
            if (!p.startsWith(dir)) {
                return refused(name, version, dir, "file path '" + f.path() + "' leaves the model directory");
            }
            if (!Files.isRegularFile(p)) {
                return refused(name, version, dir, "file " + f.path() + " is missing; " + INSTALL_HINT + " --only " + name);
            }
            if (f.sha256() == null) {
                verification = InstalledModel.Verification.UNVERIFIED;
                detail = "installed without a pinned sha256 (--allow-unverified): provenance not verified";
                continue;
            }
            String actual = sha256(p);
            if (!actual.equals(f.sha256())) {
                return refused(name, version, dir, "file " + f.path() + " does not match model.yaml (sha256 "
                        + actual + ", expected " + f.sha256() + "); reinstall with " + INSTALL_HINT + " --only " + name);
            }
        }
        return new InstalledModel(name, version, str(spec, "role", "unknown"), str(spec, "engine", "unknown"),
                str(spec, "tier", "production"), str(spec, "licence", "unknown"), str(spec, "source", "unknown"),
                str(spec, "description", ""), dir, files, spec, verification, detail);
    }

    private static InstalledModel refused(String name, String version, Path dir, String why) {
        return new InstalledModel(name, version, "unknown", "unknown", "unknown", "unknown", "unknown", "", dir,
                List.of(), Map.of(), InstalledModel.Verification.REFUSED, why);
    }

    private static String str(Map<String, Object> spec, String key, String dflt) {
        Object v = spec.get(key);
        return v == null ? dflt : String.valueOf(v);
    }

    private static boolean hidden(Path p) {
        return p.getFileName().toString().startsWith(".");
    }

    private static List<Path> list(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.sorted().toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    /** Hex sha256 of a file, streamed. */
    public static String sha256(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (IOException e) {
            return "unreadable";
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Orders "1.10" after "1.9"; non-numeric parts compare as text. */
    static int compareVersions(String a, String b) {
        String[] x = a.split("[.\\-]");
        String[] y = b.split("[.\\-]");
        for (int i = 0; i < Math.max(x.length, y.length); i++) {
            String p = i < x.length ? x[i] : "0";
            String q = i < y.length ? y[i] : "0";
            int c;
            if (p.matches("\\d{1,9}") && q.matches("\\d{1,9}")) {
                c = Integer.compare(Integer.parseInt(p), Integer.parseInt(q));
            } else {
                c = p.compareTo(q);
            }
            if (c != 0) {
                return c;
            }
        }
        return 0;
    }
}
