package dev.lakehouse.table;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Several committers on one local table, in one JVM and in two: every batch is kept, none twice. */
class ConcurrentWritersIT {

    static final int BATCHES = 15;
    static final int RECORDS_PER_BATCH = 40;

    /** Commits BATCHES batches of its own ids and partition; used in-process and as a child JVM's main. */
    static void commitBatches(String location, String instance, int partition) {
        commitBatches(LakeTable.open(TableOptions.builder(location).commitAttempts(50).build()), instance, partition,
                BATCHES);
    }

    /** Commits {@code batches} batches of its own ids and partition to {@code table}. */
    static void commitBatches(LakeTable table, String instance, int partition, int batches) {
        Schema schema = table.createIfAbsent(TestTables.eventSchema()).avroSchema();
        for (int b = 0; b < batches; b++) {
            long from = (long) partition * 1_000_000 + (long) b * RECORDS_PER_BATCH;
            List<DataFile> files = TestTables.write(table, TestTables.events(schema, from, from + RECORDS_PER_BATCH));
            CommitOutcome outcome = table.commit(new BatchCommit("p", instance, b, files,
                    List.of(new OffsetRange("t", partition, (long) b * RECORDS_PER_BATCH,
                            (long) (b + 1) * RECORDS_PER_BATCH)), Map.of()));
            if (!outcome.committed()) {
                throw new IllegalStateException("batch " + b + " of " + instance + " was not committed: " + outcome);
            }
        }
    }

    public static void main(String[] args) {
        commitBatches(args[0], args[1], Integer.parseInt(args[2]));
    }

    @Test
    void twoWritersInOneJvmKeepEveryBatch(@TempDir Path dir) throws Exception {
        String location = dir.toUri().toString();
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<?>> done = new ArrayList<>();
            done.add(pool.submit(() -> commitBatches(location, "writer-a", 0)));
            done.add(pool.submit(() -> commitBatches(location, "writer-b", 1)));
            for (Future<?> f : done) {
                f.get(5, TimeUnit.MINUTES);
            }
        } finally {
            pool.shutdownNow();
        }
        assertEveryRecordOnce(dir, 2);
    }

    @Test
    void twoJvmsOnLocalDiskKeepEveryBatch(@TempDir Path dir) throws Exception {
        String location = dir.toUri().toString();
        LakeTable.open(TableOptions.builder(location).build()).createIfAbsent(TestTables.eventSchema());
        Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), ConcurrentWritersIT.class.getName(),
                location, "writer-child", "1")
                .redirectErrorStream(true)
                .redirectOutput(dir.resolveSibling(dir.getFileName() + "-child.log").toFile())
                .start();
        try {
            commitBatches(location, "writer-parent", 0);
            assertThat(child.waitFor(5, TimeUnit.MINUTES)).isTrue();
            assertThat(child.exitValue()).as("child writer exit code (log beside the table dir)").isZero();
        } finally {
            child.destroyForcibly();
        }
        assertEveryRecordOnce(dir, 2);
    }

    private static void assertEveryRecordOnce(Path dir, int writers) {
        KernelReader.Result result = KernelReader.read(dir.toString());
        Set<Object> ids = new HashSet<>();
        result.rows().forEach(r -> ids.add(r.get("id")));
        assertThat(result.rows()).hasSize(writers * BATCHES * RECORDS_PER_BATCH);
        assertThat(ids).hasSize(writers * BATCHES * RECORDS_PER_BATCH);
    }
}
