package dev.lakehouse.ingest;

import dev.lakehouse.ingest.deadletter.DeadLetterReason;
import dev.lakehouse.ingest.deadletter.DeadLetterTable.StoredDeadLetter;
import dev.lakehouse.ingest.deadletter.DeadLetterTable;
import dev.lakehouse.ingest.deadletter.ReplayMarks.LetterState;
import dev.lakehouse.ingest.deadletter.ReplayMarks.ReplayMark;
import dev.lakehouse.ingest.deadletter.ReplayMarks;
import dev.lakehouse.ingest.deadletter.ReplayState;
import dev.lakehouse.ingest.decode.RecordDecoder;
import dev.lakehouse.ingest.settings.PipelineSettings;
import dev.lakehouse.table.BatchCommit;
import dev.lakehouse.table.CommitOutcome;
import dev.lakehouse.table.DataFile;
import dev.lakehouse.table.DataFileWriter;
import dev.lakehouse.table.LakeTable;
import dev.lakehouse.table.storage.InstanceIdInUseException;
import dev.lakehouse.table.storage.InstanceLock;
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
 * whose exact replay id has a commit in the main table's history are only marked, the others are replayed again
 * under a new id (a replay id below the latest committed one is not proof: a later replay of other letters may
 * have committed after this one failed). So each letter reaches the main table once. A pending replay whose commit
 * is older than the table's log retention cannot be told from one that never landed; it is replayed again with a
 * warning, so finish interrupted replays within the retention (30 days by default).
 *
 * <p>Letters that still fail stay dead letters, unchanged. Transient failures (registry down) abort the replay
 * with nothing half-done beyond what the protocol recovers. Runs beside the pipeline: its commits do not conflict
 * with ingestion. One replay per pipeline at a time: on local disk a second one is refused at once (an OS file lock
 * on the main table's {@code _lakehouse/instances/<pipeline>@dead-letter-replay.lock}); on object stores the writer
 * lease the replay command takes keeps a second one out.
 */
public final class DeadLetterReplay {

    private static final Logger LOG = LoggerFactory.getLogger(DeadLetterReplay.class);
    /** The instance id under which replays commit to the main table. */
    public static final String REPLAY_INSTANCE = "dead-letter-replay";

    private final PipelineSettings settings;
    private final LakeTable table;
    private final RecordDecoder decoder;
    private final DeadLetterTable deadLetters;
    private final ReplayMarks marks;
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
        this.marks = deadLetters.replayMarks();
        this.clock = settings.services().clock();
    }

    /**
     * Replays the dead letters whose reason is in {@code reasons} (all when empty).
     *
     * @param dryRun decode only, report what would happen, write nothing
     * @throws RuntimeException on transient failures (retry later) or a concurrent replay
     */
    public Report run(Set<DeadLetterReason> reasons, boolean dryRun) {
        if (dryRun || !InstanceLock.supported(table.location())) {
            return replay(reasons, dryRun);
        }
        InstanceLock lock;
        try {
            lock = InstanceLock.acquire(table.location(), replayAppId(), InstanceLock.thisProcess());
        } catch (InstanceIdInUseException e) {
            throw new IllegalStateException("another replay of pipeline " + settings.name() + "'s dead letters is "
                    + "running (" + e.getMessage() + "); wait for it to finish, then replay again", e);
        }
        try (lock) {
            return replay(reasons, false);
        }
    }

    private Report replay(Set<DeadLetterReason> reasons, boolean dryRun) {
        List<LetterState> states = marks.states();
        long committedReplay = table.exists() ? table.txnVersion(replayAppId()) : -1;
        int recovered = dryRun ? 0 : finishInterruptedReplays(states, committedReplay);
        if (recovered > 0) {
            states = marks.states();
        }
        long nextReplayId = Math.max(committedReplay, states.stream().map(LetterState::replayId)
                .filter(java.util.Objects::nonNull).mapToLong(Long::longValue).max().orElse(-1)) + 1;
        List<LetterState> candidates = candidates(states, reasons);
        states = null; // only the candidates are needed from here on

        // The letters are read whole a bounded number of bytes at a time, each part replayed in a commit of its
        // own: a backlog of any size replays in the memory of the pipeline's bytes in flight. Parts follow the
        // source order, so a keyed table takes each partition's letters in offset order across parts too.
        long budget = settings.limits().maxBytesInFlight();
        RecordConverter converter = new RecordConverter(settings, table, decoder, true, !dryRun);
        Map<String, Integer> stillFailing = new TreeMap<>();
        int replayed = 0;
        long firstReplayId = -1;
        long lastReplayId = -1;
        long lastVersion = -1;
        int partSize = INITIAL_PART;
        boolean shrunk = false;
        long plannedAt = deadLetters.table().exists() ? deadLetters.table().snapshot().version() : -1;
        for (int from = 0; from < candidates.size(); ) {
            List<LetterState> part = candidates.subList(from, Math.min(candidates.size(), from + partSize));
            java.util.Optional<List<StoredDeadLetter>> letters;
            try {
                letters = marks.readWhole(part, budget);
            } catch (RuntimeException e) {
                long now = deadLetters.table().snapshot().version();
                if (now == plannedAt) {
                    throw e;
                }
                // The dead-letter table changed since the plan (a compaction moved letters to new files): plan the
                // rest again from where this run has got to.
                LOG.info("pipeline {}: the dead-letter table changed during the replay (version {} -> {}); reading "
                        + "its letters' places again", settings.name(), plannedAt, now);
                plannedAt = now;
                LetterState reached = from == 0 ? null : candidates.get(from - 1);
                candidates = candidates(marks.states(), reasons);
                if (settings.keys().keyed()) {
                    candidates = candidates.stream()
                            .filter(c -> reached == null || SOURCE_ORDER.compare(c, reached) > 0).toList();
                } else {
                    stillFailing.clear(); // every letter not replayed is tried again, and counted once
                }
                from = 0;
                continue;
            }
            if (letters.isEmpty()) {
                partSize = Math.max(1, part.size() / 2);
                shrunk = true;
                continue;
            }
            Part done = replayPart(letters.get(), converter, stillFailing, dryRun, nextReplayId);
            if (done.replayed() > 0) {
                replayed += done.replayed();
                if (!dryRun) {
                    firstReplayId = firstReplayId < 0 ? nextReplayId : firstReplayId;
                    lastReplayId = nextReplayId++;
                    lastVersion = done.version();
                }
            }
            from += part.size();
            if (!shrunk) {
                partSize = Math.min(MAX_PART, partSize * 2);
            }
        }
        if (dryRun || replayed == 0) {
            return new Report(-1, -1, dryRun ? replayed : 0, stillFailing, recovered, dryRun);
        }
        LOG.info("pipeline {}: replay {} ingested {} dead letters into {} (last at version {}); still failing: {}",
                settings.name(), firstReplayId == lastReplayId ? firstReplayId : firstReplayId + "-" + lastReplayId,
                replayed, table.location(), lastVersion, stillFailing);
        return new Report(lastReplayId, lastVersion, replayed, stillFailing, recovered, false);
    }

    /** Letters per part to begin with; halved while a part's payloads pass the byte budget, doubled after. */
    private static final int INITIAL_PART = 1024;
    private static final int MAX_PART = 65_536;

    private record Part(int replayed, long version) {
    }

    /**
     * The letters to replay, in the order parts take them: a keyed table's in source order (each partition's in
     * offset order, so the newest change of a key is applied last); an append-only table's as the files hold them,
     * so that each file is read about once.
     */
    private List<LetterState> candidates(List<LetterState> states, Set<DeadLetterReason> reasons) {
        java.util.stream.Stream<LetterState> chosen = states.stream()
                .filter(s -> s.replayState() != ReplayState.REPLAYED)
                .filter(s -> reasons.isEmpty() || reasons.contains(s.reason()));
        return (settings.keys().keyed() ? chosen.sorted(SOURCE_ORDER) : chosen).toList();
    }

    private static final Comparator<LetterState> SOURCE_ORDER = Comparator.comparing(LetterState::topic)
            .thenComparingInt(LetterState::partition).thenComparingLong(LetterState::offset);

    /** Replays one part of the letters under {@code replayId} (pending marks, the main commit, replayed marks). */
    private Part replayPart(List<StoredDeadLetter> letters, RecordConverter converter,
                            Map<String, Integer> stillFailing, boolean dryRun, long replayId) {
        List<StoredDeadLetter> good = new ArrayList<>();
        List<RecordConverter.Outcome.Row> rows = new ArrayList<>();
        // A keyed table takes the letters as the newest changes of their keys, in offset order per partition.
        List<dev.lakehouse.table.RowChange> changes = new ArrayList<>();
        for (StoredDeadLetter candidate : letters) {
            RecordConverter.Outcome outcome = converter.convert(candidate.letter().toConsumerRecord());
            if (outcome instanceof RecordConverter.Outcome.Row row) {
                good.add(candidate);
                rows.add(row);
                changes.add(dev.lakehouse.table.RowChange.upsert(row.row()));
            } else if (outcome instanceof RecordConverter.Outcome.Delete delete) {
                good.add(candidate);
                changes.add(dev.lakehouse.table.RowChange.delete(delete.key()));
            } else if (outcome instanceof RecordConverter.Outcome.Dead dead) {
                stillFailing.merge(dead.letter().reason().name(), 1, Integer::sum);
            }
        }
        if (dryRun || good.isEmpty()) {
            return new Part(good.size(), -1);
        }

        // A pending mark records the main table's version before the replay commits: a later run finds that commit
        // among the newer versions, whatever happened to the dead-letter table's files meanwhile (compaction).
        long versionBefore = table.exists() ? table.snapshot().version() : -1;
        Map<String, ReplayMark> pending = new LinkedHashMap<>();
        good.forEach(s -> pending.put(DeadLetterTable.key(s.letter()), new ReplayMark(ReplayState.PENDING,
                replayId, null, versionBefore)));
        marks.updateReplayState(pending, "replay " + replayId + " pending");

        Map<String, String> parameters = Map.of("deadLettersReplayed", Integer.toString(good.size()),
                "deadLetterTable", deadLetters.describe());
        CommitOutcome outcome = settings.keys().keyed()
                ? KeyedMerges.of(settings, table).apply(settings.name(),
                        REPLAY_INSTANCE, replayId, List.of(), changes, parameters).outcome()
                : table.commit(new BatchCommit(settings.name(), REPLAY_INSTANCE, replayId, writeRows(rows), List.of(),
                        parameters));
        long version = outcome.version() >= 0 ? outcome.version() : table.snapshot().version();
        markReplayed(pending.keySet(), replayId, version);
        return new Part(good.size(), version);
    }

    /** Marks the letters of replays the main table already holds; returns how many. */
    private int finishInterruptedReplays(List<LetterState> stored, long committedReplay) {
        Set<Long> pendingIds = new java.util.TreeSet<>();
        long pendingSince = Long.MAX_VALUE;
        long versionBefore = Long.MAX_VALUE;
        for (LetterState s : stored) {
            if (s.replayState() == ReplayState.PENDING && s.replayId() != null && s.replayId() <= committedReplay) {
                pendingIds.add(s.replayId());
                if (s.replayTableVersion() != null) {
                    versionBefore = Math.min(versionBefore, s.replayTableVersion());
                } else {
                    // A mark of an earlier release, without the version: the file holding it was written when the
                    // letter was marked pending, unless a compaction rewrote it since (then the search stops early).
                    pendingSince = Math.min(pendingSince, s.file().modificationTime());
                }
            }
        }
        if (pendingIds.isEmpty()) {
            return 0;
        }
        Map<Long, Long> landed = committedReplays(pendingIds, pendingSince == Long.MAX_VALUE ? null
                : Instant.ofEpochMilli(pendingSince), versionBefore);
        Map<String, ReplayMark> done = new LinkedHashMap<>();
        for (LetterState s : stored) {
            if (s.replayState() == ReplayState.PENDING && s.replayId() != null && landed.containsKey(s.replayId())) {
                done.put(s.key(), new ReplayMark(ReplayState.REPLAYED, s.replayId(),
                        clock.instant(), landed.get(s.replayId())));
            }
        }
        if (!done.isEmpty()) {
            marks.updateReplayState(done, "interrupted replay finished");
            LOG.info("pipeline {}: {} dead letters of an interrupted replay were already in the table; marked "
                    + "replayed", settings.name(), done.size());
        }
        return done.size();
    }

    /**
     * Of the replay ids, those whose commit is in the main table's history, with its version. Replay commits are
     * serialized and their ids increase, and a replay commits after it marked its letters pending, so the history
     * is read from the newest version down to the first replay commit below the smallest id asked about, or to
     * the table version the pending marks recorded before their replay committed (marks of earlier releases: to
     * commits older than the marks' files, with a margin for clock skew between hosts).
     */
    private Map<Long, Long> committedReplays(Set<Long> ids, Instant pendingSince, long versionBefore) {
        Instant searchFrom = pendingSince == null ? null : pendingSince.minus(java.time.Duration.ofMinutes(10));
        long smallest = ids.stream().mapToLong(Long::longValue).min().orElseThrow();
        Map<Long, Long> found = new java.util.HashMap<>();
        boolean reachedBelow = false;
        long oldestRead = Long.MAX_VALUE;
        int scanned = 0;
        // History is read newest first in growing pages: usually the answer is among the newest commits.
        for (int limit = 64; !reachedBelow; limit = limit > Integer.MAX_VALUE / 8 ? Integer.MAX_VALUE : limit * 8) {
            List<dev.lakehouse.table.TableCommit> commits = table.history(limit);
            for (int i = scanned; i < commits.size() && !reachedBelow; i++) {
                dev.lakehouse.table.TableCommit commit = commits.get(i);
                oldestRead = commit.version();
                if (commit.version() <= versionBefore
                        || searchFrom != null && commit.timestamp().isBefore(searchFrom)) {
                    reachedBelow = true;
                } else if (replayAppId().equals(commit.parameters().get("queryId"))) {
                    long epoch = Long.parseLong(commit.parameters().getOrDefault("epochId", "-1"));
                    if (ids.contains(epoch)) {
                        found.put(epoch, commit.version());
                    }
                    reachedBelow = epoch < smallest;
                }
            }
            scanned = commits.size();
            if (commits.size() < limit) {
                break; // the whole retained history was read
            }
        }
        // The whole history was read when it reaches version 0; otherwise log retention removed its start.
        if (!reachedBelow && oldestRead > 0 && found.size() < ids.size()) {
            LOG.warn("pipeline {}: the table's history does not reach back to replay {}: letters pending since "
                    + "then are replayed again, and if that replay had committed before its log entries expired "
                    + "their rows are now in the table twice", settings.name(), smallest);
        }
        return found;
    }

    private void markReplayed(Set<String> keys, long replayId, long version) {
        Map<String, ReplayMark> replayed = new LinkedHashMap<>();
        Instant now = clock.instant();
        keys.forEach(k -> replayed.put(k, new ReplayMark(ReplayState.REPLAYED, replayId, now, version)));
        marks.updateReplayState(replayed, "replay " + replayId + " done");
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
