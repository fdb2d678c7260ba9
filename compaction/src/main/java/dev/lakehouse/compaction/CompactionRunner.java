package dev.lakehouse.compaction;

import dev.lakehouse.table.DataFile;
import dev.lakehouse.table.DataFileWriter;
import dev.lakehouse.table.FileColumnTypeException;
import dev.lakehouse.table.FileRewrite;
import dev.lakehouse.table.LakeTable;
import dev.lakehouse.table.RewriteConflictException;
import dev.lakehouse.table.RowReader;
import dev.lakehouse.table.TableSnapshot;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.avro.generic.GenericRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a {@link CompactionPlan}: each group's rows are read in the table's current schema (columns added after a
 * file was written are null), several files at a time, and streamed into new files (sorted by the settings' sort
 * columns when there are any), then one commit removes the group's files and adds the
 * new ones with {@code dataChange=false}, so streaming readers ignore it and concurrent appends never conflict.
 *
 * <p>It never fails an ingest batch: its commits carry no transaction ids and read no files, so ingestion's
 * commits cannot conflict with them. A group whose files someone else removed meanwhile is skipped with a log
 * line; its new files become orphans for vacuum.
 *
 * <p>A file whose columns cannot be read as the table's without changing a value (another writer's types:
 * {@link FileColumnTypeException}) is left out of its group, which is compacted without it; the run is
 * {@link MaintenanceOutcome#PARTIAL} and its detail names the file and column, so the state is visible in the
 * console and the log instead of a group that fails forever.
 */
public final class CompactionRunner {

    private static final Logger LOG = LoggerFactory.getLogger(CompactionRunner.class);

    private final LakeTable table;
    private final Clock clock;

    public CompactionRunner(LakeTable table) {
        this.table = table;
        this.clock = table.options().clock();
    }

    /** Plans from the latest snapshot and runs. */
    public MaintenanceRun compact(CompactionSettings settings) {
        Instant started = clock.instant();
        long startNanos = System.nanoTime();
        try {
            if (!table.exists()) {
                return run(started, startNanos, MaintenanceOutcome.NOTHING_TO_DO, 0, 0, 0, 0, 0, "the table does not exist yet");
            }
            TableSnapshot snapshot = table.snapshot();
            CompactionSettings forTable = settings.forTable(snapshot);
            CompactionPlan plan = CompactionPlanner.plan(table.location(), snapshot, forTable);
            return execute(plan, forTable, started, startNanos);
        } catch (RuntimeException e) {
            LOG.warn("table {}: compaction failed: {}", table.location(), e.toString(), e);
            return run(started, startNanos, MaintenanceOutcome.FAILED, 0, 0, 0, 0, 0, e.getMessage() == null ? e.toString() : e.getMessage());
        }
    }

    /** Runs a plan made earlier with {@code settings}. */
    public MaintenanceRun execute(CompactionPlan plan, CompactionSettings settings) {
        return execute(plan, settings, clock.instant(), System.nanoTime());
    }

    private MaintenanceRun execute(CompactionPlan plan, CompactionSettings settings, Instant started,
                                   long startNanos) {
        if (plan.isEmpty()) {
            return run(started, startNanos, MaintenanceOutcome.NOTHING_TO_DO, 0, 0, 0, 0, 0, plan.candidateFiles() + " small files, "
                    + "no partition with enough of them");
        }
        int filesBefore = 0;
        long bytesBefore = 0;
        int filesAfter = 0;
        long bytesAfter = 0;
        int commits = 0;
        int skipped = 0;
        List<FileColumnTypeException> unreadable = new ArrayList<>();
        for (CompactionPlan.FileGroup planned : plan.groups()) {
            CompactionPlan.FileGroup group = planned;
            List<DataFile> written = null;
            while (written == null && group.files().size() > 1) {
                try {
                    written = rewrite(group, settings);
                } catch (FileColumnTypeException e) {
                    // A file another writer wrote with types the table's columns cannot hold unchanged: it stays
                    // as it is (readable by its own types), the rest of the group is compacted without it.
                    unreadable.add(e);
                    LOG.warn("table {}: compaction leaves out a file: {}", table.location(), e.getMessage());
                    group = without(group, e.file());
                }
            }
            if (written == null) {
                continue;
            }
            try {
                table.rewrite(new FileRewrite(group.files(), written, false, "OPTIMIZE",
                        Map.of("partition", group.partitionValues().toString(), "planVersion",
                                Long.toString(plan.snapshotVersion())),
                        Map.of("numRemovedFiles", Integer.toString(group.files().size()),
                                "numAddedFiles", Integer.toString(written.size()))));
                commits++;
                filesBefore += group.files().size();
                bytesBefore += group.bytes();
                filesAfter += written.size();
                bytesAfter += written.stream().mapToLong(DataFile::sizeBytes).sum();
            } catch (RewriteConflictException e) {
                skipped++;
                LOG.info("table {}: compaction group of {} files skipped: {}", table.location(), group.files().size(),
                        e.getMessage());
            }
        }
        MaintenanceOutcome outcome = commits == 0 && unreadable.isEmpty() ? MaintenanceOutcome.NOTHING_TO_DO
                : skipped > 0 || !unreadable.isEmpty() ? MaintenanceOutcome.PARTIAL : MaintenanceOutcome.COMPACTED;
        MaintenanceRun run = run(started, startNanos, outcome, filesBefore, bytesBefore, filesAfter, bytesAfter,
                commits, filesBefore + " files into " + filesAfter + " in " + commits + " commits"
                        + (skipped > 0 ? ", " + skipped + " groups skipped (files removed by another writer)" : "")
                        + (unreadable.isEmpty() ? "" : ", " + unreadable.size() + " files left out, their columns "
                        + "cannot be rewritten unchanged: " + unreadable.get(0).getMessage()
                        + (unreadable.size() > 1 ? " (and " + (unreadable.size() - 1) + " more, in the log)" : "")));
        LOG.info("table {}: compaction {}: {} ({} MB/s)", table.location(), outcome, run.detail(),
                String.format("%.1f", run.megabytesPerSecond()));
        return run;
    }

    /** The group without the file at {@code path}, as the table's log names it. */
    private static CompactionPlan.FileGroup without(CompactionPlan.FileGroup group, String path) {
        List<DataFile> rest = group.files().stream().filter(f -> !path.equals(f.path())).toList();
        if (rest.size() == group.files().size()) {
            // Not one of the group's files by name: leave the whole group out rather than retry it.
            return new CompactionPlan.FileGroup(group.partitionValues(), List.of());
        }
        return new CompactionPlan.FileGroup(group.partitionValues(), rest);
    }

    /**
     * Writes the group's rows into new files. Unsorted, the table copies them ({@link LakeTable#copyRows}: column by
     * column, files opened and decompressed on {@link CompactionSettings#readParallelism()} threads), with
     * {@link CompactionSettings#writeParallelism()} writers when the group fills at least two target-size files per
     * writer, else one, so that a small group becomes one file and is not compacted again. Sorted, rows are read on
     * {@code readParallelism} threads and go through an {@link ExternalRowSorter} (bounded memory, spilling to
     * local disk) into one writer.
     */
    private List<DataFile> rewrite(CompactionPlan.FileGroup group, CompactionSettings settings) {
        if (settings.sortBy().isEmpty()) {
            return table.copyRows(group.files(), writersFor(group, settings), settings.readParallelism());
        }
        DataFileWriter writer = table.newDataFileWriter();
        try (RowReader rows = table.openRows(group.files(), settings.readParallelism())) {
            writeSorted(rows, writer, settings);
            List<DataFile> files = writer.finish();
            writer = null;
            return files;
        } finally {
            if (writer != null) {
                writer.abort();
            }
        }
    }

    /**
     * Writers for an unsorted group: as many as the settings allow while each still fills two target-size files.
     * (A sorted group has one: several writers would each write an overlapping range.)
     */
    private int writersFor(CompactionPlan.FileGroup group, CompactionSettings settings) {
        long fileTarget = Math.max(1, table.options().targetFileSizeBytes());
        long fillable = group.bytes() / (2 * fileTarget);
        return (int) Math.max(1, Math.min(settings.writeParallelism(), fillable));
    }

    private void writeSorted(RowReader rows, DataFileWriter writer, CompactionSettings settings) {
        GenericRecord first = rows.next();
        if (first == null) {
            return;
        }
        try (ExternalRowSorter sorter = new ExternalRowSorter(first.getSchema(), settings.sortBy(),
                settings.sortMemoryBytes())) {
            for (GenericRecord row = first; row != null; row = rows.next()) {
                sorter.add(row);
            }
            try (RowReader sorted = sorter.sorted()) {
                for (GenericRecord row = sorted.next(); row != null; row = sorted.next()) {
                    writer.write(row);
                }
            }
            if (sorter.spilledRuns() > 0) {
                LOG.info("table {}: sorted {} runs spilled to local disk", table.location(), sorter.spilledRuns());
            }
        }
    }

    private MaintenanceRun run(Instant started, long startNanos, MaintenanceOutcome outcome, int filesBefore, long bytesBefore,
                               int filesAfter, long bytesAfter, int commits, String detail) {
        return new MaintenanceRun(table.location(), MaintenanceKind.COMPACTION, started,
                Duration.ofNanos(System.nanoTime() - startNanos), outcome, filesBefore, bytesBefore, filesAfter,
                bytesAfter, commits, detail);
    }
}
