package dev.lakehouse.ingest;

import dev.lakehouse.table.LakeTable;
import dev.lakehouse.table.OffsetRange;
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

    private final PipelineSettings settings;
    private final LakeTable table;
    private final DeadLetterDestination deadLetters;
    private final RecordConverter converter;
    private final BatchPlanner planner;
    private final Consumer<byte[], byte[]> consumer;
    private final Map<TopicPartition, Long> tableNextOffsets = new HashMap<>();

    TablePositions(PipelineSettings settings, LakeTable table, DeadLetterDestination deadLetters,
                   RecordConverter converter, BatchPlanner planner, Consumer<byte[], byte[]> consumer) {
        this.settings = settings;
        this.table = table;
        this.deadLetters = deadLetters;
        this.converter = converter;
        this.planner = planner;
        this.consumer = consumer;
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
        List<String> ids = (infos == null ? List.<PartitionInfo>of() : infos).stream()
                .map(info -> appId(new TopicPartition(topic, info.partition()))).toList();
        return table.txnVersions(ids).values().stream().anyMatch(next -> next >= 0);
    }

    private String appId(TopicPartition partition) {
        return new OffsetRange(partition.topic(), partition.partition(), 0, 0).appId(settings.name());
    }
}
