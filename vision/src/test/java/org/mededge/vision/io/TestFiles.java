package org.mededge.vision.io;

import java.nio.file.Path;

/** Where the shared samples and the repository are, as surefire tells the tests. */
public final class TestFiles {
    private TestFiles() {
    }

    public static Path repo() {
        String r = System.getenv("MEDEDGE_REPO");
        return r != null ? Path.of(r) : Path.of("..").toAbsolutePath().normalize();
    }

    public static Path shared() {
        String s = System.getenv("MEDEDGE_SHARED");
        return s != null ? Path.of(s) : repo().resolve("../shared").normalize();
    }

    public static Path sample(String name) {
        return shared().resolve("samples").resolve(name);
    }
}
