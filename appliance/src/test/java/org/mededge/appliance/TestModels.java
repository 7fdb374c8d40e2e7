package org.mededge.appliance;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Installs real models for tests through the project's own installer, with ../shared/models as the
 * local mirror, exactly as the README's run command does.
 */
public final class TestModels {
    private TestModels() {
    }

    public static Path repo() {
        String r = System.getenv("MEDEDGE_REPO");
        return r != null ? Path.of(r) : Path.of("..").toAbsolutePath().normalize();
    }

    public static Path shared() {
        String s = System.getenv("MEDEDGE_SHARED");
        return s != null ? Path.of(s) : repo().resolve("../shared").normalize();
    }

    public static Path mirror() {
        return shared().resolve("models");
    }

    /** The result of one installer run. */
    public record Run(int exit, String output) {
    }

    /** Runs firmware-scripts/install-models.sh with the given arguments and MEDEDGE_HOME. */
    public static Run installer(Path home, String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add("bash");
        cmd.add(repo().resolve("firmware-scripts/install-models.sh").toString());
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("MEDEDGE_HOME", home.toString());
        try {
            Process p = pb.start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(5, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new IllegalStateException("installer timed out");
            }
            return new Run(p.exitValue(), new String(out, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** A home with the named models installed from the mirror (installation must succeed). */
    public static Path homeWith(Path home, String... models) {
        List<String> args = new ArrayList<>(List.of("--mirror", mirror().toString()));
        for (String m : models) {
            args.add("--only");
            args.add(m);
        }
        Run r = installer(home, args.toArray(String[]::new));
        if (r.exit() != 0) {
            throw new IllegalStateException("installing " + String.join(",", models) + " failed:\n" + r.output());
        }
        return home;
    }

    /** A shared, once-installed home under target/ for tests that only read models. */
    public static synchronized Path sharedHome(String... models) {
        Path home = repo().resolve("appliance/target/test-home");
        try {
            Files.createDirectories(home);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return homeWith(home, models);
    }
}
