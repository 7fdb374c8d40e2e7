package org.mededge.appliance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.mededge.appliance.models.InstalledModel;
import org.mededge.appliance.models.ModelRegistry;

/** firmware-scripts/install-models.sh, run for real against the ../shared mirror. */
class InstallerTest {

    @Test
    void installsFromMirrorAndSecondRunIsANoOp(@TempDir Path home) throws IOException {
        TestModels.Run first = TestModels.installer(home, "--mirror", TestModels.mirror().toString(),
                "--only", "silero-vad", "--only", "mobilenetv2-int8");
        assertEquals(0, first.exit(), first.output());
        Path dir = home.resolve("models/mobilenetv2-int8/12");
        assertTrue(Files.isRegularFile(dir.resolve("model.onnx")));
        assertTrue(Files.isRegularFile(dir.resolve("labels.txt")));
        String yaml = Files.readString(dir.resolve("model.yaml"));
        assertTrue(yaml.contains("sha256: cc028fe6cae7bc11a4ff53cfc9b79c920e8be65ce33a904ec3e2a8f66d77f95f"), yaml);
        assertTrue(yaml.contains("licence: \"Apache-2.0\""), yaml);
        // the appliance reads what the installer wrote
        ModelRegistry registry = ModelRegistry.scan(home.resolve("models"));
        assertEquals(2, registry.all().size());
        registry.all().forEach(m -> assertEquals(InstalledModel.Verification.VERIFIED, m.verification(), m.detail()));

        long modified = Files.getLastModifiedTime(dir.resolve("model.yaml")).toMillis();
        TestModels.Run second = TestModels.installer(home, "--mirror", TestModels.mirror().toString(),
                "--only", "silero-vad", "--only", "mobilenetv2-int8");
        assertEquals(0, second.exit(), second.output());
        assertTrue(second.output().contains("mobilenetv2-int8 12: already installed and intact"), second.output());
        assertEquals(modified, Files.getLastModifiedTime(dir.resolve("model.yaml")).toMillis(), "nothing rewritten");
    }

    @Test
    void corruptedMirrorFileIsRefusedAndNothingHalfInstalledRemains(@TempDir Path tmp) throws IOException {
        Path mirror = tmp.resolve("mirror");
        Files.createDirectories(mirror.resolve("mobilenetv2-int8"));
        Files.copy(TestModels.mirror().resolve("mobilenetv2-int8/imagenet-labels.txt"), mirror.resolve("mobilenetv2-int8/imagenet-labels.txt"));
        byte[] onnx = Files.readAllBytes(TestModels.mirror().resolve("mobilenetv2-int8/mobilenetv2-12-int8.onnx"));
        onnx[onnx.length / 2] ^= 0x10; // one byte changed
        Files.write(mirror.resolve("mobilenetv2-int8/mobilenetv2-12-int8.onnx"), onnx);
        Path home = tmp.resolve("home");
        TestModels.Run r = TestModels.installer(home, "--mirror", mirror.toString(), "--only", "mobilenetv2-int8");
        assertEquals(1, r.exit(), r.output());
        assertTrue(r.output().contains("NOT installed") && r.output().contains("catalog pins cc028fe6"), r.output());
        assertFalse(Files.exists(home.resolve("models/mobilenetv2-int8/12")), "no model directory");
        try (Stream<Path> s = Files.walk(home)) {
            assertEquals(0, s.filter(Files::isRegularFile).count(), "no files left behind");
        }
    }

    @Test
    void missingMirrorAndNoNetworkGiveClearErrors(@TempDir Path tmp) throws IOException {
        Path home = tmp.resolve("home");
        TestModels.Run noMirror = TestModels.installer(home, "--mirror", tmp.resolve("absent").toString(), "--only", "silero-vad");
        assertEquals(2, noMirror.exit());
        assertTrue(noMirror.output().contains("mirror directory not found"), noMirror.output());

        // a catalog whose URL cannot be reached, and a mirror that lacks the file
        Path catalog = tmp.resolve("catalog.yaml");
        Files.writeString(catalog, """
                models:
                  - name: unreachable
                    version: "1"
                    role: vad
                    engine: onnxruntime
                    tier: test
                    default: true
                    licence: MIT
                    source: nowhere
                    description: a model that cannot be fetched
                    files:
                      - path: model.onnx
                        sha256: 1a153a22f4509e292a94e67d6f9b85e8deb25b4988682b7e174c65279d8788e3
                        url: http://127.0.0.1:9/model.onnx
                        mirror: unreachable/model.onnx
                """);
        Files.createDirectories(tmp.resolve("empty-mirror"));
        TestModels.Run offline = TestModels.installer(home, "--catalog", catalog.toString(), "--mirror", tmp.resolve("empty-mirror").toString());
        assertEquals(1, offline.exit(), offline.output());
        assertTrue(offline.output().contains("not in mirror") && offline.output().contains("downloading http://127.0.0.1:9/model.onnx failed"), offline.output());
        assertTrue(offline.output().contains("could not install: unreachable"), offline.output());
        assertFalse(Files.exists(home.resolve("models/unreachable")));
    }

    @Test
    void unpinnedFilesAreRefusedUnlessAllowed(@TempDir Path tmp) throws IOException {
        Path catalog = tmp.resolve("catalog.yaml");
        Files.writeString(catalog, """
                models:
                  - name: unpinned
                    version: "1"
                    role: vad
                    engine: onnxruntime
                    tier: test
                    default: true
                    licence: MIT
                    source: test
                    description: a file without a pinned checksum
                    files:
                      - path: model.onnx
                        sha256: unknown
                        url: http://127.0.0.1:9/model.onnx
                        mirror: silero-vad/silero_vad.onnx
                """);
        Path home = tmp.resolve("home");
        TestModels.Run refused = TestModels.installer(home, "--catalog", catalog.toString(), "--mirror", TestModels.mirror().toString());
        assertEquals(1, refused.exit(), refused.output());
        assertTrue(refused.output().contains("no pinned sha256") && refused.output().contains("--allow-unverified"), refused.output());
        TestModels.Run allowed = TestModels.installer(home, "--catalog", catalog.toString(), "--mirror", TestModels.mirror().toString(), "--allow-unverified");
        assertEquals(0, allowed.exit(), allowed.output());
        InstalledModel m = ModelRegistry.scan(home.resolve("models")).all().get(0);
        assertEquals(InstalledModel.Verification.UNVERIFIED, m.verification());
        TestModels.Run again = TestModels.installer(home, "--catalog", catalog.toString(), "--mirror", TestModels.mirror().toString(), "--allow-unverified");
        assertTrue(again.output().contains("already installed"), again.output());

        // a changed declaration (here the description) rewrites model.yaml even though the files are intact
        Files.writeString(catalog, Files.readString(catalog).replace("a file without a pinned checksum", "now described better"));
        TestModels.Run changed = TestModels.installer(home, "--catalog", catalog.toString(), "--mirror", TestModels.mirror().toString(), "--allow-unverified");
        assertEquals(0, changed.exit(), changed.output());
        assertTrue(changed.output().contains("declaration changed"), changed.output());
        assertEquals("now described better", ModelRegistry.scan(home.resolve("models")).all().get(0).description());
    }
}
