package dev.lakehouse.ingest;

import dev.lakehouse.ingest.deadletter.DeadLetterDestination;
import dev.lakehouse.ingest.settings.PipelineSettings;
import dev.lakehouse.ingest.settings.StartingPosition;
import dev.lakehouse.ingest.settings.TopicRecreatedPolicy;
import dev.lakehouse.ingest.source.TopicIdLookup;
import dev.lakehouse.ingest.source.TopicRecreatedException;
import dev.lakehouse.table.LakeTable;
import dev.lakehouse.table.OffsetRange;
import dev.lakehouse.table.SourceFact;
import dev.lakehouse.table.SourcePartition;
import dev.lakehouse.table.TableCommit;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where the consumer reads from: the table's next offsets, the only positions the engine trusts. Seeks partitions
 * there (or, for partitions the table has no offset for, to the configured starting position), keeps the table's
 * next offsets as commits advance them, and gives them to Kafka as group offsets for monitoring tools.
 */
final class TablePositions {

    private static final Logger LOG = LoggerFactory.getLogger(TablePositions.class);

    private final TopicIdLookup topicIds;
    private final PipelineSettings settings;
    private final LakeTable table;
    private final DeadLetterDestination deadLetters;
    private final RecordConverter converter;
    private final BatchPlanner planner;
    private final Consumer<byte[], byte[]> consumer;
    private final BatchIdSequence batchIds;
    private final Runnable commitInFlight;
    private final Map<TopicPartition, Long> tableNextOffsets = new HashMap<>();
    /** Partitions started over (their topic recreated) since {@link #takeStartedOver} was last asked. */
    private final List<TopicPartition> startedOver = new ArrayList<>();

    /**
     * @param commitInFlight commits what the writer holds, before this commits to the table itself (a reset of a
     *        recreated topic's offsets), so batch ids reach the table in order
     */
    TablePositions(PipelineSettings settings, LakeTable table, DeadLetterDestination deadLetters,
                   RecordConverter converter, BatchPlanner planner, Consumer<byte[], byte[]> consumer,
                   BatchIdSequence batchIds, Runnable commitInFlight) {
        this(settings, table, deadLetters, converter, planner, consumer, batchIds, commitInFlight,
                settings.services().topicIds());
    }

    /** As the other constructor, with the topics' ids from {@code topicIds} instead of the settings' lookup. */
    TablePositions(PipelineSettings settings, LakeTable table, DeadLetterDestination deadLetters,
                   RecordConverter converter, BatchPlanner planner, Consumer<byte[], byte[]> consumer,
                   BatchIdSequence batchIds, Runnable commitInFlight, TopicIdLookup topicIds) {
        this.topicIds = topicIds;
        this.settings = settings;
        this.table = table;
        this.deadLetters = deadLetters;
        this.converter = converter;
        this.planner = planner;
        this.consumer = consumer;
        this.batchIds = batchIds;
        this.commitInFlight = commitInFlight;
    }

    /** The table's next offsets as last read or committed, per partition this run owns. */
    Map<TopicPartition, Long> tableNextOffsets() {
        return tableNextOffsets;
    }

    /** A committed batch moved these partitions' table offsets. */
    void committed(List<OffsetRange> ranges) {
        for (OffsetRange range : ranges) {
            tableNextOffsets.put(new TopicPartition(range.topic(), range.partition()), range.nextOffset());
        }
    }

    /** These partitions left this instance. */
    void forget(Collection<TopicPartition> partitions) {
        partitions.forEach(tableNextOffsets::remove);
    }

