package dev.lakehouse.ingest.deadletter;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Dead letters in a Kafka topic, as {@link DeadLetterMessages} (the original record and the headers that say why).
 * Letters of one source partition go to one topic partition, in offset order.
 *
 * <p><strong>Exactly once</strong> without Kafka transactions: before writing past the table's offsets, the
 * pipeline asks {@link #writtenFrom}, which reads the topic's messages since shortly before the table's last
 * commit and collects the source offsets already there; {@link #write} skips those. Messages are sent with the
 * idempotent producer ({@code acks=all}) and the batch is committed only after every send is acknowledged.
 *
 * <p>The topic is created (broker defaults for partitions and replication) if it does not exist.
 *
 * <p><strong>Letters larger than a message may be</strong> (the smaller of the producer's
 * {@code max.request.size} and the topic's {@code max.message.bytes}) are sent with their value cut to fit and the
 * headers {@code lakehouse.dead-letter.truncated=true} and {@code lakehouse.dead-letter.original.size}: a letter
 * that cannot be sent whole must not stop the pipeline, and the source record stays in Kafka (and whole in the
 * dead-letter table, where there is one). Raise both limits to keep large letters whole.
 */
public final class DeadLetterTopic implements DeadLetterDestination, DeadLetterSummaries {

    private static final Logger LOG = LoggerFactory.getLogger(DeadLetterTopic.class);
    public static final String HEADER_PREFIX = DeadLetterMessages.HEADER_PREFIX;
    /** Clock skew allowed between this host and whoever wrote the table's last commit. */
    private static final Duration SCAN_MARGIN = Duration.ofMinutes(10);
    /** How long the exactly-once scan of an assignment waits for a position to move before it gives up. */
    static final Duration SCAN_STALL = Duration.ofSeconds(60);
    /** A record batch's and a record's framing in the message format, rounded up. */
    private static final int RECORD_OVERHEAD = 256;
    /** The broker's default {@code message.max.bytes}. */
    private static final int DEFAULT_MAX_MESSAGE_BYTES = 1_048_588;

    private final String topic;
    private final String pipeline;
    private final Map<String, Object> clientProperties;
    private final Map<String, Object> producerProperties;
    /** The largest message the producer and the topic both take, learned with the producer. */
    private int maxMessageBytes;
    private final Map<TopicPartition, Set<Long>> written = new HashMap<>();
    private KafkaProducer<byte[], byte[]> producer;
    private int partitions;

    /**
     * @param topic the dead-letter topic
     * @param pipeline the pipeline name, written into a header; a topic may be shared by pipelines, each reads back
     *        only the letters with its own name
     * @param clientProperties bootstrap servers and security settings for the producer, admin and scan consumer
     */
    public DeadLetterTopic(String topic, String pipeline, Map<String, Object> clientProperties) {
        this(topic, pipeline, clientProperties, Map.of());
    }

    /**
     * @param producerProperties the dead-letter producer's own settings on top of {@code clientProperties} (such
     *        as {@code max.request.size}, {@code compression.type}); idempotence, acks and serializers stay the
     *        engine's
     */
    public DeadLetterTopic(String topic, String pipeline, Map<String, Object> clientProperties,
                           Map<String, Object> producerProperties) {
        this.topic = topic;
        this.pipeline = pipeline;
        this.clientProperties = Map.copyOf(clientProperties);
        this.producerProperties = Map.copyOf(producerProperties);
    }

    @Override
    public String describe() {
        return "kafka:" + topic;
    }

    @Override
    public synchronized void write(DeadLetterBatch batch) {
        if (batch.letters().isEmpty()) {
            return;
        }
        ensureProducer();
        List<Future<RecordMetadata>> sends = new ArrayList<>();
        List<DeadLetter> sent = new ArrayList<>();
        for (DeadLetter letter : batch.letters()) {
            Set<Long> known = written.get(new TopicPartition(letter.topic(), letter.partition()));
            if (known != null && known.contains(letter.offset())) {
                continue;
            }
            sends.add(producer.send(fitted(letter, batch)));
            sent.add(letter);
        }
        producer.flush();
        for (Future<RecordMetadata> send : sends) {
            try {
                send.get();
            } catch (ExecutionException e) {
                throw new KafkaException("dead letters of batch " + batch.batchId() + " could not be written to topic "
                        + topic + ": " + e.getCause(), e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new KafkaException("interrupted while writing dead letters to " + topic, e);
            }
        }
        for (DeadLetter letter : sent) {
            written.computeIfAbsent(new TopicPartition(letter.topic(), letter.partition()), k -> new HashSet<>())
                    .add(letter.offset());
        }
        // Offsets below the batch's ranges belong to committed batches: never asked about again.
        batch.ranges().forEach(r -> Optional.ofNullable(written.get(new TopicPartition(r.topic(), r.partition())))
                .ifPresent(set -> set.removeIf(o -> o < r.startOffset())));
        if (!sent.isEmpty()) {
            LOG.info("pipeline {}: {} dead letters of batch {} written to topic {}", pipeline, sent.size(),
                    batch.batchId(), topic);
        }
    }

    /**
     * All requested source partitions in one scan: one consumer, each dead-letter partition read once from shortly
     * before the table's last commit, however many source partitions an assignment brings.
     */
    @Override
    public synchronized Map<TopicPartition, Set<Long>> writtenFrom(Map<TopicPartition, Long> fromOffsets,
                                                                   Instant tableCommittedAt) {
        ensureProducer();
        Map<TopicPartition, Set<Long>> found = new HashMap<>();
        fromOffsets.keySet().forEach(p -> found.put(p, new HashSet<>()));
        if (fromOffsets.isEmpty()) {
            return found;
        }
        Set<TopicPartition> dlqPartitions = new HashSet<>();
        fromOffsets.keySet().forEach(p -> dlqPartitions.add(new TopicPartition(topic, p.partition() % partitions)));
        try (KafkaConsumer<byte[], byte[]> scan = reader()) {
            scan.assign(dlqPartitions);
            long since = Math.max(0, tableCommittedAt.minus(SCAN_MARGIN).toEpochMilli());
            Map<TopicPartition, Long> query = new HashMap<>();
            dlqPartitions.forEach(p -> query.put(p, since));
            Map<TopicPartition, OffsetAndTimestamp> starts = scan.offsetsForTimes(query);
            Map<TopicPartition, Long> ends = scan.endOffsets(dlqPartitions);
            Set<TopicPartition> open = new HashSet<>();
            for (TopicPartition dlq : dlqPartitions) {
                OffsetAndTimestamp start = starts.get(dlq);
                if (start != null && start.offset() < ends.get(dlq)) {
                    open.add(dlq);
                }
            }
            scan.assign(open);
            for (TopicPartition dlq : open) {
                scan.seek(dlq, starts.get(dlq).offset());
            }
            PartitionScan.readToEnds(scan, topic, open, ends, SCAN_STALL, System::nanoTime, record -> {
                if (!pipeline.equals(DeadLetterMessages.header(record, "pipeline"))) {
                    return; // a topic may be shared: only this pipeline's letters count
                }
                DeadLetterMessages.decode(record).map(Message::letter).ifPresent(letter -> {
                    TopicPartition source = new TopicPartition(letter.topic(), letter.partition());
                    Long from = fromOffsets.get(source);
                    if (from != null && letter.offset() >= from) {
                        found.get(source).add(letter.offset());
                    }
                });
            });
        }
        found.forEach((source, offsets) -> written.put(source, new HashSet<>(offsets)));
        Map<TopicPartition, Set<Long>> result = new HashMap<>();
        found.forEach((source, offsets) -> result.put(source, Set.copyOf(offsets)));
        return result;
    }

    @Override
    public Set<Long> writtenFrom(String sourceTopic, int sourcePartition, long fromOffset,
                                 Instant tableCommittedAt) {
        TopicPartition source = new TopicPartition(sourceTopic, sourcePartition);
        return writtenFrom(Map.of(source, fromOffset), tableCommittedAt).get(source);
    }

    /** Forgets the partitions' offsets held here; the scan reads only letters since the table's last commit. */
    @Override
    public synchronized void startOver(String pipeline, String instanceId, long batchId,
                                       List<dev.lakehouse.table.OffsetRange> ranges) {
        ranges.forEach(r -> written.remove(new TopicPartition(r.topic(), r.partition())));
    }

    /** Read again at most every 10 s: each read opens a consumer and asks the broker for every partition's end. */
    @Override
    public Duration readEvery() {
        return Duration.ofSeconds(10);
    }

    /** The newest letters of the topic; a topic cannot tell which letters wait for a replay. */
    @Override
    public Summary read(int newest) {
        List<Example> examples = latest(newest).stream().limit(newest)
                .map(m -> new Example(m.letter(), m.deadLetteredAt(), null)).toList();
        return new Summary(null, examples);
    }

    /** A dead letter read back from the topic, and when it was written there. */
    public record Message(DeadLetter letter, Instant deadLetteredAt) {
    }

    /**
     * The newest dead letters of this pipeline in the topic, newest first: at most {@code perPartition} from the end
     * of each of its partitions, for a look at what is failing. Uses a consumer of its own without a group (nothing
     * is committed) and never blocks {@link #write}. Messages without this appliance's headers, or of another
     * pipeline sharing the topic, are skipped.
     *
     * @throws KafkaException if the topic cannot be read within about 10 s
     */
    public List<Message> latest(int perPartition) {
        List<Message> messages = new ArrayList<>();
        Duration timeout = Duration.ofSeconds(10);
        try (KafkaConsumer<byte[], byte[]> reader = reader()) {
            List<TopicPartition> partitions = reader.partitionsFor(topic, timeout).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            Map<TopicPartition, Long> ends = reader.endOffsets(partitions, timeout);
            Map<TopicPartition, Long> starts = reader.beginningOffsets(partitions, timeout);
            List<TopicPartition> nonEmpty = partitions.stream().filter(tp -> ends.get(tp) > starts.get(tp)).toList();
            reader.assign(nonEmpty);
            nonEmpty.forEach(tp -> reader.seek(tp, Math.max(starts.get(tp), ends.get(tp) - perPartition)));
            long deadline = System.nanoTime() + timeout.toNanos();
            while (nonEmpty.stream().anyMatch(tp -> reader.position(tp) < ends.get(tp))) {
                if (System.nanoTime() > deadline) {
                    throw new KafkaException("reading the newest dead letters of topic " + topic + " took over "
                            + timeout);
                }
                for (ConsumerRecord<byte[], byte[]> record : reader.poll(Duration.ofMillis(200))) {
                    if (record.offset() < ends.get(new TopicPartition(record.topic(), record.partition()))
                            && pipeline.equals(DeadLetterMessages.header(record, "pipeline"))) {
                        DeadLetterMessages.decode(record).ifPresent(messages::add);
                    }
                }
            }
        }
        messages.sort(Comparator.comparing(Message::deadLetteredAt).reversed());
        return messages;
    }

    /** A byte-array consumer of the topic's cluster without a group: it reads by assignment and commits nothing. */
    private KafkaConsumer<byte[], byte[]> reader() {
        Map<String, Object> props = new HashMap<>(clientProperties);
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        return new KafkaConsumer<>(props);
    }

    private void ensureProducer() {
        if (producer != null) {
            return;
        }
        createTopicIfAbsent();
        Map<String, Object> props = new HashMap<>(clientProperties);
        props.putAll(producerProperties);
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        props.putIfAbsent(ProducerConfig.CLIENT_ID_CONFIG, "lakehouse-" + pipeline + "-dead-letters");
        KafkaProducer<byte[], byte[]> created = new KafkaProducer<>(props);
        List<PartitionInfo> infos = created.partitionsFor(topic);
        partitions = Math.max(1, infos.size());
        int requestLimit = Integer.parseInt(String.valueOf(props.getOrDefault(ProducerConfig.MAX_REQUEST_SIZE_CONFIG,
                ProducerConfig.configDef().defaultValues().get(ProducerConfig.MAX_REQUEST_SIZE_CONFIG))));
        maxMessageBytes = Math.min(requestLimit, topicMaxMessageBytes());
        producer = created;
    }

    /** The topic's {@code max.message.bytes}, or the broker's usual default when it cannot be read. */
    private int topicMaxMessageBytes() {
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        try (Admin admin = Admin.create(new HashMap<>(clientProperties))) {
            ConfigEntry entry = admin.describeConfigs(List.of(resource)).all().get(30, TimeUnit.SECONDS)
                    .get(resource).get(TopicConfig.MAX_MESSAGE_BYTES_CONFIG);
            return entry == null || entry.value() == null ? DEFAULT_MAX_MESSAGE_BYTES : Integer.parseInt(entry.value());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KafkaException("interrupted while reading the configuration of " + topic, e);
        } catch (ExecutionException | java.util.concurrent.TimeoutException | NumberFormatException e) {
            LOG.warn("pipeline {}: max.message.bytes of dead-letter topic {} not known ({}); assuming {}", pipeline,
                    topic, e.toString(), DEFAULT_MAX_MESSAGE_BYTES);
            return DEFAULT_MAX_MESSAGE_BYTES;
        }
    }

    private void createTopicIfAbsent() {
        Map<String, Object> props = new HashMap<>(clientProperties);
        try (Admin admin = Admin.create(props)) {
            if (!admin.listTopics().names().get().contains(topic)) {
                admin.createTopics(List.of(new NewTopic(topic, Optional.empty(), Optional.empty()))).all().get();
                LOG.info("pipeline {}: created dead-letter topic {}", pipeline, topic);
            }
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new KafkaException("cannot create dead-letter topic " + topic + ": " + e.getCause(), e.getCause());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KafkaException("interrupted while checking dead-letter topic " + topic, e);
        }
    }

    /** The letter's message, its value cut so that the message fits {@link #maxMessageBytes}. */
    private ProducerRecord<byte[], byte[]> fitted(DeadLetter letter, DeadLetterBatch batch) {
        RecordHeaders headers = DeadLetterMessages.headers(letter, batch);
        byte[] value = letter.value();
        long headerBytes = 0;
        for (Header header : headers) {
            headerBytes += header.key().length() + (header.value() == null ? 0 : header.value().length) + 8;
        }
        long keyBytes = letter.key() == null ? 0 : letter.key().length;
        long size = RECORD_OVERHEAD + keyBytes + headerBytes + (value == null ? 0 : value.length);
        if (value != null && size > maxMessageBytes) {
            // Room for the two headers added below as well.
            long room = maxMessageBytes - RECORD_OVERHEAD - keyBytes - headerBytes - 128;
            int kept = (int) Math.max(0, Math.min(value.length, room));
            DeadLetterMessages.add(headers, "truncated", "true");
            DeadLetterMessages.add(headers, "original.size", Integer.toString(value.length));
            LOG.warn("pipeline {}: dead letter of {}-{}@{} is {} bytes, more than a message of topic {} may be ({}); "
                    + "its value is cut to {} bytes (header {}truncated). Raise dead-letters.producer-properties."
                    + "max.request.size and the topic's max.message.bytes to keep such letters whole.", pipeline,
                    letter.topic(), letter.partition(), letter.offset(), size, topic, maxMessageBytes, kept,
                    HEADER_PREFIX);
            value = java.util.Arrays.copyOf(value, kept);
        }
        return new ProducerRecord<>(topic, letter.partition() % partitions, null, letter.key(), value, headers);
    }

    @Override
    public synchronized void close() {
        if (producer != null) {
            producer.close(Duration.ofSeconds(10));
            producer = null;
        }
    }

    /** A {@code lakehouse.dead-letter.*} header's value, or null (see {@link DeadLetterMessages#header}). */
    public static String header(ConsumerRecord<byte[], byte[]> record, String name) {
        return DeadLetterMessages.header(record, name);
    }
}
