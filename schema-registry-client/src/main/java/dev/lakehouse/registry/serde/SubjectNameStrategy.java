package dev.lakehouse.registry.serde;

import java.util.Locale;
import org.apache.avro.Schema;

/**
 * Chooses the registry subject for a schema written to a topic, like Confluent's strategies of the same names.
 * Implementations must be pure functions of their arguments.
 */
@FunctionalInterface
public interface SubjectNameStrategy {

    /**
     * @param topic the Kafka topic
     * @param part key or value
     * @param schema the schema being written or read
     * @return the subject name
     */
    String subjectName(String topic, RecordPart part, Schema schema);

    /** {@code <topic>-key} / {@code <topic>-value}: one schema lineage per topic. Confluent's default. */
    static SubjectNameStrategy topicName() {
        return (topic, part, schema) -> topic + (part == RecordPart.KEY ? "-key" : "-value");
    }

    /** The record's full name: one lineage per record type, shared by every topic carrying it. */
    static SubjectNameStrategy recordName() {
        return (topic, part, schema) -> fullName(schema);
    }

    /** {@code <topic>-<record full name>}: several record types per topic, each with its own lineage. */
    static SubjectNameStrategy topicRecordName() {
        return (topic, part, schema) -> topic + "-" + fullName(schema);
    }

    /**
     * The strategy for a configuration value: {@code topic-name}, {@code record-name}, {@code topic-record-name},
     * or Confluent's class names ({@code io.confluent.kafka.serializers.subject.TopicNameStrategy}, ...).
     *
     * @throws IllegalArgumentException naming the accepted values when the name is unknown
     */
    static SubjectNameStrategy named(String name) {
        String simple = name == null ? "" : name.substring(name.lastIndexOf('.') + 1).toLowerCase(Locale.ROOT)
                .replace("-", "").replace("_", "");
        return switch (simple) {
            case "topicname", "topicnamestrategy", "topic" -> topicName();
            case "recordname", "recordnamestrategy", "record" -> recordName();
            case "topicrecordname", "topicrecordnamestrategy", "topicrecord" -> topicRecordName();
            default -> throw new IllegalArgumentException("unknown subject-name strategy '" + name
                    + "'; use topic-name, record-name or topic-record-name");
        };
    }

    private static String fullName(Schema schema) {
        return switch (schema.getType()) {
            case RECORD, ENUM, FIXED -> schema.getFullName();
            default -> throw new IllegalArgumentException("the record-name strategies need a named schema (record, "
                    + "enum or fixed), got " + schema.getType() + "; use the topic-name strategy for primitives");
        };
    }
}
