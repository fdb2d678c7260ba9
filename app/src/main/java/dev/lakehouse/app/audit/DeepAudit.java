package dev.lakehouse.app.audit;

import dev.lakehouse.ingest.deadletter.DeadLetterTable;
import dev.lakehouse.ingest.deadletter.ReplayState;
import dev.lakehouse.table.DataFile;
import dev.lakehouse.table.LakeTable;
import dev.lakehouse.table.OffsetAudit;
import dev.lakehouse.table.RowReader;
import dev.lakehouse.table.TableCommit;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.LongSupplier;
import org.apache.avro.generic.GenericRecord;

/**
 * The deep half of {@code lakehouse audit --deep}: checks a table against the source topic itself, not only its
 * log. For the offsets the audited commits took it reads Kafka as a transactional reader does
 * ({@link KafkaRangeReader}) and proves:
 * <ul>
 *   <li>with the {@code _kafka} column on an append table, offset by offset: every data record is exactly one row
 *       or one dead letter (a replayed letter is also its row), no offset is a row twice, and no row or letter
 *       stands at an offset where Kafka holds no data record. Transaction markers and aborted records account for
 *       the rest of the span;</li>
 *   <li>for every table, commit by commit: the batch read as many records as Kafka holds in its ranges, and an
 *       append wrote each as a row or a dead letter (its history's {@code inputRows}, {@code numOutputRows} and
 *       {@code deadLetters}). Keyed tables merge rows by key, so only the records read are checked there.</li>
 * </ul>
 * Offsets retention already deleted are counted and left out; offsets skipped under {@code on-offset-gap: skip}
 * and spans before a topic's start-over are the log audit's. Reads the {@code _kafka} column of every data file
 * and the coordinates of every dead letter (no payloads); memory is four bits per audited offset
 * ({@link AuditedPartition}).
 */
public final class DeepAudit {

    /** The most offsets a problem lists; the count says how many there are in all. */
    private static final int OFFSETS_SHOWN = 10;

    private DeepAudit() {
    }

