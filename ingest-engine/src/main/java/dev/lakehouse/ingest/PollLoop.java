package dev.lakehouse.ingest;

import dev.lakehouse.table.BatchCommit;
import dev.lakehouse.table.CommitOutcome;
import dev.lakehouse.table.LakeTable;
import dev.lakehouse.table.OffsetRange;
import dev.lakehouse.table.TableCommit;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.clients.consumer.OffsetOutOfRangeException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.FencedInstanceIdException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One run of a pipeline: the poll thread's loop (poll, plan, decode, hand rows to the {@link BatchWriter}) and the
 * consumer's rebalance listener. A failure ends the run; {@link IngestPipeline} decides whether to start another.
 *
 * <p>Offsets come from the table only: on every assignment the loop seeks to the table's next offsets, and when
 * it must drop work (revocation, a skipped batch) it re-reads them. Kafka group offsets are committed after the
 * table commit, for monitoring tools only.
 */
final class PollLoop implements ConsumerRebalanceListener {

    private static final Logger LOG = LoggerFactory.getLogger(PollLoop.class);

    /** Rows handed to the writer at once: large enough to amortize the queue, small enough to overlap well. */
    private static final int CHUNK_ROWS = 2048;
    private static final int QUEUE_CAPACITY = 32;
    private static final long IDLE_POLL_MILLIS = 200;
    private static final long LAG_REFRESH_MILLIS = 1000;

    /** Receives what the loop learns, for the pipeline's status. */
    interface Observer {
        void committed(BatchPlanner.PlannedBatch batch, BatchProgress progress);

        void lag(List<PartitionLag> partitions);

        /** The loop paused (its last batch committed) or resumed. */
        default void paused(boolean paused) {
        }

        /** The run's consumer was created (called before its first poll). */
        default void consumerOpened(org.apache.kafka.clients.consumer.Consumer<?, ?> consumer) {
        }

        /** The run's consumer is about to be closed. */
        default void consumerClosing(org.apache.kafka.clients.consumer.Consumer<?, ?> consumer) {
        }
    }

    private final PipelineSettings settings;
    private final LakeTable table;
    private final DeadLetterDestination deadLetters;
    private final RecordConverter converter;
    private final BatchIdSequence batchIds;
    private final Observer observer;

    private final BatchPlanner planner;
    private final BlockingQueue<BatchWriter.Task> tasks = new ArrayBlockingQueue<>(QUEUE_CAPACITY);
    private final BlockingQueue<BatchWriter.Result> results = new LinkedBlockingQueue<>();
    private final BatchWriter writer;
    private final Thread writerThread;
    private final Map<TopicPartition, Long> tableNextOffsets = new HashMap<>();

    private KafkaConsumer<byte[], byte[]> consumer;
    private List<GenericRecord> chunk = new ArrayList<>(CHUNK_ROWS);
    private List<DeadLetter> openLetters = new ArrayList<>();
    private Schema chunkSchema;
    private long pollDecodeNanos;
    private long lagRefreshedAt;
    private boolean closing;
    private BooleanSupplier pauseRequested = () -> false;
    private boolean paused;
    /**
     * Whether the open batch is the first since the partitions were sought (a start, a rebalance, a resync). Such
     * a batch closes as soon as it has read everything the partitions held, not an interval after its first record:
     * after a restart the backlog is in the table at once, and the usual cadence follows.
     */
    private boolean catchingUp;

    PollLoop(PipelineSettings settings, LakeTable table, RecordDecoder decoder, DeadLetterDestination deadLetters,
             BatchIdSequence batchIds, Consumer<BatchProgress> progressSink, Observer observer) {
        this.settings = settings;
        this.table = table;
        this.deadLetters = deadLetters;
        this.converter = new RecordConverter(settings, table, decoder, !deadLetters.isNone(), true);
        this.batchIds = batchIds;
        this.observer = observer;
        this.planner = new BatchPlanner(settings.maxRecords(), settings.maxBytes(), settings.triggerInterval(),
                settings.clock());
        this.writer = new BatchWriter(settings, table, deadLetters, tasks, results, progressSink);
        this.writerThread = new Thread(writer, "lakehouse-" + settings.name() + "-writer");
        this.writerThread.setDaemon(true);
    }

