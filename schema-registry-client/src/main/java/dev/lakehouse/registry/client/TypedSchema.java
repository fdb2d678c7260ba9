package dev.lakehouse.registry.client;

import java.util.Objects;

/**
 * A schema in any of the registry's languages, as the registry holds it: its {@code schemaType} ({@code AVRO},
 * {@code JSON} for JSON Schema, {@code PROTOBUF}) and its text.
 *
 * @param type the registry's name of the schema language, upper case
 * @param text the schema document
 */
public record TypedSchema(String type, String text) {

    /** Confluent's name of Avro, the type of a schema whose answer carries no {@code schemaType}. */
    public static final String AVRO = "AVRO";
    /** Confluent's name of JSON Schema. */
    public static final String JSON = "JSON";

    public TypedSchema {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(text, "text");
    }
}
