package org.mededge.asr;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

import org.mededge.asr.whisper.WhisperRecognizer.WhisperModelSpec;

/** Engines built from models installed by the project's installer, read from their model.yaml as the appliance reads them. */
final class TestEngines {
    private TestEngines() {
    }

    /** The installed model's model.yaml as a map. */
    static Map<String, Object> modelYaml(Path dir) {
        try (InputStream in = Files.newInputStream(dir.resolve("model.yaml"))) {
            Map<?, ?> m = new Yaml(new SafeConstructor(new LoaderOptions())).load(in);
            Map<String, Object> out = new LinkedHashMap<>();
            m.forEach((k, v) -> out.put(String.valueOf(k), v));
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The spec of an installed whisper model: its first file, its sha256, its manifest keys. */
    static WhisperModelSpec whisperSpec(Path dir) {
        Map<String, Object> yaml = modelYaml(dir);
        Map<?, ?> file = (Map<?, ?>) ((List<?>) yaml.get("files")).get(0);
        return WhisperModelSpec.from(String.valueOf(yaml.get("name")), String.valueOf(yaml.get("version")),
                String.valueOf(file.get("sha256")), dir.resolve(String.valueOf(file.get("path"))), yaml);
    }
}
