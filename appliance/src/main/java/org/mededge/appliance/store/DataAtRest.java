package org.mededge.appliance.store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Whether the data folder lies on an encrypted volume. MedEdge encrypts clinical data at rest with
 * the device's disk encryption (LUKS / dm-crypt; on a Jetson, Jetson Linux's disk encryption with
 * its key derived from the fused EKB through OP-TEE, set up at flashing and checked by
 * provision-jetson.sh), not inside the database: the key never sits in the appliance's
 * configuration or memory, and the audit chain, the models and temporary files are covered too.
 * This check reads the mount table and the block devices' dm-crypt markers (Linux only): the
 * device under the data folder, or any device below it (LVM on LUKS), must be a dm-crypt target.
 */
public final class DataAtRest {
    /** What the check found; {@code detail} names the device, never file contents. */
    public record Status(boolean encrypted, boolean known, String detail) {
    }

    private DataAtRest() {
    }

    public static Status check(Path dir) {
        Path mountinfo = Path.of("/proc/self/mountinfo");
        if (!Files.isReadable(mountinfo)) {
            return new Status(false, false, "no /proc/self/mountinfo: the volume under the data folder could not be checked");
        }
        try {
            String real = dir.toRealPath().toString();
            String best = null;
            String device = null;
            String source = null;
            for (String line : Files.readAllLines(mountinfo)) {
                String[] f = line.split(" ");
                if (f.length < 5) {
                    continue;
                }
                String point = f[4].replace("\\040", " ");
                boolean under = real.equals(point) || real.startsWith(point.endsWith("/") ? point : point + "/");
                if (under && (best == null || point.length() >= best.length())) {
                    best = point;
                    device = f[2];
                    int dash = List.of(f).indexOf("-");
                    source = dash > 0 && dash + 2 < f.length ? f[dash + 2] : "?";
                }
            }
            if (device == null) {
                return new Status(false, false, "no mount found for the data folder");
            }
            Path block = Path.of("/sys/dev/block", device);
            if (!Files.exists(block)) {
                return new Status(false, true, "the data folder is on " + source + " (" + best + "), not a block device with"
                        + " disk encryption");
            }
            if (dmCrypt(block.toRealPath(), 0)) {
                return new Status(true, true, "the data folder is on " + source + " (" + best + "), a dm-crypt volume");
            }
            return new Status(false, true, "the data folder is on " + source + " (" + best + "), which is not encrypted"
                    + " (no dm-crypt device under it)");
        } catch (IOException e) {
            return new Status(false, false, "the volume under the data folder could not be checked ("
                    + e.getClass().getSimpleName() + ")");
        }
    }

    private static boolean dmCrypt(Path sysBlock, int depth) throws IOException {
        Path uuid = sysBlock.resolve("dm/uuid");
        if (Files.isReadable(uuid) && Files.readString(uuid).startsWith("CRYPT-")) {
            return true;
        }
        Path slaves = sysBlock.resolve("slaves");
        if (depth < 8 && Files.isDirectory(slaves)) {
            try (var s = Files.list(slaves)) {
                for (Path p : s.toList()) {
                    if (dmCrypt(p.toRealPath(), depth + 1)) {
                        return true;
                    }
                }
            }
        }
        // a partition's parent device (sda1 -> sda) is not the encrypted one: a partition holds the LUKS header itself
        return false;
    }
}