    /** The table's next offsets of {@code partitions}, as group offsets. */
    Map<TopicPartition, OffsetAndMetadata> groupOffsets(Collection<TopicPartition> partitions) {
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
    void seekFromTable(Collection<TopicPartition> partitions) {
        List<TopicPartition> fresh = new ArrayList<>();
        Map<TopicPartition, Long> positions = new HashMap<>();
        boolean tableExists = table.exists();
        checkTopicIds(partitions, tableExists);
        // One read of the table for the whole assignment, however many partitions it has.
        Map<String, Long> nextOffsets = tableExists
                ? table.txnVersions(partitions.stream().map(this::appId).toList()) : Map.of();
        for (TopicPartition partition : partitions) {
            long next = nextOffsets.getOrDefault(appId(partition), -1L);
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

    /** The table's next offset of a partition, -1 when the table has none. */
    long tableNextOffset(TopicPartition partition) {
        return table.exists() ? table.txnVersion(appId(partition)) : -1;
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
        // One read of the destination for the whole assignment.
        Map<TopicPartition, Set<Long>> lettered = deadLetters.writtenFrom(positions, committedAt);
        for (Map.Entry<TopicPartition, Long> entry : positions.entrySet()) {
            TopicPartition partition = entry.getKey();
            Set<Long> offsets = lettered.getOrDefault(partition, Set.of());
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
            if (known || settings.source().startingPosition().kind() == StartingPosition.Kind.EARLIEST) {
                toBeginning.add(partition);
            } else {
                byPosition.add(partition);
            }
        }
        consumer.seekToBeginning(toBeginning);
        Map<SourceFact, String> recorded = byPosition.isEmpty() ? Map.of()
                : table.sourceFacts(byPosition.stream().map(this::startKey).toList());
        List<TopicPartition> undecided = new ArrayList<>();
        for (TopicPartition partition : byPosition) {
            String start = recorded.get(startKey(partition));
            if (start != null) {
                consumer.seek(partition, Long.parseLong(start)); // decided once, by the first assignment
            } else {
                undecided.add(partition);
            }
        }
        if (!undecided.isEmpty()) {
            if (settings.source().startingPosition().kind() == StartingPosition.Kind.LATEST) {
                consumer.seekToEnd(undecided);
            } else {
                seekToTimestamp(undecided);
            }
            // Durable before any record is read: later assignments must start here, not decide again.
            Map<SourceFact, String> decided = new LinkedHashMap<>();
            undecided.forEach(partition -> decided.put(startKey(partition),
                    Long.toString(consumer.position(partition))));
            table.recordSourceFacts(decided);
        }
        for (TopicPartition partition : fresh) {
            long position = consumer.position(partition);
            planner.track(partition, position);
            positions.put(partition, position);
            String how = toBeginning.contains(partition) ? "earliest"
                    : recorded.containsKey(startKey(partition)) ? "recorded start of " + settings.source().startingPosition()
                    : settings.source().startingPosition().toString();
            LOG.info("pipeline {}: {} has no offset in the table; starting at {} ({})", settings.name(), partition,
                    position, how);
        }
    }

    private void seekToTimestamp(List<TopicPartition> partitions) {
        Map<TopicPartition, Long> query = new LinkedHashMap<>();
        long millis = settings.source().startingPosition().timestamp().toEpochMilli();
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
        List<String> ids = (infos == null ? List.<PartitionInfo>of() : infos).stream()
                .map(info -> appId(new TopicPartition(topic, info.partition()))).toList();
        return table.txnVersions(ids).values().stream().anyMatch(next -> next >= 0);
    }

    /**
     * Compares each assigned partition's topic id with the id its offsets in the table belong to, recorded at the
     * partition's first assignment: a topic deleted and created again under its name stops the pipeline, or, when
     * the user opted in, its partitions start over at their beginning (their offsets in the table replaced by a
     * commit). Per partition, since a partition is owned by one instance at a time: two instances never reset one
     * partition twice.
     *
     * @throws TopicRecreatedException under {@code on-topic-recreated: fail}
     */
    private void checkTopicIds(Collection<TopicPartition> partitions, boolean tableExists) {
        Set<String> topics = new java.util.TreeSet<>();
        partitions.forEach(p -> topics.add(p.topic()));
        Map<String, String> current = topicIds.topicIds(topics);
        if (current.isEmpty()) {
            return;
        }
        Map<SourceFact, String> recorded = table.sourceFacts(partitions.stream().map(this::topicIdKey).toList());
        Map<SourceFact, String> toRecord = new LinkedHashMap<>();
        List<TopicPartition> recreated = new ArrayList<>();
        for (TopicPartition partition : partitions) {
            String now = current.get(partition.topic());
            String before = recorded.get(topicIdKey(partition));
            if (now == null || now.equals(before)) {
                continue;
            }
            if (before != null) {
                if (settings.failures().onTopicRecreated() == TopicRecreatedPolicy.FAIL) {
                    throw new TopicRecreatedException("pipeline " + settings.name() + ": topic " + partition.topic()
                            + " was deleted and created again (its id was " + before + ", it is " + now + "). The "
                            + "table's offsets belong to the old topic; applied to the new one they would skip its "
                            + "first records. Nothing was read. To ingest the new topic from its beginning into the "
                            + "same table, set source.on-topic-recreated: start-over; or write it to a new table.");
                }
                recreated.add(partition);
            }
            toRecord.put(topicIdKey(partition), now);
        }
        if (!recreated.isEmpty()) {
            startOver(recreated, tableExists, toRecord);
        }
        if (!toRecord.isEmpty()) {
            table.recordSourceFacts(toRecord);
        }
    }

    /** Partitions of a recreated topic: their offsets in the table (or recorded starts) go to their beginning. */
    private void startOver(List<TopicPartition> partitions, boolean tableExists, Map<SourceFact, String> facts) {
        Map<TopicPartition, Long> earliest = consumer.beginningOffsets(partitions);
        List<OffsetRange> ranges = new ArrayList<>();
        partitions.forEach(p -> ranges.add(new OffsetRange(p.topic(), p.partition(), earliest.get(p), earliest.get(p))));
        if (tableExists) {
            commitInFlight.run();
            long batchId = batchIds.next();
            // The dead letters first: a crash between the two leaves the main table's old offsets, so the next
            // assignment sees the recreated topic again and starts over again.
            deadLetters.startOver(settings.name(), settings.instanceId(), batchId, ranges);
            // Compare-and-set: the reset replaces the offsets the table holds now (after this instance's own open
            // batches), and is refused if another commit moves them before it lands.
            Map<String, Long> replaced = table.txnVersions(ranges.stream().map(r -> r.appId(settings.name())).toList());
            table.commit(dev.lakehouse.table.BatchCommit.reset(settings.name(), settings.instanceId(), batchId, ranges,
                    replaced, Map.of("topicRecreated", partitions.toString(), "resetReason", "the topic was "
                    + "deleted and created again (on-topic-recreated: start-over)")));
        }
        partitions.forEach(p -> facts.put(startKey(p), Long.toString(earliest.get(p))));
        startedOver.addAll(partitions);
        LOG.warn("pipeline {}: {} belong to a topic deleted and created again; reading them from their beginning "
                + "(on-topic-recreated: start-over)", settings.name(), partitions);
    }

    /**
     * The partitions started over since the last call (their topic was deleted and created again): whatever was
     * known of their old topic (a catch-up run's end offsets) no longer holds.
     */
    List<TopicPartition> takeStartedOver() {
        List<TopicPartition> taken = List.copyOf(startedOver);
        startedOver.clear();
        return taken;
    }

    private SourceFact topicIdKey(TopicPartition partition) {
        return SourceFact.topicId(source(partition));
    }

    /** The source fact holding where a partition without table offsets starts. */
    private SourceFact startKey(TopicPartition partition) {
        return SourceFact.startOffset(source(partition));
    }

    private SourcePartition source(TopicPartition partition) {
        return new SourcePartition(settings.name(), partition.topic(), partition.partition());
    }

    private String appId(TopicPartition partition) {
        return source(partition).transactionId();
    }
}
