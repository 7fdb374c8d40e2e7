package org.mededge.appliance.models;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A model found under {@code $MEDEDGE_HOME/models/<name>/<version>/}, with its provenance from
 * model.yaml and the outcome of checking its files against the declared sha256 values.
 *
 * @param spec the whole model.yaml as read, for the engine that loads the model (inputs,
 *             preprocessing, labels, ...)
 */
public record InstalledModel(
        String name,
        String version,
        String role,
        String engine,
        String tier,
        String licence,
        String source,
        String description,
        Path dir,
        List<ModelFile> files,
        Map<String, Object> spec,
        Verification verification,
        String detail) {

    public enum Verification {
        /** every file present and matching its sha256 */
        VERIFIED,
        /** installed with --allow-unverified: files present but no pinned sha256 to compare with */
        UNVERIFIED,
        /** missing or altered files, or an unreadable model.yaml: never loaded */
        REFUSED
    }

    public InstalledModel {
        files = List.copyOf(files);
        spec = Map.copyOf(spec);
    }

    public boolean usable() {
        return verification != Verification.REFUSED;
    }

    public Path file(String relative) {
        return dir.resolve(relative);
    }

    /** sha256 of the first (main) file, for provenance. */
    public String mainSha256() {
        return files.isEmpty() ? null : files.get(0).sha256();
    }
}
