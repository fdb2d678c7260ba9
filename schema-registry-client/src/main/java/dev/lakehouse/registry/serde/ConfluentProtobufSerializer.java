package dev.lakehouse.registry.serde;

import com.google.protobuf.Message;
import dev.lakehouse.registry.client.SchemaRegistryClient;
import dev.lakehouse.registry.client.TypedSchema;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Frames Protobuf messages in Confluent's Protobuf wire format ({@link ConfluentProtobufFormat}), registering the
 * message's {@code .proto} schema under the subject on first use, as Confluent's {@code KafkaProtobufSerializer}
 * does. Thread-safe.
 */
public final class ConfluentProtobufSerializer {

    private record SubjectSchema(String subject, String schema) {
    }

    private final SchemaRegistryClient registry;
    private final Map<SubjectSchema, Integer> ids = new ConcurrentHashMap<>();

    public ConfluentProtobufSerializer(SchemaRegistryClient registry) {
        this.registry = Objects.requireNonNull(registry, "registry");
    }

    /**
     * The framed value.
     *
     * @param subject the subject of the schema, such as {@code orders-value}
     * @param protoText the {@code .proto} text the message's type is declared in
     * @param references the registered schemas it imports, by import path
     * @param message the value; its type must be declared in {@code protoText}
     */
    public byte[] serialize(String subject, String protoText, List<TypedSchema.Reference> references,
                            Message message) {
        int id = ids.computeIfAbsent(new SubjectSchema(subject, protoText),
                key -> registry.register(subject, new TypedSchema(TypedSchema.PROTOBUF, protoText, references)));
        return ConfluentProtobufFormat.frame(id, ConfluentProtobufFormat.indexes(message.getDescriptorForType()),
                message.toByteArray());
    }
}
