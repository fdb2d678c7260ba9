package dev.lakehouse.table.storage;

import dev.lakehouse.table.BatchCommit;
import dev.lakehouse.table.DataFile;
import dev.lakehouse.table.KernelReader;
import dev.lakehouse.table.LakeTable;
import dev.lakehouse.table.OffsetRange;
import dev.lakehouse.table.SourceFact;
import dev.lakehouse.table.SourcePartition;
import dev.lakehouse.table.TestTables;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.FileNotFoundException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.apache.avro.Schema;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.permission.FsPermission;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A local table's writes start no process: Hadoop's raw local file system, without its native library, runs
 * {@code chmod} for every file it creates and {@code readlink} for every rename, which made each local commit wait for
 * several processes. The JVM's own flight recorder counts the processes started.
 */
class NioLocalFileSystemIT {

    @Test
    void creatingAndCommittingToALocalTableStartsNoProcess(@TempDir Path dir) throws Exception {
        // Hadoop's Shell asks once per JVM, as it loads, whether setsid exists: not a cost per file.
        Class.forName("org.apache.hadoop.util.Shell");
        List<RecordedEvent> started = processesStartedWhile(() -> createAndCommit(
                LakeTable.open(TestTables.options(dir.resolve("ours")).build())), dir.resolve("ours.jfr"));
        assertThat(started).as("processes started by a local table's creation, commit and source facts").isEmpty();
        assertThat(KernelReader.read(dir.resolve("ours").toString()).rows()).hasSize(100);

        // The same with Hadoop's raw local file system: what the table-format did before, and what this test sees.
        List<RecordedEvent> hadoops = processesStartedWhile(() -> createAndCommit(LakeTable.open(
                TestTables.options(dir.resolve("hadoops"))
                        .hadoopProperty("fs.file.impl", "org.apache.hadoop.fs.RawLocalFileSystem")
                        .hadoopProperty("fs.AbstractFileSystem.file.impl", "org.apache.hadoop.fs.local.RawLocalFs")
                        .build())), dir.resolve("hadoops.jfr"));
        assertThat(hadoops).extracting(e -> e.getString("command").split(" ")[0]).contains("chmod", "readlink");
    }

    @Test
    void filesGetTheirPermissionsAndStatusAsHadoopGivesThem(@TempDir Path dir) throws Exception {
        Configuration conf = HadoopConfigurations.create(dir.toUri().toString(), Map.of());
        FileSystem fs = new org.apache.hadoop.fs.Path(dir.toUri()).getFileSystem(conf);
        assertThat(fs).isInstanceOf(NioLocalFileSystem.class);
        org.apache.hadoop.fs.Path file = new org.apache.hadoop.fs.Path(dir.toUri().toString(), "sub/data.json");
        try (FSDataOutputStream out = fs.create(file, false)) {
            out.writeBytes("{}");
        }
        // Hadoop's default 0666 for files and 0777 for directories, less the umask (022 by default).
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("sub/data.json"))))
                .isEqualTo("rw-r--r--");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("sub"))))
                .isEqualTo("rwxr-xr-x");
        fs.setPermission(file, new FsPermission((short) 0640));
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("sub/data.json"))))
                .isEqualTo("rw-r-----");

        FileStatus status = fs.getFileLinkStatus(file);
        assertThat(status.isFile()).isTrue();
        assertThat(status.getLen()).isEqualTo(2);
        assertThat(status.isSymlink()).isFalse();
        assertThatThrownBy(() -> fs.getFileLinkStatus(new org.apache.hadoop.fs.Path(dir.toUri().toString(), "none")))
                .isInstanceOf(FileNotFoundException.class);
        assertThatThrownBy(() -> fs.setPermission(new org.apache.hadoop.fs.Path(dir.toUri().toString(), "none"),
                FsPermission.getFileDefault())).isInstanceOf(java.io.IOException.class);
    }

    private static void createAndCommit(LakeTable table) {
        Schema schema = table.createIfAbsent(TestTables.eventSchema()).avroSchema();
        List<DataFile> files = TestTables.write(table, TestTables.events(schema, 0, 100));
        assertThat(table.commit(new BatchCommit("p", "i1", 0, files, List.of(new OffsetRange("events", 0, 0, 100)),
                Map.of())).committed()).isTrue();
        table.recordSourceFacts(Map.of(SourceFact.topicId(new SourcePartition("p", "events", 0)), "id-1"));
    }

    private static List<RecordedEvent> processesStartedWhile(Runnable work, Path recordingFile) throws Exception {
        try (Recording recording = new Recording()) {
            recording.enable("jdk.ProcessStart").withStackTrace();
            recording.start();
            work.run();
            recording.stop();
            recording.dump(recordingFile);
        }
        return RecordingFile.readAllEvents(recordingFile);
    }
}
