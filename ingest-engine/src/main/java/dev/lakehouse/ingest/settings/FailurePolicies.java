package dev.lakehouse.ingest.settings;

import java.util.Objects;

/**
 * What a pipeline does when the input or Kafka breaks an assumption: a writer schema the table cannot take, offsets
 * that retention deleted before they were read, a topic deleted and created again.
 *
 * @param onIncompatibleSchema default {@link IncompatibleSchemaPolicy#DEAD_LETTER}
 * @param onOffsetGap default {@link OffsetGapPolicy#FAIL}
 * @param onTopicRecreated default {@link TopicRecreatedPolicy#FAIL}
 */
public record FailurePolicies(IncompatibleSchemaPolicy onIncompatibleSchema, OffsetGapPolicy onOffsetGap,
                              TopicRecreatedPolicy onTopicRecreated) {

    /** The defaults: incompatible values are dead letters, gaps and recreated topics stop the pipeline. */
    public static final FailurePolicies DEFAULTS = new FailurePolicies(IncompatibleSchemaPolicy.DEAD_LETTER,
            OffsetGapPolicy.FAIL, TopicRecreatedPolicy.FAIL);

    public FailurePolicies {
        Objects.requireNonNull(onIncompatibleSchema, "onIncompatibleSchema");
        Objects.requireNonNull(onOffsetGap, "onOffsetGap");
        Objects.requireNonNull(onTopicRecreated, "onTopicRecreated");
    }
}