    /**
     * Runs until {@code stopRequested} is true (then commits the open batch and returns) or a failure (then the
     * open batch is dropped and the failure thrown).
     */
    void run(BooleanSupplier stopRequested) {
        run(stopRequested, () -> false);
    }

    /**
     * As {@link #run(BooleanSupplier)}; while {@code pauseRequested} is true the open batch is committed and the
     * assigned partitions are paused: the consumer keeps its group membership and its partitions, reads nothing,
     * and the lag keeps being measured.
     */
    void run(BooleanSupplier stopRequested, BooleanSupplier pauseRequested) {
        this.pauseRequested = pauseRequested;
        writerThread.start();
        boolean clean = false;
        KafkaConsumer<byte[], byte[]> kafka = null;
        try {
            continueBatchIdsFromTables();
            kafka = new KafkaConsumer<>(consumerProperties());
            consumer = kafka;
            observer.consumerOpened(kafka);
            if (settings.topicPattern() != null) {
                kafka.subscribe(settings.topicPattern(), this);
            } else {
                kafka.subscribe(settings.topics(), this);
            }
            while (!stopRequested.getAsBoolean()) {
                pollOnce();
            }
            finishOpenBatch();
            clean = true;
        } catch (FencedInstanceIdException e) {
            throw new IllegalStateException("pipeline " + settings.name() + ": another consumer joined group "
                    + settings.groupId() + " with this instance's group.instance.id '" + settings.groupInstanceId()
                    + "', and the broker fenced this one. Two running processes share instance-id '"
                    + settings.instanceId() + "' (or group.instance.id); give each its own. This process stops; the "
                    + "other one keeps the partitions.", e);
        } finally {
            // Closing revokes the partitions; by then nothing is in flight (or the run failed and nothing more
            // may be committed), so the listener must not hand anything over.
            closing = true;
            if (kafka != null) {
                try {
                    observer.consumerClosing(kafka);
                    // A failed run rejoins at once, so it stays; a stop leaves only when asked to.
                    kafka.close(CloseOptions.timeout(Duration.ofSeconds(10)).withGroupMembershipOperation(
                            clean && settings.leaveGroupOnStop() ? CloseOptions.GroupMembershipOperation.LEAVE_GROUP
                                    : CloseOptions.GroupMembershipOperation.DEFAULT));
                } catch (RuntimeException e) {
                    LOG.warn("pipeline {}: consumer did not close cleanly: {}", settings.name(), e.toString());
                }
            }
            stopWriter(clean);
            consumer = null;
        }
    }

