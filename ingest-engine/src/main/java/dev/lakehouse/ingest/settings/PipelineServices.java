package dev.lakehouse.ingest.settings;

import dev.lakehouse.common.Sleeper;
import dev.lakehouse.ingest.resources.ProcessByteBudget;
import dev.lakehouse.ingest.resources.WriterPool;
import dev.lakehouse.ingest.source.ConsumerFactory;
import dev.lakehouse.ingest.source.TopicIdLookup;
import java.time.Clock;
import java.util.Objects;

/**
 * The seams of a pipeline to time, Kafka and the process's shared resources: what tests replace, and what every
 * pipeline of one process shares (the writer threads, the byte budget of records in flight).
 *
 * @param clock the time batches, freshness and progress are measured in
 * @param sleeper how retries wait
 * @param consumerFactory makes the pipeline's Kafka consumer
 * @param processByteBudget bounds the bytes of records in flight across the process's pipelines
 * @param writerPool the threads that encode and write batches, shared by the process's pipelines
 * @param topicIds looks up topics' ids, to notice a topic deleted and created again
 */
public record PipelineServices(Clock clock, Sleeper sleeper, ConsumerFactory consumerFactory,
                               ProcessByteBudget processByteBudget, WriterPool writerPool, TopicIdLookup topicIds) {

    public PipelineServices {
        Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(sleeper, "sleeper");
        Objects.requireNonNull(consumerFactory, "consumerFactory");
        Objects.requireNonNull(processByteBudget, "processByteBudget");
        Objects.requireNonNull(writerPool, "writerPool");
        Objects.requireNonNull(topicIds, "topicIds");
    }
}
