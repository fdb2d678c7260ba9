package dev.lakehouse.ingest;

import dev.lakehouse.ingest.DeadLetterTable.ReplayMark;
import dev.lakehouse.ingest.DeadLetterTable.StoredDeadLetter;
import dev.lakehouse.table.BatchCommit;
import dev.lakehouse.table.CommitOutcome;
import dev.lakehouse.table.DataFile;
import dev.lakehouse.table.DataFileWriter;
import dev.lakehouse.table.LakeTable;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.avro.Schema;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ingests a pipeline's dead letters again once their cause is fixed (a missing schema registered, a producer bug
 * worked around), exactly once, and marks them replayed.
 *
 * <p><strong>Protocol.</strong> Each replay has an id, increasing per pipeline. The letters that now decode are
 * first marked {@code PENDING} with that id in the dead-letter table; then their rows are committed to the main
 * table in one commit whose transaction id {@code <pipeline>@dead-letter-replay} carries the replay id; then they
 * are marked {@code REPLAYED}. A replay interrupted anywhere is finished by the next one: {@code PENDING} letters
 * whose replay id the main table holds are only marked, the others are replayed again under a new id. So each
 * letter reaches the main table once.
 *
 * <p>Letters that still fail stay dead letters, unchanged. Transient failures (registry down) abort the replay
 * with nothing half-done beyond what the protocol recovers. Runs beside the pipeline: its commits do not conflict
 * with ingestion. One replay per pipeline at a time (a second one fails on the rewrite of the same files).
 */
public final class DeadLetterReplay {

    private static final Logger LOG = LoggerFactory.getLogger(DeadLetterReplay.class);
    /** The instance id under which replays commit to the main table. */
    public static final String REPLAY_INSTANCE = "dead-letter-replay";

    private final PipelineSettings settings;
    private final LakeTable table;
    private final RecordDecoder decoder;
    private final DeadLetterTable deadLetters;
    private final Clock clock;

    /**
     * What a replay did.
     *
     * @param replayId the replay's id, -1 when nothing was replayed
     * @param tableVersion the main table version holding the replayed rows, -1 when none
     * @param replayed letters now in the main table
     * @param stillFailing letters that still cannot be ingested, by reason
     * @param recovered letters of an interrupted earlier replay that were already in the table and are now marked
     * @param dryRun whether nothing was written
     */
    public record Report(long replayId, long tableVersion, int replayed, Map<String, Integer> stillFailing,
                         int recovered, boolean dryRun) {
    }

    public DeadLetterReplay(PipelineSettings settings, LakeTable table, RecordDecoder decoder,
                            DeadLetterTable deadLetters) {
        this.settings = settings;
        this.table = table;
        this.decoder = decoder;
        this.deadLetters = deadLetters;
        this.clock = settings.clock();
    }

