package dev.lakehouse.ingest.deadletter;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lakehouse.table.BatchCommit;
import dev.lakehouse.table.CommitOutcome;
import dev.lakehouse.table.DataFile;
import dev.lakehouse.table.DataFileWriter;
import dev.lakehouse.table.LakeTable;
import dev.lakehouse.table.OffsetRange;
import dev.lakehouse.table.SourceFact;
import dev.lakehouse.table.SourcePartition;
import dev.lakehouse.table.RowReader;
import dev.lakehouse.table.StaleBatchException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Dead letters in a Delta table of their own, next to the pipeline's table: one row per record, with the source
 * coordinates, the original key, value and headers, the reason, and the replay state. Any engine that reads the
 * main table reads this one ({@code SELECT reason, count(*) FROM … GROUP BY reason}).
 *
 * <p><strong>Exactly once.</strong> Each commit carries, per source partition it has letters for, the next source
 * offset it covers, as a Delta transaction id {@code <pipeline>/<topic>/<partition>} (the same scheme as the main
 * table). Offsets only move forward ({@link BatchCommit.OffsetCheck#FORWARD_ONLY}): letters below a partition's
 * next offset are already stored and are dropped from a batch written again, and a concurrent writer that got
 * there first makes the commit re-read and try again.
 *
 * <p><strong>Replay state.</strong> {@code replay_state} holds the letter's {@link ReplayState} (null while no
 * replay has taken it up; see {@code DeadLetterReplay}); {@code replay_table_version} the main table's version of
 * the replay's commit once replayed, and while pending the version before it (where to look for that commit).
 */
public final class DeadLetterTable implements DeadLetterDestination, DeadLetterSummaries {

    private static final Logger LOG = LoggerFactory.getLogger(DeadLetterTable.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int COMMIT_ATTEMPTS = 10;

    /** The table's schema (see {@link DeadLetterRows}); column names avoid SQL keywords ({@code partition}). */
    public static final Schema SCHEMA = DeadLetterRows.SCHEMA;

    private final LakeTable table;
    private final String pipeline;
    private final Clock clock;
    /** The last summary read, with the table version it was read at: read again only when the version moved. */
    private volatile CachedSummary cachedSummary;

    private record CachedSummary(long version, int newest, Summary summary) {
    }

    /** A dead letter as stored, with its bookkeeping and the file that holds it. */
    public record StoredDeadLetter(DeadLetter letter, String pipeline, long batchId, Instant deadLetteredAt,
                                   ReplayState replayState, Long replayId, Instant replayedAt, Long replayTableVersion,
                                   DataFile file) {
    }

    /**
     * @param table the dead-letter table (created on the first dead letter)
     * @param pipeline the pipeline whose dead letters it holds; its name prefixes the offset transaction ids
     * @param clock stamps {@code dead_lettered_at}
     */
    public DeadLetterTable(LakeTable table, String pipeline, Clock clock) {
        this.table = table;
        this.pipeline = pipeline;
        this.clock = clock;
    }

    /** The default location of a pipeline's dead-letter table: beside the main table, suffixed {@code _dead_letters}. */
    public static String defaultLocation(String mainTableLocation) {
        String base = mainTableLocation.endsWith("/") ? mainTableLocation.substring(0, mainTableLocation.length() - 1)
                : mainTableLocation;
        return base + "_dead_letters";
    }

    public LakeTable table() {
        return table;
    }

    @Override
    public String describe() {
        return table.location();
    }

    /** Read again at most every 2 s; a read costs one log check, and a full read only when the table changed. */
    @Override
    public java.time.Duration readEvery() {
        return java.time.Duration.ofSeconds(2);
    }

    /**
     * Reads the summary in bounded memory: the counts and the choice of the newest letters come from a projection
     * without payloads (key, value and headers are never decompressed), and only the chosen letters are read whole,
     * from their files only, with key and value cut to {@link DeadLetterScan#EXAMPLE_BYTES} for display. A backlog of millions of
     * large letters costs one pass over a few small columns.
     */
    @Override
    public Summary read(int newest) {
        long version = table.exists() ? table.snapshot().version() : -1;
        CachedSummary cached = cachedSummary;
        if (cached != null && cached.version() == version && cached.newest() == newest) {
            return cached.summary();
        }
        if (version < 0) {
            Summary empty = new Summary(Map.of(), List.of());
            cachedSummary = new CachedSummary(version, newest, empty);
            return empty;
        }
        Map<String, Long> pending = new TreeMap<>();
        java.util.Comparator<DeadLetterScan.Coordinates> byAge = java.util.Comparator.comparing(
                DeadLetterScan.Coordinates::deadLetteredAt,
                java.util.Comparator.nullsFirst(java.util.Comparator.<Instant>naturalOrder()));
        java.util.PriorityQueue<DeadLetterScan.Coordinates> chosen = new java.util.PriorityQueue<>(byAge);
        DeadLetterScan.forEachLetter(table, file -> true, letter -> {
            if (letter.replayState() != ReplayState.REPLAYED) {
                pending.merge(letter.reason(), 1L, Long::sum);
            }
            if (newest > 0) {
                chosen.add(letter);
                if (chosen.size() > newest) {
                    chosen.poll();
                }
            }
        });
        List<Example> examples = DeadLetterScan.examples(table, chosen).stream()
                .sorted(java.util.Comparator.comparing(Example::deadLetteredAt,
                        java.util.Comparator.nullsFirst(java.util.Comparator.<Instant>naturalOrder())).reversed())
                .toList();
        Summary summary = new Summary(pending, examples);
        cachedSummary = new CachedSummary(version, newest, summary);
        return summary;
    }

    @Override
    public void write(DeadLetterBatch batch) {
        if (batch.letters().isEmpty()) {
            return;
        }
        if (!batch.pipeline().equals(pipeline)) {
            throw new IllegalArgumentException("dead letters of pipeline " + batch.pipeline() + " sent to the table of "
                    + pipeline);
        }
        Schema schema = table.createIfAbsent(SCHEMA).avroSchema();
        for (int attempt = 1; ; attempt++) {
            List<OffsetRange> ranges = new ArrayList<>();
            List<DeadLetter> letters = new ArrayList<>();
            Map<String, Long> nextByPartition = new HashMap<>();
            for (OffsetRange range : batch.ranges()) {
                long next = table.txnVersion(range.appId(batch.pipeline()));
                nextByPartition.put(range.topic() + "/" + range.partition(), next);
                boolean hasLetters = batch.letters().stream().anyMatch(l -> l.topic().equals(range.topic())
                        && l.partition() == range.partition() && l.offset() >= Math.max(next, range.startOffset()));
                if (hasLetters && range.nextOffset() > next) {
                    ranges.add(new OffsetRange(range.topic(), range.partition(), Math.max(range.startOffset(), next),
                            range.nextOffset()));
                }
            }
            for (DeadLetter letter : batch.letters()) {
                long next = nextByPartition.getOrDefault(letter.topic() + "/" + letter.partition(), -1L);
                if (letter.offset() >= next) {
                    letters.add(letter);
                }
            }
            if (letters.isEmpty()) {
                return; // all of them are stored already: this batch is a replay of one that got here
            }
            List<DataFile> files = writeFiles(schema, batch, letters);
            CommitOutcome outcome = table.commit(new BatchCommit(batch.pipeline(), batch.instanceId(), batch.batchId(),
                    files, ranges, Map.of("deadLetters", Integer.toString(letters.size()),
                    "reasons", reasonCounts(letters)), BatchCommit.OffsetCheck.FORWARD_ONLY));
            if (outcome.status() == CommitOutcome.Status.DUPLICATE_BATCH) {
                // Batch ids continue after the highest one stored here, so only another live process with this
                // instance id can have used this one: storing nothing and going on would lose these letters.
                throw new StaleBatchException("dead letters of batch " + batch.batchId() + " of "
                        + pipeline + "@" + batch.instanceId() + " not stored: " + outcome.detail() + " in "
                        + table.location() + " by another process with the same instance id");
            }
            if (outcome.status() != CommitOutcome.Status.REPLAYED_OFFSETS) {
                LOG.info("pipeline {}: {} dead letters of batch {} written to {} ({})", batch.pipeline(),
                        letters.size(), batch.batchId(), table.location(), reasonCounts(letters));
                return;
            }
            if (attempt >= COMMIT_ATTEMPTS) {
                throw new dev.lakehouse.table.CommitFailedException("dead letters of batch " + batch.batchId()
                        + " could not be committed to " + table.location() + ": " + outcome.detail(), null);
            }
            // Another writer stored letters of these partitions meanwhile: recompute what is still missing.
        }
    }

    private List<DataFile> writeFiles(Schema schema, DeadLetterBatch batch, List<DeadLetter> letters) {
        long now = clock.millis();
        try (DataFileWriter writer = table.newDataFileWriter()) {
            for (DeadLetter letter : letters) {
                writer.write(DeadLetterRows.toRow(schema, letter, batch.pipeline(), batch.instanceId(), batch.batchId(), now));
            }
            return writer.finish();
        }
    }

    /**
     * Resets the partitions' offsets here and records when, so that letters of the deleted topic (stored before
     * now, with the same topic name and partition numbers) are never taken for the new topic's.
     */
    @Override
    public void startOver(String pipeline, String instanceId, long batchId, List<OffsetRange> ranges) {
        if (!table.exists()) {
            return;
        }
        Map<SourceFact, String> resets = new java.util.LinkedHashMap<>();
        String now = clock.instant().toString();
        ranges.forEach(r -> resets.put(resetKey(r.topic(), r.partition()), now));
        table.recordSourceFacts(resets);
        Map<String, Long> replaced = table.txnVersions(ranges.stream().map(r -> r.appId(pipeline)).toList());
        table.commit(BatchCommit.reset(pipeline, instanceId, batchId, ranges, replaced,
                Map.of("topicRecreated", ranges.toString())));
    }

    private SourceFact resetKey(String topic, int partition) {
        return SourceFact.topicReset(new SourcePartition(pipeline, topic, partition));
    }

    /** Its dead letters are committed under the pipeline instance's batch ids, like the main table's batches. */
    @Override
    public long lastBatchId(String batchAppId) {
        return table.exists() ? table.txnVersion(batchAppId) : -1;
    }

    @Override
    public Set<Long> writtenFrom(String topic, int partition, long fromOffset, Instant tableCommittedAt) {
        Set<Long> offsets = new HashSet<>();
        // Fast path, nearly always taken: the table's offsets for the partition end before the main table's.
        if (!table.exists() || table.txnVersion(new SourcePartition(pipeline, topic, partition).transactionId()) <= fromOffset) {
            return offsets;
        }
        // Letters stored before the partition started over belong to a deleted topic of the same name.
        String reset = table.sourceFacts(List.of(resetKey(topic, partition))).get(resetKey(topic, partition));
        Instant since = reset == null ? Instant.MIN : Instant.parse(reset);
        DeadLetterScan.forEachLetter(table, file -> mayHold(file, fromOffset), letter -> {
            boolean beforeReset = letter.deadLetteredAt() != null && letter.deadLetteredAt().isBefore(since);
            if (!beforeReset && letter.topic().equals(topic) && letter.partition() == partition
                    && letter.offset() >= fromOffset) {
                offsets.add(letter.offset());
            }
        });
        return offsets;
    }

    /** Whether a file's statistics allow a source offset at or above {@code fromOffset}. */
    private static boolean mayHold(DataFile file, long fromOffset) {
        if (file.statsJson() == null) {
            return true;
        }
        try {
            JsonNode max = JSON.readTree(file.statsJson()).path("maxValues").path("source_offset");
            return max.isMissingNode() || max.asLong() >= fromOffset;
        } catch (java.io.IOException e) {
            return true;
        }
    }

    /**
     * Every stored dead letter, payloads included: for small tables and tests only; a replay reads
     * {@link ReplayMarks#states()} and then {@link ReplayMarks#readWhole} a bounded number of bytes at a time. Empty when the table does
     * not exist yet.
     */
    public List<StoredDeadLetter> readAll() {
        return read(file -> true);
    }

    private List<StoredDeadLetter> read(java.util.function.Predicate<DataFile> fileFilter) {
        List<StoredDeadLetter> all = new ArrayList<>();
        if (!table.exists()) {
            return all;
        }
        for (DataFile file : table.snapshot().files()) {
            if (!fileFilter.test(file)) {
                continue;
            }
            try (RowReader reader = table.openRows(file)) {
                for (GenericRecord row = reader.next(); row != null; row = reader.next()) {
                    all.add(DeadLetterRows.fromRow(row, file));
                }
            }
        }
        return all;
    }

    /**
     * Letters not yet replayed, by reason (sorted), each with the message of one of them. Read without payloads,
     * one letter at a time: bounded memory for any backlog.
     */
    public Map<String, PendingReason> pendingByReason() {
        Map<String, PendingReason> pending = new TreeMap<>();
        DeadLetterScan.forEachLetter(table, file -> true, letter -> {
            if (letter.replayState() != ReplayState.REPLAYED) {
                pending.merge(letter.reason(), new PendingReason(1, letter.message()),
                        (a, b) -> new PendingReason(a.count() + 1, a.exampleMessage()));
            }
        });
        return pending;
    }

    /** Letters not yet replayed, counted by reason (sorted by reason); read without payloads. */
    public Map<String, Long> countsByReason() {
        Map<String, Long> counts = new TreeMap<>();
        pendingByReason().forEach((reason, pending) -> counts.put(reason, pending.count()));
        return counts;
    }

    /** How many letters of one reason wait for a replay, and the message of one of them. */
    public record PendingReason(long count, String exampleMessage) {
    }

    /**
     * A stored letter's source coordinates and state, without its payload.
     *
     * @param deadLetteredAt when it was stored, null for letters stored before the table recorded it
     */
    public record StoredOffset(String topic, int partition, long offset, String reason, ReplayState replayState,
                               Instant deadLetteredAt) {
    }

    /**
     * Hands every stored letter's coordinates to {@code each}, one at a time, read without the payload columns:
     * bounded memory for any number of letters (what an offset audit needs).
     */
    public void forEachStoredOffset(java.util.function.Consumer<StoredOffset> each) {
        DeadLetterScan.forEachLetter(table, file -> true, letter -> each.accept(new StoredOffset(letter.topic(),
                letter.partition(), letter.offset(), letter.reason(), letter.replayState(), letter.deadLetteredAt())));
    }

    /** The replay state of this table's letters: what a replay reads to plan, and how it marks letters. */
    public ReplayMarks replayMarks() {
        return new ReplayMarks(table);
    }

    /** The identity of a dead letter: its source coordinates. */
    public static String key(DeadLetter letter) {
        return DeadLetterRows.key(letter.topic(), letter.partition(), letter.offset());
    }

    private static String reasonCounts(List<DeadLetter> letters) {
        Map<String, Integer> counts = new TreeMap<>();
        letters.forEach(l -> counts.merge(l.reason().name(), 1, Integer::sum));
        return counts.toString();
    }
}
