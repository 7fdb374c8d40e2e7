package org.mededge.appliance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The device scripts' dry runs: every step is checked and printed, nothing on the machine changes. */
class DeviceScriptsTest {

    private static Path fakeRelease(Path dir) throws IOException {
        Path target = dir.resolve("release");
        Files.createDirectories(target.resolve("libs"));
        Manifest mf = new Manifest();
        mf.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        mf.getMainAttributes().put(Attributes.Name.IMPLEMENTATION_VERSION, "9.9.9-test");
        try (OutputStream out = Files.newOutputStream(target.resolve("mededge-appliance.jar"));
             JarOutputStream jar = new JarOutputStream(out, mf)) {
            jar.flush();
        }
        return target;
    }

    private static TestModels.Run script(String path, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("bash", TestModels.repo().resolve(path).toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(2, TimeUnit.MINUTES));
        return new TestModels.Run(p.exitValue(), out);
    }

    @Test
    void provisionDryRunPrintsEveryStepAndChangesNothing(@TempDir Path dir) throws Exception {
        Path release = fakeRelease(dir);
        Path prefix = dir.resolve("opt");
        TestModels.Run r = script("firmware-scripts/device/provision-jetson.sh", "--release", release.toString(),
                "--jdk", System.getProperty("java.home"), "--models-mirror", TestModels.mirror().toString(),
                "--prefix", prefix.toString(), "--home", dir.resolve("home").toString(), "--dry-run");
        assertEquals(0, r.exit(), r.output());
        for (String expected : List.of("== platform", "WOULD STOP: not a Jetson", "nvpmodel", "== service user",
                "releases/9.9.9-test", "== data at rest", "is not a dm-crypt volume", "install-models.sh --mirror", "== tokens", "systemctl enable --now mededge.service",
                "dry run complete; nothing was changed")) {
            assertTrue(r.output().contains(expected), "missing '" + expected + "' in:\n" + r.output());
        }
        assertTrue(Files.notExists(prefix), "a dry run creates nothing");
    }

    @Test
    void updateDryRunInstallsBesideAndPlansRollback(@TempDir Path dir) throws Exception {
        Path release = fakeRelease(dir);
        Path prefix = dir.resolve("opt");
        TestModels.Run r = script("firmware-scripts/device/update.sh", "--release", release.toString(),
                "--prefix", prefix.toString(), "--dry-run");
        assertEquals(0, r.exit(), r.output());
        assertTrue(r.output().contains("releases/9.9.9-test"), r.output());
        assertTrue(r.output().contains("mv -T " + prefix + "/current.new " + prefix + "/current"), "atomic switch:\n" + r.output());
        assertTrue(r.output().contains("switch back"), r.output());
        assertTrue(Files.notExists(prefix));
    }

    @Test
    void provisionRefusesAMissingRelease(@TempDir Path dir) throws Exception {
        TestModels.Run r = script("firmware-scripts/device/provision-jetson.sh", "--release", dir.resolve("none").toString(), "--dry-run");
        assertEquals(1, r.exit());
        assertTrue(r.output().contains("release directory not found"), r.output());
    }
}
