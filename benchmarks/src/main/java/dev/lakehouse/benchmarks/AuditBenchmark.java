package dev.lakehouse.benchmarks;

import dev.lakehouse.table.BatchCommit;
import dev.lakehouse.table.LakeTable;
import dev.lakehouse.table.OffsetAudit;
import dev.lakehouse.table.OffsetRange;
import dev.lakehouse.table.TableOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.avro.SchemaBuilder;

/**
 * How long {@code lakehouse audit} takes on a long history: a local table of {@code audit.commits} (10,000) batch
 * commits of {@code audit.partitions} (3) partitions' offset ranges each (no data files: the audit reads the log
 * only), then {@link OffsetAudit} over all of it, {@code audit.runs} (3) times. Prints the time to build the
 * history and each audit's time and commits per second. Building takes about 125 ms per commit here (25 minutes for
 * 10,000); {@code audit.table=PATH} audits a history built before instead.
 */
final class AuditBenchmark {

    private AuditBenchmark() {
    }

    static void run() {
        int commits = Integer.getInteger("audit.commits", 10_000);
        int partitions = Integer.getInteger("audit.partitions", 3);
        int runs = Integer.getInteger("audit.runs", 3);
        try {
            String existing = System.getProperty("audit.table");
            Path dir = existing != null ? Path.of(existing) : Files.createTempDirectory("audit-bench");
            LakeTable table = LakeTable.open(TableOptions.builder(dir.toUri().toString()).build());
            table.createIfAbsent(SchemaBuilder.record("Order").fields().requiredLong("order_id").endRecord());
            long start = System.nanoTime();
            for (int c = existing != null ? commits : 0; c < commits; c++) {
                List<OffsetRange> ranges = new ArrayList<>();
                for (int p = 0; p < partitions; p++) {
                    ranges.add(new OffsetRange("orders", p, c * 1_000L, (c + 1) * 1_000L));
                }
                table.commit(new BatchCommit("orders", "bench", c, List.of(), ranges, Map.of()));
            }
            System.out.printf("audit: built a history of %,d commits x %d partitions in %.1f s%n", commits,
                    partitions, (System.nanoTime() - start) / 1e9);
            for (int r = 1; r <= runs; r++) {
                long auditStart = System.nanoTime();
                OffsetAudit.Report report = OffsetAudit.audit(table, 0);
                double seconds = (System.nanoTime() - auditStart) / 1e9;
                System.out.printf("audit run %d: %,d commits audited in %.2f s (%,.0f commits/s): %s%n", r,
                        report.commits(), seconds, report.commits() / seconds, report.ok() ? "whole"
                                : report.problems());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
