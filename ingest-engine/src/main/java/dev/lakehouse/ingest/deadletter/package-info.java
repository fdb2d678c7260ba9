/**
 * Dead letters: what a record that could not become a row keeps ({@link dev.lakehouse.ingest.deadletter.DeadLetter},
 * with its {@link dev.lakehouse.ingest.deadletter.DeadLetterReason}), and where it goes: a Delta table of its own
 * ({@link dev.lakehouse.ingest.deadletter.DeadLetterTable}, with the replay state), a Kafka topic
 * ({@link dev.lakehouse.ingest.deadletter.DeadLetterTopic}), both, or nowhere, each exactly once per record. The
 * console reads them through {@link dev.lakehouse.ingest.deadletter.DeadLetterSummaries}. Knows neither decoding nor
 * the pipeline that sends the letters.
 */
package dev.lakehouse.ingest.deadletter;
