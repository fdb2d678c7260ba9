package dev.lakehouse.registry.serde;

import dev.lakehouse.registry.client.SchemaRegistryClient;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericContainer;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;

/**
 * Writes Avro data in the Confluent wire format: {@code 0x00}, the 4-byte schema id, the Avro binary body.
 *
 * <p>The id comes from the registry: registered under the strategy's subject when auto-registration is on (the
 * default, as in Confluent's serializer), else looked up, which fails when the subject lacks the schema. Ids
 * are cached by the registry client, so the registry is asked once per (subject, schema).
 *
 * <p>Thread-safe.
 */
public final class ConfluentAvroSerializer {

    private final SchemaRegistryClient registry;
    private final SubjectNameStrategy strategy;
    private final boolean autoRegister;
    private final Map<Schema, GenericDatumWriter<Object>> writers = new ConcurrentHashMap<>();

    private ConfluentAvroSerializer(Builder builder) {
        this.registry = builder.registry;
        this.strategy = builder.strategy;
        this.autoRegister = builder.autoRegister;
    }

    public static Builder builder(SchemaRegistryClient registry) {
        return new Builder(registry);
    }

    /**
     * Serializes one datum.
     *
     * @param datum a {@link GenericContainer} (record, enum, fixed), or a primitive ({@code null}, Boolean,
     *              Integer, Long, Float, Double, CharSequence, byte[] or ByteBuffer)
     * @return the framed payload, or {@code null} for a {@code null} datum (a Kafka tombstone)
     * @throws dev.lakehouse.registry.client.SchemaRegistryException if the id cannot be obtained
     * @throws org.apache.avro.AvroRuntimeException if the datum does not match its schema
     */
    public byte[] serialize(String topic, RecordPart part, Object datum) {
        if (datum == null) {
            return null;
        }
        Schema schema = schemaOf(datum);
        String subject = strategy.subjectName(topic, part, schema);
        int id = autoRegister ? registry.register(subject, schema) : registry.lookup(subject, schema).id();
        GenericDatumWriter<Object> writer = writers.computeIfAbsent(schema,
                s -> new GenericDatumWriter<>(s, GenericData.get()));
        ByteArrayOutputStream out = new ByteArrayOutputStream(128);
        byte[] header = new byte[ConfluentWireFormat.HEADER_SIZE];
        ConfluentWireFormat.writeHeader(header, id);
        out.writeBytes(header);
        try {
            BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
            writer.write(datum instanceof byte[] bytes ? ByteBuffer.wrap(bytes) : datum, encoder);
            encoder.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot encode a datum of schema " + schema.getFullName(), e);
        }
        return out.toByteArray();
    }

    private static Schema schemaOf(Object datum) {
        if (datum instanceof GenericContainer container) {
            return container.getSchema();
        }
        Schema.Type type;
        if (datum instanceof Boolean) {
            type = Schema.Type.BOOLEAN;
        } else if (datum instanceof Integer) {
            type = Schema.Type.INT;
        } else if (datum instanceof Long) {
            type = Schema.Type.LONG;
        } else if (datum instanceof Float) {
            type = Schema.Type.FLOAT;
        } else if (datum instanceof Double) {
            type = Schema.Type.DOUBLE;
        } else if (datum instanceof CharSequence) {
            type = Schema.Type.STRING;
        } else if (datum instanceof byte[] || datum instanceof ByteBuffer) {
            type = Schema.Type.BYTES;
        } else {
            throw new IllegalArgumentException("cannot serialize a " + datum.getClass().getName()
                    + " as Avro: give a GenericRecord (or other GenericContainer) or a primitive");
        }
        return Schema.create(type);
    }

    /** Builder of {@link ConfluentAvroSerializer}. */
    public static final class Builder {
        private final SchemaRegistryClient registry;
        private SubjectNameStrategy strategy = SubjectNameStrategy.topicName();
        private boolean autoRegister = true;

        private Builder(SchemaRegistryClient registry) {
            this.registry = Objects.requireNonNull(registry, "registry");
        }

        /** Default: {@link SubjectNameStrategy#topicName()}. */
        public Builder subjectNameStrategy(SubjectNameStrategy strategy) {
            this.strategy = Objects.requireNonNull(strategy, "strategy");
            return this;
        }

        /** Only look schemas up; never register them (for producers without write access to the registry). */
        public Builder lookupOnly() {
            this.autoRegister = false;
            return this;
        }

        public ConfluentAvroSerializer build() {
            return new ConfluentAvroSerializer(this);
        }
    }
}
