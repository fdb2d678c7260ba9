package dev.lakehouse.ingest.decode;

import dev.lakehouse.ingest.deadletter.DeadLetterReason;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Turns Kafka record values into records of the table's Avro schema.
 *
 * <p>The engine asks for a record's writer schema first, so it can create or evolve the table before decoding;
 * implementations return the same {@link Schema} instance for the same writer schema (the engine remembers which
 * writer schemas the table already covers by identity).
 *
 * <p>Used by one thread (the pipeline's poll thread); implementations need not be thread-safe.
 */
public interface RecordDecoder {

    /**
     * The schema the record's value was written with.
     *
     * @throws RecordDecodeException if the value is malformed or its schema unknown
     * @throws RuntimeException a transient failure (for example the registry is unreachable): not the record's fault
     */
    Schema writerSchema(ConsumerRecord<byte[], byte[]> record);

    /**
     * The record's value as a record of {@code tableSchema}, which covers the writer schema: fields the writer
     * lacks are null, promoted types (int to long, float to double) are widened.
     *
     * @throws RecordDecodeException if the value cannot be decoded or does not fit the table
     */
    GenericRecord decode(ConsumerRecord<byte[], byte[]> record, Schema tableSchema);

    /**
     * The identity of the record's writer schema for the table's schema history and dead letters (for Avro
     * {@code registry id <n>}), read from the value without any lookup; empty when there is none or it cannot
     * be read. Never throws.
     */
    default String writerSchemaRef(ConsumerRecord<byte[], byte[]> record) {
        return "";
    }

    /**
     * The dead-letter reason of a value that made {@link #decode} fail in a way the decoder did not foresee (a
     * library's exception on hostile bytes, an arithmetic overflow): such a value is the record's fault, never the
     * pipeline's, and becomes a dead letter with this reason.
     */
    DeadLetterReason undecodableReason();

    /**
     * The record's Kafka key decoded, for a keyed table's deletions: a {@code GenericRecord} or a primitive for
     * keys in the Confluent wire format when the decoder reads it (Avro through the registry), else null, in
     * which case {@link KafkaKeys} reads the key as JSON or text.
     *
     * @throws RuntimeException a transient failure (the registry unreachable)
     */
    default Object decodeFramedKey(ConsumerRecord<byte[], byte[]> record) {
        return null;
    }

    /**
     * The record's value read as Debezium's change event ({@code source.envelope: debezium}). The row of a change
     * that has one ({@link DebeziumEnvelope.Change#rowValue}) is then decoded by this decoder as a value of its own,
     * in Kafka Connect's JSON. The default reads events written by Kafka Connect's JSON converter.
     *
     * @throws RecordDecodeException if the value is not a change event, or one that applies to no row
     * @throws RuntimeException a transient failure (the registry unreachable)
     */
    default DebeziumEnvelope.Change changeEvent(ConsumerRecord<byte[], byte[]> record) {
        return DebeziumEnvelope.parse(record);
    }
}
