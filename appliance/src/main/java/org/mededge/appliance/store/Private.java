package org.mededge.appliance.store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import java.util.logging.Logger;

/**
 * Clinical data at rest is readable by the appliance's own user only, whatever the umask of whoever
 * started it (only the systemd unit sets UMask=0077): the data folder is 0700 and the database
 * with its -wal, -shm and -journal files 0600. Checked and corrected at every start, with a warning
 * in the log when something was wider (never its contents).
 */
final class Private {
    private static final Logger LOG = Logger.getLogger(Private.class.getName());
    static final Set<PosixFilePermission> DIR = PosixFilePermissions.fromString("rwx------");
    static final Set<PosixFilePermission> FILE = PosixFilePermissions.fromString("rw-------");
    private static final String[] SIDE_FILES = {"", "-wal", "-shm", "-journal"};

    private Private() {
    }

    /** Restricts {@code dir} and the database file (created empty and private when absent) with its side files. */
    static void restrict(Path dir, Path db) throws IOException {
        if (Files.getFileAttributeView(dir, PosixFileAttributeView.class) == null) {
            return; // not a POSIX file system: nothing to set
        }
        set(dir, DIR);
        if (!Files.exists(db)) {
            Files.createFile(db, PosixFilePermissions.asFileAttribute(FILE));
        }
        for (String suffix : SIDE_FILES) {
            Path f = db.resolveSibling(db.getFileName() + suffix);
            if (Files.exists(f)) {
                set(f, FILE);
            }
        }
    }

    private static void set(Path p, Set<PosixFilePermission> wanted) throws IOException {
        Set<PosixFilePermission> had = Files.getPosixFilePermissions(p);
        if (!had.equals(wanted)) {
            Files.setPosixFilePermissions(p, wanted);
            if (!had.containsAll(wanted) || had.size() > wanted.size()) {
                LOG.warning(() -> p.getFileName() + " was " + PosixFilePermissions.toString(had) + "; set to "
                        + PosixFilePermissions.toString(wanted) + " (clinical data is readable by the appliance's user only)");
            }
        }
    }
}
