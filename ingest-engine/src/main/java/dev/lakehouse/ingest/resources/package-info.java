/**
 * What every pipeline of one process shares: the writer threads ({@link dev.lakehouse.ingest.resources.WriterPool})
 * and the budget of bytes held between Kafka and the tables ({@link
 * dev.lakehouse.ingest.resources.ProcessByteBudget}), so that a process with hundreds of tables holds the threads
 * and memory of one with a few. Depends on no other package of the engine.
 */
package dev.lakehouse.ingest.resources;
