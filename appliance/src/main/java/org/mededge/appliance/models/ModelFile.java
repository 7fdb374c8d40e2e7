package org.mededge.appliance.models;

/** One file of an installed model as model.yaml declares it. {@code sha256} is null when not pinned. */
public record ModelFile(String path, String sha256, long size) {
}