    /**
     * Audits {@code table} from {@code fromVersion} against its source topic.
     *
     * @param letters the pipeline's dead-letter table, or null when its letters go to a topic only (then letters
     *     are checked by count per commit, not by offset)
     * @param kafka bootstrap servers and security settings of the source cluster
     * @param stallTimeout how long reading Kafka may make no progress before the audit gives up
     * @param nanoTime the monotonic clock that timeout is measured on
     * @throws IllegalStateException when Kafka cannot be read over the audited span (the message says where)
     * @throws IllegalArgumentException when a partition's span is too long to hold (narrow it with a later version)
     */
    public static DeepReport run(LakeTable table, DeadLetterTable letters, Map<String, Object> kafka,
                                 long fromVersion, Duration stallTimeout, LongSupplier nanoTime) {
        Map<String, AuditedPartition> partitions = new TreeMap<>();
        List<CommitTally> commits = new ArrayList<>();
        // Commits judged by offset only, not by their counts: some of their records are no longer in the topic
        // (it was deleted and created again since, or retention deleted them).
        Set<CommitTally> notCounted = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        for (TableCommit commit : table.historySince(fromVersion)) {
            List<OffsetAudit.TakenRange> taken = OffsetAudit.rangesTaken(commit);
            if (commit.version() < fromVersion || taken.isEmpty()) {
                continue;
            }
            CommitTally tally = new CommitTally(commit);
            OffsetAudit.Kind kind = OffsetAudit.kind(commit);
            if (kind == OffsetAudit.Kind.BATCH) {
                commits.add(tally);
            }
            for (OffsetAudit.TakenRange range : taken) {
                AuditedPartition p = partitions.computeIfAbsent(range.topic() + "\u0000" + range.partition(),
                        k -> new AuditedPartition(range.topic(), range.partition()));
                if (kind == OffsetAudit.Kind.START_OVER) {
                    p.ranges.forEach(before -> notCounted.add(before.commit()));
                    p.ranges.clear(); // offsets before belong to the deleted topic
                    p.startedOverAt = commit.timestamp();
                } else if (kind == OffsetAudit.Kind.SKIP) {
                    p.skippedOffsets += Math.max(0, range.next() - range.start());
                } else if (range.next() > range.start()) {
                    p.ranges.add(new CommitTally.Range(range.start(), range.next(), tally));
                }
            }
        }
        for (AuditedPartition p : partitions.values()) {
            p.ranges.sort(Comparator.comparingLong(CommitTally.Range::start));
            p.startTallies();
        }
        Map<AuditedPartition, Long> checkedFrom = new KafkaRangeReader(kafka, stallTimeout, nanoTime)
                .read(List.copyOf(partitions.values()));

        boolean keyed = !table.snapshot().keyColumns().isEmpty() || commits.stream().anyMatch(c -> c.merge);
        boolean byOffset = !keyed && table.snapshot().avroSchema().getField("_kafka") != null;
        long rowsWithoutOffset = byOffset ? readRowOffsets(table, partitions) : 0;
        if (letters != null) {
            letters.forEachStoredOffset(letter -> {
                AuditedPartition p = partitions.get(letter.topic() + "\u0000" + letter.partition());
                boolean fromDeletedTopic = letter.deadLetteredAt() != null
                        && letter.deadLetteredAt().isBefore(p == null ? java.time.Instant.MIN : p.startedOverAt);
                if (p != null && !fromDeletedTopic && p.covers(letter.offset())) {
                    p.letter(letter.offset(), letter.replayState() == ReplayState.REPLAYED);
                }
            });
        }

        List<DeepReport.Partition> results = new ArrayList<>();
        for (AuditedPartition p : partitions.values()) {
            long checked = checkedFrom.getOrDefault(p, p.from());
            List<String> problems = new ArrayList<>();
            if (byOffset) {
                if (letters != null) {
                    problem(problems, p, p.missing(), "data records in Kafka that are neither a row nor a dead letter");
                    problem(problems, p, p.rowAndLetter(), "both a row and a dead letter not replayed");
                }
                problem(problems, p, p.rowsTwice(), "rows more than once");
                problem(problems, p, p.notInKafka(checked), "rows or dead letters where Kafka holds no data record");
            }
            results.add(new DeepReport.Partition(p.topic, p.partition, p.from(), p.to(), checked,
                    p.deletedByRetention, p.dataRecords(), byOffset ? p.rows() : -1, letters != null ? p.letters() : -1,
                    p.replayedLetters(), p.controlOrAborted(checked), p.skippedOffsets, problems));
        }
        for (AuditedPartition p : partitions.values()) {
            long checked = checkedFrom.getOrDefault(p, p.from());
            for (CommitTally.Range range : p.ranges) {
                if (range.start() < checked) {
                    notCounted.add(range.commit());
                }
            }
        }
        List<String> commitProblems = new ArrayList<>();
        for (CommitTally commit : commits) {
            String problem = notCounted.contains(commit) ? null : commit.countProblem(letters != null);
            if (problem != null) {
                commitProblems.add(problem);
            }
        }
        return new DeepReport(table.location(), byOffset, keyed, letters != null, rowsWithoutOffset, results,
                commitProblems);
    }

    /** Marks every row's {@code _kafka} offset; returns the rows without one (written before the column was on). */
    private static long readRowOffsets(LakeTable table, Map<String, AuditedPartition> partitions) {
        long withoutOffset = 0;
        for (DataFile file : table.snapshot().files()) {
            try (RowReader rows = table.openRows(file, Set.of("_kafka"))) {
                for (GenericRecord row = rows.next(); row != null; row = rows.next()) {
                    GenericRecord kafka = (GenericRecord) row.get("_kafka");
                    if (kafka == null) {
                        withoutOffset++;
                        continue;
                    }
                    AuditedPartition p = partitions.get(kafka.get("topic") + "\u0000" + kafka.get("partition"));
                    long offset = (Long) kafka.get("offset");
                    if (p != null && p.covers(offset)) {
                        p.row(offset);
                    }
                }
            }
        }
        return withoutOffset;
    }

    private static void problem(List<String> problems, AuditedPartition p, BitSet offsets, String what) {
        int count = offsets.cardinality();
        if (count == 0) {
            return;
        }
        StringBuilder shown = new StringBuilder();
        int ranges = 0;
        int i = offsets.nextSetBit(0);
        for (; i >= 0 && ranges < OFFSETS_SHOWN; ranges++) {
            int end = offsets.nextClearBit(i);
            shown.append(ranges == 0 ? "" : ", ").append(p.base() + i);
            if (end - 1 > i) {
                shown.append('-').append(p.base() + end - 1);
            }
            i = offsets.nextSetBit(end);
        }
        problems.add(p.name() + ": " + count + " " + what + ": offsets " + shown + (i >= 0 ? ", …" : ""));
    }
}
