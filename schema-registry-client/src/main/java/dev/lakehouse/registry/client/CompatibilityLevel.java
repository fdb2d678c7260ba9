package dev.lakehouse.registry.client;

/** Confluent's compatibility levels, as the registry names them. */
public enum CompatibilityLevel {
    NONE, BACKWARD, BACKWARD_TRANSITIVE, FORWARD, FORWARD_TRANSITIVE, FULL, FULL_TRANSITIVE
}