    private Properties consumerProperties() {
        Properties props = new Properties();
        // Defaults tuned for throughput; anything the user passes wins, except the keys the engine owns.
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "lakehouse-" + settings.name() + "-" + settings.instanceId());
        // Incremental rebalancing: when a member joins, leaves or dies, the others keep their partitions and keep
        // committing instead of revoking everything and waiting out the dead member's session.
        props.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, CooperativeStickyAssignor.class.getName());
        if (settings.groupInstanceId() != null) {
            // Static membership (classic protocol): a restarted instance rejoins under the same id and gets its
            // partitions back without a rebalance and without waiting for its predecessor's session to time out.
            // (KIP-848's protocol refuses a static member whose predecessor has not left, as after a kill -9.)
            props.put(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, settings.groupInstanceId());
        }
        props.putAll(settings.consumerProperties());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, settings.groupId());
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        // The engine always seeks; "none" turns a position that retention deleted into an error, not a jump.
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "none");
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        return props;
    }

    private void pollOnce() {
        applyPause();
        long timeout = paused ? IDLE_POLL_MILLIS : Math.min(IDLE_POLL_MILLIS, planner.millisUntilDue());
        ConsumerRecords<byte[], byte[]> records;
        long pollStart = System.nanoTime();
        try {
            records = consumer.poll(Duration.ofMillis(timeout));
        } catch (OffsetOutOfRangeException e) {
            if (settings.onOffsetGap() != PipelineSettings.OffsetGapPolicy.SKIP) {
                throw offsetsExpired(e);
            }
            skipExpiredOffsets(e);
            return;
        }
        if (!records.isEmpty()) {
            for (TopicPartition partition : records.partitions()) {
                for (ConsumerRecord<byte[], byte[]> record : records.records(partition)) {
                    take(partition, record);
                }
            }
            pollDecodeNanos += System.nanoTime() - pollStart;
        }
        if (planner.due() || catchingUp && !planner.isEmpty() && caughtUp()) {
            seal();
        }
        drainResults();
        long now = settings.clock().millis();
        if (now - lagRefreshedAt >= LAG_REFRESH_MILLIS) {
            lagRefreshedAt = now;
            observer.lag(lags());
        }
    }

    /** Follows the pipeline's pause switch: pausing first commits the open batch, so a paused table is current. */
    private void applyPause() {
        boolean pause = pauseRequested.getAsBoolean();
        if (pause && !paused) {
            if (!planner.isEmpty()) {
                seal();
            }
            // Paused means the table no longer changes: wait for the open batch's commit before saying so.
            barrier();
            drainResults();
            LOG.info("pipeline {}: paused", settings.name());
        } else if (!pause && paused) {
            consumer.resume(consumer.paused());
            LOG.info("pipeline {}: resumed", settings.name());
        }
        if (pause != paused) {
            paused = pause;
            observer.paused(pause);
        }
        if (paused) {
            // Every poll: partitions assigned by a rebalance since the last one must not be fetched either.
            consumer.pause(consumer.assignment());
        }
    }

    private void take(TopicPartition partition, ConsumerRecord<byte[], byte[]> record) {
        if (!planner.accepts(partition, record.offset())) {
            return;
        }
        RecordConverter.Outcome outcome = converter.convert(record);
        if (outcome instanceof RecordConverter.Outcome.Row row) {
            if (chunkSchema != row.schema() && !chunk.isEmpty()) {
                flushChunk();
            }
            chunk.add(row.row());
            chunkSchema = row.schema();
        } else if (outcome instanceof RecordConverter.Outcome.Dead dead) {
            openLetters.add(dead.letter());
        }
        planner.add(partition, record.offset(),
                Math.max(0, record.serializedKeySize()) + Math.max(0, record.serializedValueSize()));
        if (chunk.size() >= CHUNK_ROWS) {
            flushChunk();
        }
        if (planner.full()) {
            seal();
        }
    }

    private void flushChunk() {
        if (!chunk.isEmpty()) {
            put(new BatchWriter.Task.Rows(chunkSchema, chunk));
            chunk = new ArrayList<>(CHUNK_ROWS);
        }
    }

    /** Whether the consumer has read up to the end of every partition it owns, as of its last fetch. */
    private boolean caughtUp() {
        Set<TopicPartition> assigned = consumer.assignment();
        if (assigned.isEmpty()) {
            return false;
        }
        for (TopicPartition partition : assigned) {
            OptionalLong lag = consumer.currentLag(partition);
            if (lag.isEmpty() || lag.getAsLong() > 0) {
                return false;
            }
        }
        return true;
    }

    private void seal() {
        catchingUp = false;
        flushChunk();
        BatchPlanner.PlannedBatch batch = planner.seal();
        put(new BatchWriter.Task.Seal(batchIds.next(), batch, openLetters, pollDecodeNanos,
                logEndOffsets()));
        openLetters = new ArrayList<>();
        pollDecodeNanos = 0;
    }

    private void finishOpenBatch() {
        if (!planner.isEmpty()) {
            seal();
        }
        barrier();
        drainResults();
        try {
            consumer.commitSync(groupOffsets(List.copyOf(tableNextOffsets.keySet())));
        } catch (RuntimeException e) {
            LOG.debug("pipeline {}: group offsets not committed on stop (monitoring only): {}", settings.name(), e.toString());
        }
    }

    private void drainResults() {
        BatchWriter.Result result;
        boolean committed = false;
        while ((result = results.poll()) != null) {
            if (result.committed()) {
                committed = true;
                for (OffsetRange range : result.batch().ranges()) {
                    tableNextOffsets.put(new TopicPartition(range.topic(), range.partition()), range.nextOffset());
                }
                observer.committed(result.batch(), result.progress());
                commitGroupOffsets(result.batch());
            } else {
                resyncWithTable();
            }
        }
        if (committed) {
            observer.lag(lags());
        }
        checkWriter();
    }

    /** Group offsets for monitoring tools (lag in Kafka UIs); never read back by the engine. */
    private void commitGroupOffsets(BatchPlanner.PlannedBatch batch) {
        Set<TopicPartition> assigned = consumer.assignment();
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (OffsetRange range : batch.ranges()) {
            TopicPartition partition = new TopicPartition(range.topic(), range.partition());
            if (assigned.contains(partition)) {
                offsets.put(partition, new OffsetAndMetadata(range.nextOffset()));
            }
        }
        if (!offsets.isEmpty()) {
            consumer.commitAsync(offsets, (committed, error) -> {
                if (error != null) {
                    LOG.debug("pipeline {}: group offset commit failed (monitoring only): {}", settings.name(),
                            error.toString());
                }
            });
        }
    }

    /** After a skipped batch: drop everything in flight and continue from the table's offsets. */
    private void resyncWithTable() {
        LOG.info("pipeline {}: re-reading offsets from table {}", settings.name(), table.location());
        dropOpenBatch();
        barrier();
        continueBatchIdsFromTables();
        seekFromTable(List.copyOf(planner.tracked()));
    }

    /**
     * Moves the batch ids past every batch committed under this instance's app id, in the table and in the
     * dead-letter destination: a restarted process with a fixed instance id continues its predecessor's numbering
     * instead of sending ids the table would refuse or skip.
     */
    private void continueBatchIdsFromTables() {
        String appId = batchAppId();
        long inTable = table.exists() ? table.txnVersion(appId) : -1;
        long inDeadLetters = deadLetters.lastBatchId(appId);
        long before = batchIds.peek();
        batchIds.continueAfter(Math.max(inTable, inDeadLetters));
        if (batchIds.peek() != before) {
            LOG.info("pipeline {}: batch ids of {} continue at {} (table holds batch {}, dead letters batch {})",
                    settings.name(), appId, batchIds.peek(), inTable, inDeadLetters);
        }
    }

    private String batchAppId() {
        return BatchCommit.batchAppId(settings.name(), settings.instanceId());
    }

    private void dropOpenBatch() {
        planner.discardOpen();
        chunk = new ArrayList<>(CHUNK_ROWS);
        openLetters = new ArrayList<>();
        chunkSchema = null;
        pollDecodeNanos = 0;
    }

    /** Waits until the writer has handled every task queued so far (committing sealed batches, dropping the open one). */
    private void barrier() {
        CompletableFuture<Void> done = new CompletableFuture<>();
        put(new BatchWriter.Task.Barrier(done));
        while (true) {
            try {
                done.get(100, TimeUnit.MILLISECONDS);
                break;
            } catch (TimeoutException e) {
                checkWriter();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for the writer", e);
            } catch (ExecutionException e) {
                throw new IllegalStateException("writer barrier failed", e.getCause());
            }
        }
        checkWriter();
    }

    private void put(BatchWriter.Task task) {
        try {
            while (!tasks.offer(task, 100, TimeUnit.MILLISECONDS)) {
                checkWriter();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while handing work to the writer", e);
        }
    }

    private void checkWriter() {
        Throwable failure = writer.failure();
        if (failure != null) {
            if (failure instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new IllegalStateException("the writer thread failed: " + failure, failure);
        }
    }

    private void stopWriter(boolean clean) {
        if (!tasks.offer(new BatchWriter.Task.Shutdown())) {
            writerThread.interrupt();
        }
        try {
            writerThread.join(TimeUnit.SECONDS.toMillis(clean ? 60 : 10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (writerThread.isAlive()) {
            writerThread.interrupt();
        }
    }

    // ---- rebalance listener: runs on the poll thread, inside poll() ----

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
        if (!partitions.isEmpty()) {
            LOG.info("pipeline {}: assigned {}", settings.name(), partitions);
            seekFromTable(partitions);
            if (paused) {
                consumer.pause(partitions); // before this poll fetches from them
            }
        }
    }

    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
        if (!partitions.isEmpty() && !closing) {
            handOver(partitions, true);
        }
    }

    @Override
    public void onPartitionsLost(Collection<TopicPartition> partitions) {
        if (!partitions.isEmpty() && !closing) {
            handOver(partitions, false);
        }
    }

    /**
     * Partitions leave this instance: sealed batches are committed (we still own them until this returns), the
     * open batch is dropped, and the partitions we keep go back to the table's offsets (their open rows are gone).
     */
    private void handOver(Collection<TopicPartition> partitions, boolean owned) {
        LOG.info("pipeline {}: {} {}", settings.name(), owned ? "revoked" : "lost", partitions);
        dropOpenBatch();
        barrier();
        drainResults();
        if (owned) {
            try {
                consumer.commitSync(groupOffsets(partitions));
            } catch (RuntimeException e) {
                LOG.debug("pipeline {}: group offsets not committed on revocation (monitoring only): {}",
                        settings.name(), e.toString());
            }
        }
        planner.untrack(partitions);
        partitions.forEach(tableNextOffsets::remove);
        seekFromTable(List.copyOf(planner.tracked()));
    }

    private Map<TopicPartition, OffsetAndMetadata> groupOffsets(Collection<TopicPartition> partitions) {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (TopicPartition partition : partitions) {
            Long next = tableNextOffsets.get(partition);
            if (next != null) {
                offsets.put(partition, new OffsetAndMetadata(next));
            }
        }
        return offsets;
    }

    /** Seeks partitions to the table's next offsets, or to the starting position where the table has none. */
    private void seekFromTable(Collection<TopicPartition> partitions) {
        catchingUp = true;
        List<TopicPartition> fresh = new ArrayList<>();
        Map<TopicPartition, Long> positions = new HashMap<>();
        boolean tableExists = table.exists();
        for (TopicPartition partition : partitions) {
            long next = tableExists ? table.txnVersion(appId(partition)) : -1;
            if (next >= 0) {
                consumer.seek(partition, next);
                planner.track(partition, next);
                tableNextOffsets.put(partition, next);
                positions.put(partition, next);
            } else {
                fresh.add(partition);
            }
        }
        if (!fresh.isEmpty()) {
            seekFresh(fresh, tableExists, positions);
        }
        rememberDeadLetters(positions, tableExists && fresh.isEmpty());
    }

    /**
     * Records past the table's offsets that are already dead letters (written just before a crash, with the batch
     * that never committed) must not become rows now, even if they would decode today.
     */
    private void rememberDeadLetters(Map<TopicPartition, Long> positions, boolean allFromTable) {
        if (deadLetters.isNone() || positions.isEmpty()) {
            return;
        }
        Instant committedAt = Instant.EPOCH;
        if (allFromTable) {
            List<TableCommit> last = table.history(1);
            committedAt = last.isEmpty() ? Instant.EPOCH : last.get(0).timestamp();
        }
        for (Map.Entry<TopicPartition, Long> entry : positions.entrySet()) {
            TopicPartition partition = entry.getKey();
            Set<Long> offsets = deadLetters.writtenFrom(partition.topic(), partition.partition(), entry.getValue(),
                    committedAt);
            if (!offsets.isEmpty()) {
                LOG.info("pipeline {}: {} records of {} from offset {} are dead letters already; they will not be "
                        + "ingested again", settings.name(), offsets.size(), partition, entry.getValue());
            }
            converter.alreadyDeadLettered(partition, offsets);
        }
    }

    private void seekFresh(List<TopicPartition> fresh, boolean tableExists, Map<TopicPartition, Long> positions) {
        Map<String, Boolean> topicKnown = new HashMap<>();
        List<TopicPartition> toBeginning = new ArrayList<>();
        List<TopicPartition> byPosition = new ArrayList<>();
        for (TopicPartition partition : fresh) {
            boolean known = topicKnown.computeIfAbsent(partition.topic(), t -> tableExists && tableHasOffsetsFor(t));
            // A partition added to a topic the table already follows starts at its beginning: nothing skipped.
            if (known || settings.startingPosition().kind() == StartingPosition.Kind.EARLIEST) {
                toBeginning.add(partition);
            } else {
                byPosition.add(partition);
            }
        }
        consumer.seekToBeginning(toBeginning);
        if (!byPosition.isEmpty()) {
            if (settings.startingPosition().kind() == StartingPosition.Kind.LATEST) {
                consumer.seekToEnd(byPosition);
            } else {
                seekToTimestamp(byPosition);
            }
        }
        for (TopicPartition partition : fresh) {
            long position = consumer.position(partition);
            planner.track(partition, position);
            positions.put(partition, position);
            LOG.info("pipeline {}: {} has no offset in the table; starting at {} ({})", settings.name(), partition,
                    position, toBeginning.contains(partition) ? "earliest" : settings.startingPosition());
        }
    }

    private void seekToTimestamp(List<TopicPartition> partitions) {
        Map<TopicPartition, Long> query = new LinkedHashMap<>();
        long millis = settings.startingPosition().timestamp().toEpochMilli();
        partitions.forEach(p -> query.put(p, millis));
        Map<TopicPartition, OffsetAndTimestamp> found = consumer.offsetsForTimes(query);
        List<TopicPartition> none = new ArrayList<>();
        for (TopicPartition partition : partitions) {
            OffsetAndTimestamp at = found.get(partition);
            if (at != null) {
                consumer.seek(partition, at.offset());
            } else {
                none.add(partition);
            }
        }
        consumer.seekToEnd(none);
    }

    private boolean tableHasOffsetsFor(String topic) {
        List<PartitionInfo> infos = consumer.partitionsFor(topic);
        for (PartitionInfo info : infos == null ? List.<PartitionInfo>of() : infos) {
            if (table.txnVersion(appId(new TopicPartition(topic, info.partition()))) >= 0) {
                return true;
            }
        }
        return false;
    }

    private String appId(TopicPartition partition) {
        return new OffsetRange(partition.topic(), partition.partition(), 0, 0).appId(settings.name());
    }

    /** Paused partitions are not fetched, so the fetch's lag goes stale: ask the broker instead. */
    private Map<TopicPartition, Long> pausedLogEndOffsets() {
        try {
            Set<TopicPartition> assigned = consumer.assignment();
            return assigned.isEmpty() ? Map.of() : consumer.endOffsets(assigned, Duration.ofSeconds(2));
        } catch (RuntimeException e) {
            LOG.debug("pipeline {}: end offsets not known while paused: {}", settings.name(), e.toString());
            return Map.of();
        }
    }

    private Map<TopicPartition, Long> logEndOffsets() {
        Map<TopicPartition, Long> ends = new HashMap<>();
        Set<TopicPartition> assigned = consumer.assignment();
        for (TopicPartition partition : planner.tracked()) {
            if (!assigned.contains(partition)) {
                continue;
            }
            OptionalLong lag = consumer.currentLag(partition);
            if (lag.isPresent()) {
                ends.put(partition, consumer.position(partition) + lag.getAsLong());
            }
        }
        return ends;
    }

    private List<PartitionLag> lags() {
        Map<TopicPartition, Long> ends = paused ? pausedLogEndOffsets() : logEndOffsets();
        List<PartitionLag> lags = new ArrayList<>();
        for (TopicPartition partition : planner.tracked()) {
            long tableNext = tableNextOffsets.getOrDefault(partition, -1L);
            long end = ends.getOrDefault(partition, -1L);
            long lag = end >= 0 && tableNext >= 0 ? Math.max(0, end - tableNext) : -1;
            lags.add(new PartitionLag(partition.topic(), partition.partition(), tableNext, end, lag));
        }
        lags.sort((a, b) -> a.topic().equals(b.topic()) ? Integer.compare(a.partition(), b.partition())
                : a.topic().compareTo(b.topic()));
        return lags;
    }

    /**
     * The table's next offsets of some partitions are gone from Kafka and the pipeline opted into skipping: the
     * lost range is committed as an empty batch (visible in the table history as {@code skippedOffsets}), then
     * reading continues at the earliest offset Kafka still has.
     */
    private void skipExpiredOffsets(OffsetOutOfRangeException e) {
        dropOpenBatch();
        barrier();
        drainResults();
        Set<TopicPartition> expired = e.offsetOutOfRangePartitions().keySet();
        Map<TopicPartition, Long> earliest = consumer.beginningOffsets(expired);
        List<OffsetRange> skipped = new ArrayList<>();
        for (TopicPartition partition : expired) {
            long next = table.exists() ? table.txnVersion(appId(partition)) : -1;
            Long first = earliest.get(partition);
            if (next < 0 || first == null || first <= next) {
                // Out of range without records lost to retention (the offset is past the end: the topic was
                // recreated, or the table belongs to another cluster). Skipping would go backwards: stop.
                throw offsetsExpired(e);
            }
            skipped.add(new OffsetRange(partition.topic(), partition.partition(), next, first));
        }
        StringBuilder description = new StringBuilder();
        for (OffsetRange range : skipped) {
            description.append(description.length() == 0 ? "" : ", ").append(range.topic()).append('-')
                    .append(range.partition()).append(" offsets ").append(range.startOffset()).append(" to ")
                    .append(range.nextOffset() - 1);
        }
        CommitOutcome outcome = table.commit(new BatchCommit(settings.name(), settings.instanceId(),
                batchIds.next(), List.of(), skipped, Map.of("skippedOffsets", description.toString(),
                "skipReason", "deleted by Kafka retention before ingestion (on-offset-gap: skip)")));
        LOG.warn("pipeline {}: SKIPPED {}: Kafka retention deleted them before they were ingested; recorded in table "
                + "{} ({} at version {})", settings.name(), description, table.location(), outcome.status(),
                outcome.version());
        seekFromTable(List.copyOf(planner.tracked()));
    }

    private OffsetsExpiredException offsetsExpired(OffsetOutOfRangeException e) {
        StringBuilder message = new StringBuilder("pipeline " + settings.name() + ": the table's next offset is no "
                + "longer in Kafka for ");
        e.offsetOutOfRangePartitions().forEach((partition, offset) -> message.append(partition).append(" (offset ")
                .append(offset).append(") "));
        message.append("- retention deleted records before they were ingested. Nothing past the table's offsets was "
                + "committed. Restore the records, or accept the loss explicitly; the pipeline will not skip them "
                + "on its own.");
        return new OffsetsExpiredException(message.toString(), e);
    }
}
