/**
 * The pipeline's seams to Kafka: how its consumer is made ({@link dev.lakehouse.ingest.source.ConsumerFactory}),
 * what it tells listeners of rebalances ({@link dev.lakehouse.ingest.source.ConsumerListener}), how topic ids are
 * looked up to notice a topic created again ({@link dev.lakehouse.ingest.source.TopicIdLookup}), and the failures
 * Kafka's state makes ({@link dev.lakehouse.ingest.source.OffsetsExpiredException}, {@link
 * dev.lakehouse.ingest.source.TopicRecreatedException}). Depends on no other package of the engine.
 */
package dev.lakehouse.ingest.source;
