/**
 * Decoding Kafka records into rows: one {@link dev.lakehouse.ingest.decode.RecordDecoder} per wire format (Confluent
 * Avro, Protobuf and JSON Schema through a registry, plain JSON with a value schema, Kafka Connect's JSON with its
 * schema), the conversions to Avro they share, the keys of tombstones ({@link dev.lakehouse.ingest.decode.KafkaKeys})
 * and Debezium's change envelope. A value that cannot be decoded is a
 * {@link dev.lakehouse.ingest.decode.RecordDecodeException} carrying its dead-letter reason; nothing here writes a
 * table or knows the pipeline.
 */
package dev.lakehouse.ingest.decode;
