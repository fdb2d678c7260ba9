package dev.lakehouse.ingest.deadletter;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;

/**
 * A Kafka record that did not become a table row, kept whole with the reason: everything needed to inspect it and
 * to ingest it again once the cause is fixed.
 *
 * @param topic source topic
 * @param partition source partition
 * @param offset source offset
 * @param timestamp the record's timestamp (epoch millis), or -1 if it has none
 * @param timestampType {@code CreateTime}, {@code LogAppendTime} or {@code NoTimestampType}
 * @param key the key bytes, or null
 * @param value the value bytes, or null (a tombstone)
 * @param headers the record's headers, in order
 * @param reason why the record is not a row
 * @param message what was wrong and what to do, naming topic, partition and offset
 * @param writerSchema the writer schema's identity when known (for Avro {@code registry id <n>}), else empty
 */
public record DeadLetter(String topic, int partition, long offset, long timestamp, String timestampType, byte[] key,
                         byte[] value, List<HeaderValue> headers, DeadLetterReason reason, String message,
                         String writerSchema) {

    public DeadLetter {
        headers = List.copyOf(headers);
        writerSchema = writerSchema == null ? "" : writerSchema;
    }

    /** One Kafka header; {@code value} may be null. */
    public record HeaderValue(String key, byte[] value) {
    }

    /** The dead letter of a consumed record. */
    public static DeadLetter of(ConsumerRecord<byte[], byte[]> record, DeadLetterReason reason, String message,
                                String writerSchema) {
        List<HeaderValue> headers = new ArrayList<>();
        for (Header header : record.headers()) {
            headers.add(new HeaderValue(header.key(), header.value()));
        }
        return new DeadLetter(record.topic(), record.partition(), record.offset(), record.timestamp(),
                record.timestampType().name, record.key(), record.value(), headers, reason, message, writerSchema);
    }

    /** The record as the consumer delivered it, for decoding again. */
    public ConsumerRecord<byte[], byte[]> toConsumerRecord() {
        RecordHeaders recordHeaders = new RecordHeaders();
        headers.forEach(h -> recordHeaders.add(h.key(), h.value()));
        return new ConsumerRecord<>(topic, partition, offset, timestamp, TimestampType.forName(timestampType),
                key == null ? -1 : key.length, value == null ? -1 : value.length, key, value, recordHeaders,
                Optional.empty());
    }

    /** Serialized size of key and value. */
    public long sizeBytes() {
        return (key == null ? 0 : key.length) + (value == null ? 0 : value.length);
    }

    @Override
    public String toString() {
        return "DeadLetter[" + topic + "-" + partition + "@" + offset + " " + reason + ": " + message + "]";
    }

    /** The value as text for logs and the console, cut at {@code max} characters. */
    public String valuePreview(int max) {
        if (value == null) {
            return "(null)";
        }
        String text = new String(value, StandardCharsets.UTF_8);
        return text.length() <= max ? text : text.substring(0, max) + "…";
    }
}
