package dev.lakehouse.ingest.deadletter;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * A dead letter as a message of a dead-letter topic: the original key, value and headers, plus headers
 * {@code lakehouse.dead-letter.*} with the source topic, partition, offset and timestamp, the reason, the message,
 * the pipeline, the batch and the writer schema; and a message read back as its dead letter.
 */
final class DeadLetterMessages {

    /** The prefix of the headers the appliance adds. */
    static final String HEADER_PREFIX = "lakehouse.dead-letter.";

    private DeadLetterMessages() {
    }

    /**
     * The message headers of {@code letter}: the source record's own, then the {@code lakehouse.dead-letter.*} ones.
     */
    static RecordHeaders headers(DeadLetter letter, DeadLetterBatch batch) {
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

    static void add(RecordHeaders headers, String name, String value) {
        headers.add(HEADER_PREFIX + name, value.getBytes(StandardCharsets.UTF_8));
    }

    /** A {@code lakehouse.dead-letter.*} header's value, or null. */
    static String header(ConsumerRecord<byte[], byte[]> record, String name) {
        Header header = record.headers().lastHeader(HEADER_PREFIX + name);
        return header == null || header.value() == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

    /** The dead letter a message of the topic carries, when it has this appliance's headers. */
    static Optional<DeadLetterTopic.Message> decode(ConsumerRecord<byte[], byte[]> record) {
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
            return Optional.of(new DeadLetterTopic.Message(letter, Instant.ofEpochMilli(record.timestamp())));
        } catch (IllegalArgumentException e) { // includes NumberFormatException
            return Optional.empty();
        }
    }
}
