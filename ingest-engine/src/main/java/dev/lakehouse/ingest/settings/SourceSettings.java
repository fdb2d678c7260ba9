package dev.lakehouse.ingest.settings;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerConfig;

/**
 * What a pipeline reads from Kafka, and how its consumer joins and leaves the group.
 *
 * @param topics topics to subscribe to; empty when a pattern is used
 * @param topicPattern the subscription pattern, or null when topics are listed
 * @param groupId the consumer group; default {@code lakehouse-<pipeline>}
 * @param consumerProperties consumer properties passed through to Kafka (bootstrap servers, security, tuning);
 *        never one of {@link #MANAGED_CONSUMER_KEYS}
 * @param startingPosition where a partition the table has no offset for starts
 * @param leaveGroupOnStop whether a graceful stop leaves the consumer group. Default false: a static member (fixed
 *        instance id) that stops stays in the group, so its restart takes its partitions back without a rebalance,
 *        and the other members take them over only after {@code session.timeout.ms} if it does not come back. True
 *        hands them over at once, for an appliance stopped for good. Dynamic members always leave. A run that fails
 *        never leaves: it rejoins at once
 * @param catchUpOnly whether this is a catch-up run (as Spark's {@code Trigger.AvailableNow}): each partition's end
 *        offset is read when the partition is first assigned, records up to it are ingested and committed, records
 *        beyond it are left for a later run, and the pipeline stops by itself (state {@code STOPPED}) once every
 *        assigned partition has been read to its end offset and the last batch is committed. Offsets and batch ids
 *        are the table's, as in an ordinary run, so catch-up runs and ordinary runs on one table together ingest
 *        every record exactly once. Transient failures are retried as in an ordinary run, keeping the end offsets
 *        first read. Default false
 */
public record SourceSettings(List<String> topics, Pattern topicPattern, String groupId,
                             Map<String, Object> consumerProperties, StartingPosition startingPosition,
                             boolean leaveGroupOnStop, boolean catchUpOnly) {

    /** Consumer settings the engine owns (it keeps offsets in the table and seeks itself); refused if given. */
    public static final Set<String> MANAGED_CONSUMER_KEYS = Set.of(
            ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
            ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
            ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG,
            ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG,
            ConsumerConfig.GROUP_ID_CONFIG);

    /**
     * @throws IllegalArgumentException when neither or both of topics and pattern are given, bootstrap servers are
     *         missing, or a consumer property is one the engine sets
     */
    public SourceSettings {
        topics = List.copyOf(topics);
        consumerProperties = Map.copyOf(consumerProperties);
        Objects.requireNonNull(groupId, "groupId");
        Objects.requireNonNull(startingPosition, "startingPosition");
        if (topics.isEmpty() == (topicPattern == null)) {
            throw new IllegalArgumentException("give either topics or a topic pattern");
        }
        if (!consumerProperties.containsKey(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG)) {
            throw new IllegalArgumentException("bootstrap servers are missing");
        }
        for (String key : consumerProperties.keySet()) {
            if (MANAGED_CONSUMER_KEYS.contains(key)) {
                throw new IllegalArgumentException("consumer property '" + key + "' is set by the engine (offsets "
                        + "live in the table, the engine seeks itself); remove it"
                        + (key.equals(ConsumerConfig.GROUP_ID_CONFIG) ? " and use the group id setting" : ""));
            }
        }
    }
}
