package dev.lakehouse.ingest.deadletter;

import java.nio.charset.StandardCharsets;
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
 * Dead letters in a Kafka topic: each message has the original key, value and headers, plus headers
 * {@code lakehouse.dead-letter.*} with the source topic, partition, offset and timestamp, the reason, the message,
 * the pipeline and the writer schema. Letters of one source partition go to one topic partition, in offset order.
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
    public static final String HEADER_PREFIX = "lakehouse.dead-letter.";
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
            readToEnds(scan, topic, open, ends, SCAN_STALL, System::nanoTime, record -> {
                if (!pipeline.equals(header(record, "pipeline"))) {
                    return; // a topic may be shared: only this pipeline's letters count
                }
                message(record).map(Message::letter).ifPresent(letter -> {
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

    /**
     * Reads {@code open} up to {@code ends}, handing every record to {@code each}. A scan whose positions stop
     * moving (an offline partition, a broker that does not answer) gives up after {@code stall} with a
     * {@link TimeoutException}, which is retriable: the assignment that asked is tried again, instead of a rebalance
     * callback that never returns while the pipeline says it runs.
     */
    static void readToEnds(org.apache.kafka.clients.consumer.Consumer<byte[], byte[]> scan, String topic,
                           Set<TopicPartition> open, Map<TopicPartition, Long> ends, Duration stall,
                           java.util.function.LongSupplier nanoTime,
                           java.util.function.Consumer<ConsumerRecord<byte[], byte[]>> each) {
        long read = positionsSum(scan, open);
        long movedAt = nanoTime.getAsLong();
        while (open.stream().anyMatch(p -> scan.position(p) < ends.get(p))) {
            for (ConsumerRecord<byte[], byte[]> record : scan.poll(Duration.ofMillis(500))) {
                each.accept(record);
            }
            long now = positionsSum(scan, open);
            if (now != read) {
                read = now;
                movedAt = nanoTime.getAsLong();
            } else if (nanoTime.getAsLong() - movedAt > stall.toNanos()) {
                throw new TimeoutException("dead-letter topic " + topic + ": reading " + open + " up to their end "
                        + "offsets " + ends + " made no progress for " + stall.toSeconds() + " s (a partition "
                        + "offline, or the brokers not answering); the assignment is tried again");
            }
        }
    }

    private static long positionsSum(org.apache.kafka.clients.consumer.Consumer<byte[], byte[]> scan,
                                     Set<TopicPartition> partitions) {
        long sum = 0;
        for (TopicPartition partition : partitions) {
            sum += scan.position(partition);
        }
        return sum;
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
                            && pipeline.equals(header(record, "pipeline"))) {
                        message(record).ifPresent(messages::add);
                    }
                }
            }
        }
        messages.sort(Comparator.comparing(Message::deadLetteredAt).reversed());
        return messages;
    }

    /** The dead letter a message of the topic carries, when it has this appliance's headers. */
    private static Optional<Message> message(ConsumerRecord<byte[], byte[]> record) {
        String sourceTopic = header(record, "source.topic");
        String partition = header(record, "source.partition");
        String offset = header(record, "source.offset");
        if (sourceTopic == null || partition == null || offset == null) {
            return Optional.empty();
        }
        String timestamp = header(record, "source.timestamp");
        List<DeadLetter.HeaderValue> original = new ArrayList<>();
        for (Header header : record.headers()) {
            if (!header.key().startsWith(HEADER_PREFIX)) {
                original.add(new DeadLetter.HeaderValue(header.key(), header.value()));
            }
        }
        try {
            DeadLetter letter = new DeadLetter(sourceTopic, Integer.parseInt(partition), Long.parseLong(offset),
                    timestamp == null ? -1 : Long.parseLong(timestamp),
                    timestamp == null ? "NoTimestampType" : "CreateTime", record.key(), record.value(), original,
                    DeadLetterReason.named(header(record, "reason")), String.valueOf(header(record, "message")),
                    header(record, "writer.schema"));
            return Optional.of(new Message(letter, Instant.ofEpochMilli(record.timestamp())));
        } catch (IllegalArgumentException e) { // includes NumberFormatException
            return Optional.empty();
        }
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
        RecordHeaders headers = headers(letter, batch);
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
            add(headers, "truncated", "true");
            add(headers, "original.size", Integer.toString(value.length));
            LOG.warn("pipeline {}: dead letter of {}-{}@{} is {} bytes, more than a message of topic {} may be ({}); "
                    + "its value is cut to {} bytes (header {}truncated). Raise dead-letters.producer-properties."
                    + "max.request.size and the topic's max.message.bytes to keep such letters whole.", pipeline,
                    letter.topic(), letter.partition(), letter.offset(), size, topic, maxMessageBytes, kept,
                    HEADER_PREFIX);
            value = java.util.Arrays.copyOf(value, kept);
        }
        return new ProducerRecord<>(topic, letter.partition() % partitions, null, letter.key(), value, headers);
    }

    private RecordHeaders headers(DeadLetter letter, DeadLetterBatch batch) {
        RecordHeaders headers = new RecordHeaders();
        letter.headers().forEach(h -> headers.add(h.key(), h.value()));
        add(headers, "source.topic", letter.topic());
        add(headers, "source.partition", Integer.toString(letter.partition()));
        add(headers, "source.offset", Long.toString(letter.offset()));
        add(headers, "source.timestamp", Long.toString(letter.timestamp()));
        add(headers, "reason", letter.reason().name());
        add(headers, "message", letter.message());
        add(headers, "pipeline", batch.pipeline());
        add(headers, "batch", batch.instanceId() + "/" + batch.batchId());
        if (!letter.writerSchema().isEmpty()) {
            add(headers, "writer.schema", letter.writerSchema());
        }
        return headers;
    }

    private static void add(RecordHeaders headers, String name, String value) {
        headers.add(HEADER_PREFIX + name, value.getBytes(StandardCharsets.UTF_8));
    }

    /** A {@code lakehouse.dead-letter.*} header's value, or null. */
    public static String header(ConsumerRecord<byte[], byte[]> record, String name) {
        Header header = record.headers().lastHeader(HEADER_PREFIX + name);
        return header == null || header.value() == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

    @Override
    public synchronized void close() {
        if (producer != null) {
            producer.close(Duration.ofSeconds(10));
            producer = null;
        }
    }
}
