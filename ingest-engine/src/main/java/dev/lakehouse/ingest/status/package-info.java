/**
 * What a running pipeline shows: its state and status ({@link dev.lakehouse.ingest.status.PipelineView}, {@link
 * dev.lakehouse.ingest.status.PipelineStatus}), each batch's progress, the lag per partition ({@link
 * dev.lakehouse.ingest.status.LagMeter}) and the freshness objective's compliance ({@link
 * dev.lakehouse.ingest.status.FreshnessTracker}). The console and the metrics read pipelines through these types
 * only; they know nothing of how a pipeline is configured or run.
 */
package dev.lakehouse.ingest.status;
