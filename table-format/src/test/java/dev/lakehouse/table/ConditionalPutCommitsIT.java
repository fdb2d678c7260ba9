package dev.lakehouse.table;

import dev.lakehouse.table.storage.ConditionalPutLogStore;
import dev.lakehouse.table.storage.ConditionalWrites;
import dev.lakehouse.table.storage.HadoopConfigurations;
import dev.lakehouse.table.storage.S3ObjectStore;
import dev.lakehouse.table.storage.WriterLease;
import dev.lakehouse.table.storage.WriterLeaseHeldException;
import static org.assertj.core.api.Assertions.assertThat;

import dev.lakehouse.s3.local.LocalS3Server;
import dev.lakehouse.testkit.LocalS3Extension;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Several writers on one {@code s3a://} table through {@link ConditionalPutLogStore}, against a real S3-protocol
 * server (s3proxy 4, which enforces {@code If-None-Match: *} on its file-system backend): for each version exactly
 * one writer wins, the others commit after their conflict check, and no commit is lost, in one JVM and in two.
 */
@org.junit.jupiter.api.extension.ExtendWith(LocalS3Extension.class)
class ConditionalPutCommitsIT {

    private static final String BUCKET = "lake";
    private static LocalS3Server s3;

    @BeforeAll
    static void createBucket(LocalS3Server server) {
        s3 = server;
        s3.createBucket(BUCKET);
    }

    static TableOptions.Builder options(String location, String endpoint) {
        TableOptions.Builder options = TableOptions.builder(location).commitAttempts(50);
        LocalS3Server.s3aSettings(endpoint).forEach(options::hadoopProperty);
        return options;
    }

    /** Batches per writer: enough for the writers to lose races and to cross a checkpoint (every 10 versions). */
    private static final int BATCHES = 8;

    /** Commits {@link #BATCHES} batches as one writer; also a child JVM's main. */
    static void commitBatches(String location, String endpoint, String instance, int partition) {
        LakeTable table = LakeTable.open(options(location, endpoint).conditionalPutCommits().build());
        ConcurrentWritersIT.commitBatches(table, instance, partition, BATCHES);
    }

    public static void main(String[] args) {
        commitBatches(args[0], args[1], args[2], Integer.parseInt(args[3]));
    }

    @Test
    void theStoreHonoursConditionalWrites() {
        assertThat(ConditionalWrites.supported(options("s3a://" + BUCKET + "/probe-table", s3.endpoint()).build()))
                .isTrue();
    }

    @Test
    void ofWritersRacingForOneLogVersionExactlyOneWins() throws Exception {
        S3ObjectStore store = S3ObjectStore.of(new org.apache.hadoop.fs.Path("s3a://" + BUCKET + "/race"),
                HadoopConfigurations.create("s3a://" + BUCKET,
                        options("s3a://" + BUCKET + "/race", s3.endpoint()).build().hadoopProperties()));
        int writers = 4;
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        try {
            for (int version = 0; version < 20; version++) {
                URI object = URI.create("s3a://" + BUCKET + "/race/_delta_log/" + version + ".json");
                CountDownLatch start = new CountDownLatch(1);
                List<Future<Boolean>> outcomes = new ArrayList<>();
                for (int w = 0; w < writers; w++) {
                    byte[] bytes = ("writer " + w + " of version " + version).getBytes(StandardCharsets.UTF_8);
                    Callable<Boolean> write = () -> {
                        start.await();
                        try {
                            store.putIfAbsent(object, bytes);
                            return true;
                        } catch (FileAlreadyExistsException lost) {
                            return false;
                        }
                    };
                    outcomes.add(pool.submit(write));
                }
                start.countDown();
                int winners = 0;
                for (Future<Boolean> outcome : outcomes) {
                    winners += outcome.get(1, TimeUnit.MINUTES) ? 1 : 0;
                }
                assertThat(winners).as("writers that created version %d", version).isEqualTo(1);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void twoWritersInOneJvmKeepEveryBatchAndEveryVersion() throws Exception {
        String location = "s3a://" + BUCKET + "/one-jvm";
        LakeTable.open(options(location, s3.endpoint()).conditionalPutCommits().build())
                .createIfAbsent(TestTables.eventSchema());
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<?>> done = new ArrayList<>();
            // Two table instances: two DeltaLogs, which share nothing but the store.
            done.add(pool.submit(() -> commitBatches(location, s3.endpoint(), "writer-a", 0)));
            done.add(pool.submit(() -> commitBatches(location, s3.endpoint(), "writer-b", 1)));
            for (Future<?> f : done) {
                f.get(5, TimeUnit.MINUTES);
            }
        } finally {
            pool.shutdownNow();
        }
        assertEveryBatchOnceInContiguousVersions(location, 2);
    }

    @Test
    void twoJvmsKeepEveryBatchAndEveryVersion(@TempDir Path dir) throws Exception {
        String location = "s3a://" + BUCKET + "/two-jvms";
        LakeTable.open(options(location, s3.endpoint()).conditionalPutCommits().build())
                .createIfAbsent(TestTables.eventSchema());
        Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), ConditionalPutCommitsIT.class.getName(),
                location, s3.endpoint(), "writer-child", "1")
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("child.log").toFile())
                .start();
        try {
            commitBatches(location, s3.endpoint(), "writer-parent", 0);
            assertThat(child.waitFor(5, TimeUnit.MINUTES)).isTrue();
            assertThat(child.exitValue()).as("child writer exit code (%s)", dir.resolve("child.log")).isZero();
        } finally {
            child.destroyForcibly();
        }
        assertEveryBatchOnceInContiguousVersions(location, 2);
    }

    @Test
    void aLeaseHolderAndWritersWithConditionalPutsNeverShareATable() {
        TableOptions options = options("s3a://" + BUCKET + "/mixed", s3.endpoint()).build();
        java.time.Duration ttl = java.time.Duration.ofSeconds(30);
        java.time.Clock clock = java.time.Clock.systemUTC();
        try (WriterLease single = WriterLease.acquire(options, "lease-holder", ttl, java.time.Duration.ZERO, clock)) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> WriterLease.acquireInstance(options,
                            "orders@a", ttl, java.time.Duration.ZERO, clock))
                    .isInstanceOf(WriterLeaseHeldException.class)
                    .hasMessageContaining("'lease-holder' under the single-writer lease")
                    .hasMessageContaining("table.commit-coordination");
        }
        try (WriterLease a = WriterLease.acquireInstance(options, "orders@a", ttl, java.time.Duration.ZERO, clock);
             WriterLease b = WriterLease.acquireInstance(options, "orders@b", ttl, java.time.Duration.ZERO, clock)) {
            assertThat(a.owner()).isNotEqualTo(b.owner());
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> WriterLease.acquire(options, "lease-holder", ttl,
                            java.time.Duration.ZERO, clock))
                    .isInstanceOf(WriterLeaseHeldException.class)
                    .hasMessageContaining("coordinates commits by conditional puts");
        }
        // Released: the single-writer lease may be taken again.
        WriterLease.acquire(options, "lease-holder", ttl, java.time.Duration.ZERO, clock).close();
    }

    private static void assertEveryBatchOnceInContiguousVersions(String location, int writers) {
        TableOptions options = options(location, s3.endpoint()).build();
        KernelReader.Result read = KernelReader.read(location, options.hadoopProperties());
        Set<Long> ids = new HashSet<>();
        for (Map<String, Object> row : read.rows()) {
            assertThat(ids.add((Long) row.get("id"))).as("id %s once", row.get("id")).isTrue();
        }
        int perWriter = BATCHES * ConcurrentWritersIT.RECORDS_PER_BATCH;
        assertThat(ids).hasSize(writers * perWriter);
        LakeTable table = LakeTable.open(options);
        long latest = table.snapshot().version();
        List<TableCommit> history = table.history((int) latest + 1);
        assertThat(history).extracting(TableCommit::version).as("no version missing")
                .containsExactlyInAnyOrderElementsOf(java.util.stream.LongStream.rangeClosed(0, latest).boxed()
                        .toList());
        assertThat(latest).as("creation plus one version per batch: none replaced another")
                .isEqualTo(writers * BATCHES);
    }
}
