package dev.lakehouse.registry.client;

import java.util.Objects;
import org.apache.avro.Schema;

/**
 * One version of a subject: its number, the global schema id and the parsed Avro schema.
 *
 * @param subject the subject name
 * @param version the version under that subject, from 1
 * @param id the registry-wide schema id (the one in the wire format)
 * @param schema the parsed schema
 */
public record RegisteredSchema(String subject, int version, int id, Schema schema) {
    public RegisteredSchema {
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(schema, "schema");
    }
}
