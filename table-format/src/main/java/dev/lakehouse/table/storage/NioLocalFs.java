package dev.lakehouse.table.storage;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.DelegateToFileSystem;
import org.apache.hadoop.fs.FsConstants;
import org.apache.hadoop.fs.FsServerDefaults;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.local.LocalConfigKeys;

/**
 * {@link NioLocalFileSystem} for Hadoop's {@code FileContext}, through which Delta's log store renames a commit's
 * file into place: Hadoop's {@code RawLocalFs} with the file system that starts no process. Named in the Hadoop
 * configuration ({@code fs.AbstractFileSystem.file.impl}), so it is public.
 */
public final class NioLocalFs extends DelegateToFileSystem {

    /** The constructor Hadoop calls by reflection. */
    public NioLocalFs(URI uri, Configuration conf) throws IOException, URISyntaxException {
        super(uri, new NioLocalFileSystem(), conf, FsConstants.LOCAL_FS_URI.getScheme(), false);
    }

    @Override
    public int getUriDefaultPort() {
        return -1; // as RawLocalFs: a local URI has no port
    }

    @Override
    public FsServerDefaults getServerDefaults(Path path) throws IOException {
        return LocalConfigKeys.getServerDefaults();
    }

    @Override
    @Deprecated
    public FsServerDefaults getServerDefaults() throws IOException {
        return LocalConfigKeys.getServerDefaults();
    }

    @Override
    public boolean isValidName(String src) {
        return true; // as RawLocalFs: any local path name is valid
    }
}
