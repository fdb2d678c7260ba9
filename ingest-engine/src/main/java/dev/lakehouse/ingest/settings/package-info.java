/**
 * What a pipeline is configured with, as immutable values that validate themselves: {@link
 * dev.lakehouse.ingest.settings.PipelineSettings} (who the pipeline is, built with its builder) and its parts by
 * concern: {@link dev.lakehouse.ingest.settings.SourceSettings} (what it reads from Kafka), {@link
 * dev.lakehouse.ingest.settings.BatchLimits} (when batches close, the bytes it may hold), {@link
 * dev.lakehouse.ingest.settings.KeyedTableSettings} (a table with one row per key), {@link
 * dev.lakehouse.ingest.settings.FailurePolicies} (what a broken assumption does) and {@link
 * dev.lakehouse.ingest.settings.PipelineServices} (the seams to time, Kafka and the process's shared resources).
 * Knows nothing of how a pipeline runs.
 */
package dev.lakehouse.ingest.settings;
