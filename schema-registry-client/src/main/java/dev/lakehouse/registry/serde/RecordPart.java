package dev.lakehouse.registry.serde;

/** Which part of a Kafka record a schema describes; subject names depend on it. */
public enum RecordPart {
    KEY, VALUE
}
