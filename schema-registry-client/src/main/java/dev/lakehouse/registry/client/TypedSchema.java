package dev.lakehouse.registry.client;

import java.util.List;
import java.util.Objects;

/**
 * A schema in any of the registry's languages, as the registry holds it: its {@code schemaType} ({@code AVRO},
 * {@code JSON} for JSON Schema, {@code PROTOBUF}), its text and the other schemas it refers to (a Protobuf
 * schema's imports).
 *
 * @param type the registry's name of the schema language, upper case
 * @param text the schema document
 * @param references the schemas it refers to, by the name it uses for each; empty for none
 */
public record TypedSchema(String type, String text, List<Reference> references) {

    /** Confluent's name of Avro, the type of a schema whose answer carries no {@code schemaType}. */
    public static final String AVRO = "AVRO";
    /** Confluent's name of JSON Schema. */
    public static final String JSON = "JSON";
    /** Confluent's name of Protobuf. */
    public static final String PROTOBUF = "PROTOBUF";

    /**
     * A schema another one refers to: a registered version of a subject, under the name the referring schema uses
     * (for Protobuf, the import path).
     */
    public record Reference(String name, String subject, int version) {
        public Reference {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(subject, "subject");
        }
    }

    public TypedSchema {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(text, "text");
        references = List.copyOf(references);
    }

    /** A schema without references. */
    public TypedSchema(String type, String text) {
        this(type, text, List.of());
    }
}