    /**
     * Replays the dead letters whose reason is in {@code reasons} (all when empty).
     *
     * @param dryRun decode only, report what would happen, write nothing
     * @throws RuntimeException on transient failures (retry later) or a concurrent replay
     */
    public Report run(Set<DeadLetterReason> reasons, boolean dryRun) {
        List<StoredDeadLetter> stored = deadLetters.readAll();
        long committedReplay = table.exists() ? table.txnVersion(replayAppId()) : -1;
        int recovered = dryRun ? 0 : finishInterruptedReplays(stored, committedReplay);
        if (recovered > 0) {
            stored = deadLetters.readAll();
        }
        long replayId = Math.max(committedReplay, stored.stream().map(StoredDeadLetter::replayId)
                .filter(java.util.Objects::nonNull).mapToLong(Long::longValue).max().orElse(-1)) + 1;

        List<StoredDeadLetter> candidates = stored.stream()
                .filter(s -> s.replayState() != ReplayState.REPLAYED)
                .filter(s -> reasons.isEmpty() || reasons.contains(s.letter().reason()))
                .sorted(Comparator.comparing((StoredDeadLetter s) -> s.letter().topic())
                        .thenComparingInt(s -> s.letter().partition()).thenComparingLong(s -> s.letter().offset()))
                .toList();
        RecordConverter converter = new RecordConverter(settings, table, decoder, true, !dryRun);
        List<StoredDeadLetter> good = new ArrayList<>();
        List<RecordConverter.Outcome.Row> rows = new ArrayList<>();
        Map<String, Integer> stillFailing = new TreeMap<>();
        for (StoredDeadLetter candidate : candidates) {
            RecordConverter.Outcome outcome = converter.convert(candidate.letter().toConsumerRecord());
            if (outcome instanceof RecordConverter.Outcome.Row row) {
                good.add(candidate);
                rows.add(row);
            } else if (outcome instanceof RecordConverter.Outcome.Dead dead) {
                stillFailing.merge(dead.letter().reason().name(), 1, Integer::sum);
            }
        }
        if (dryRun || good.isEmpty()) {
            return new Report(-1, -1, dryRun ? good.size() : 0, stillFailing, recovered, dryRun);
        }

        Map<String, ReplayMark> pending = new LinkedHashMap<>();
        good.forEach(s -> pending.put(DeadLetterTable.key(s.letter()), new ReplayMark(ReplayState.PENDING,
                replayId, null, null)));
        deadLetters.updateReplayState(pending, "replay " + replayId + " pending");

        List<DataFile> files = writeRows(rows);
        CommitOutcome outcome = table.commit(new BatchCommit(settings.name(), REPLAY_INSTANCE, replayId, files,
                List.of(), Map.of("deadLettersReplayed", Integer.toString(good.size()),
                "deadLetterTable", deadLetters.describe())));
        long version = outcome.version() >= 0 ? outcome.version() : table.snapshot().version();
        markReplayed(pending.keySet(), replayId, version);
        LOG.info("pipeline {}: replay {} ingested {} dead letters into {} at version {}; still failing: {}",
                settings.name(), replayId, good.size(), table.location(), version, stillFailing);
        return new Report(replayId, version, good.size(), stillFailing, recovered, false);
    }

    /** Marks the letters of replays the main table already holds; returns how many. */
    private int finishInterruptedReplays(List<StoredDeadLetter> stored, long committedReplay) {
        Map<String, ReplayMark> done = new LinkedHashMap<>();
        for (StoredDeadLetter s : stored) {
            if (s.replayState() == ReplayState.PENDING && s.replayId() != null
                    && s.replayId() <= committedReplay) {
                done.put(DeadLetterTable.key(s.letter()), new ReplayMark(ReplayState.REPLAYED, s.replayId(),
                        clock.instant(), null));
            }
        }
        if (!done.isEmpty()) {
            deadLetters.updateReplayState(done, "interrupted replay finished");
            LOG.info("pipeline {}: {} dead letters of an interrupted replay were already in the table; marked "
                    + "replayed", settings.name(), done.size());
        }
        return done.size();
    }

    private void markReplayed(Set<String> keys, long replayId, long version) {
        Map<String, ReplayMark> replayed = new LinkedHashMap<>();
        Instant now = clock.instant();
        keys.forEach(k -> replayed.put(k, new ReplayMark(ReplayState.REPLAYED, replayId, now, version)));
        deadLetters.updateReplayState(replayed, "replay " + replayId + " done");
    }

    private List<DataFile> writeRows(List<RecordConverter.Outcome.Row> rows) {
        List<DataFile> files = new ArrayList<>();
        DataFileWriter writer = null;
        Schema writerSchema = null;
        try {
            for (RecordConverter.Outcome.Row row : rows) {
                if (writer == null || row.schema() != writerSchema) {
                    if (writer != null) {
                        files.addAll(writer.finish());
                    }
                    writer = table.newDataFileWriter(row.schema());
                    writerSchema = row.schema();
                }
                writer.write(row.row());
            }
            if (writer != null) {
                files.addAll(writer.finish());
                writer = null;
            }
            return files;
        } finally {
            if (writer != null) {
                writer.abort();
            }
        }
    }

    private String replayAppId() {
        return settings.name() + "@" + REPLAY_INSTANCE;
    }
}
