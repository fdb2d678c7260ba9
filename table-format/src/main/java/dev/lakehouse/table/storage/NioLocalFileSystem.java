package dev.lakehouse.table.storage;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.Set;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.apache.hadoop.fs.permission.FsAction;
import org.apache.hadoop.fs.permission.FsPermission;

/**
 * Hadoop's raw local file system without a process per file: the tables' {@code file:} file system.
 *
 * <p>Without Hadoop's native library (which the appliance does not ship), {@link RawLocalFileSystem} sets the
 * permissions of every file it creates by running {@code chmod}, and looks at every rename's source and target by
 * running {@code readlink}: a commit to a local table started five to eight processes, about 6 ms each here, and a
 * catch-up run over 200 new tables 2,800 of them. This class does both through {@code java.nio} instead; everything
 * else, and every answer, is Hadoop's. Named in the Hadoop configuration ({@code fs.file.impl}), so it is public.
 */
public final class NioLocalFileSystem extends RawLocalFileSystem {

    /**
     * Sets the permissions with {@link Files#setPosixFilePermissions}; on a file system without POSIX permissions,
     * Hadoop's own way.
     *
     * @throws java.nio.file.NoSuchFileException when the file does not exist (as Hadoop's {@code chmod} fails)
     */
    @Override
    public void setPermission(Path path, FsPermission permission) throws IOException {
        try {
            Files.setPosixFilePermissions(pathToFile(path).toPath(), posix(permission));
        } catch (UnsupportedOperationException e) {
            super.setPermission(path, permission);
        }
    }

    /**
     * The file's status, as Hadoop gives it for anything that is not a symbolic link (Hadoop's own answer for a
     * link): the same answer without running {@code readlink}.
     */
    @Override
    public FileStatus getFileLinkStatus(Path path) throws IOException {
        if (Files.isSymbolicLink(pathToFile(path).toPath())) {
            return super.getFileLinkStatus(path);
        }
        return getFileStatus(path);
    }

    static Set<PosixFilePermission> posix(FsPermission permission) {
        Set<PosixFilePermission> set = EnumSet.noneOf(PosixFilePermission.class);
        add(set, permission.getUserAction(), PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE,
                PosixFilePermission.OWNER_EXECUTE);
        add(set, permission.getGroupAction(), PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE,
                PosixFilePermission.GROUP_EXECUTE);
        add(set, permission.getOtherAction(), PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE,
                PosixFilePermission.OTHERS_EXECUTE);
        return set;
    }

    private static void add(Set<PosixFilePermission> set, FsAction action, PosixFilePermission read,
                            PosixFilePermission write, PosixFilePermission execute) {
        if (action.implies(FsAction.READ)) {
            set.add(read);
        }
        if (action.implies(FsAction.WRITE)) {
            set.add(write);
        }
        if (action.implies(FsAction.EXECUTE)) {
            set.add(execute);
        }
    }
}
