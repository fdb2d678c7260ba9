package dev.lakehouse.registry.serde;

import dev.lakehouse.registry.client.SchemaNotFoundException;
import dev.lakehouse.registry.client.SchemaRegistryClient;
import java.io.EOFException;
import java.io.IOException;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.Incompatibility;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;

/**
 * Reads Confluent wire-format payloads, resolving each payload's writer schema to a reader schema with Avro's
 * resolution rules (added fields take their defaults, removed fields are skipped, int/long/float promote).
 *
 * <p>Per (writer schema id, reader schema) one datum reader is built and cached, together with the result of
 * the compatibility check, so the steady state costs one map lookup (none when consecutive records share their
 * schemas) and the decode itself. Records come back as {@link org.apache.avro.generic.GenericRecord}s with Avro's
 * raw representations (Utf8 strings, ByteBuffer bytes, epoch numbers for date and time types).
 *
 * <p><strong>Not thread-safe</strong>: it reuses one decoder. Give each decoding thread its own instance; they can
 * share one registry client and its cache.
 *
 * <p>Failures: every kind of bad payload has its own subclass of {@link AvroDecodeException}; a registry that
 * cannot be reached surfaces as {@link dev.lakehouse.registry.client.RegistryUnavailableException} (transient,
 * retry), never as a decode failure.
 */
public final class ConfluentAvroDeserializer {

    private record ReaderKey(int writerId, Schema reader) {
    }

    /** A datum reader, or the reason why this writer cannot be read as this reader. */
    private record Resolution(GenericDatumReader<Object> reader, String incompatibility) {
    }

    private final SchemaRegistryClient registry;
    private final Schema defaultReaderSchema;
    private final GenericData dataModel;
    private final Map<ReaderKey, Resolution> resolutions = new ConcurrentHashMap<>();
    private BinaryDecoder decoder;
    private int lastWriterId = -1;
    private Schema lastReader;
    private Resolution lastResolution;

    private ConfluentAvroDeserializer(Builder builder) {
        this.registry = builder.registry;
        this.defaultReaderSchema = builder.readerSchema;
        this.dataModel = builder.dataModel;
    }

    public static Builder builder(SchemaRegistryClient registry) {
        return new Builder(registry);
    }

    /**
     * Decodes with the builder's reader schema, or with the writer's own schema when none was given.
     *
     * @return the datum, or {@code null} for a {@code null} payload (a tombstone)
     */
    public Object deserialize(byte[] payload, RecordContext context) {
        return deserialize(payload, defaultReaderSchema, context);
    }

    /**
     * Decodes and resolves to {@code readerSchema} ({@code null}: the writer's schema).
     *
     * @return the datum, or {@code null} for a {@code null} payload (a tombstone)
     * @throws WrongMagicByteException if the first byte is not 0x00
     * @throws TruncatedPayloadException if the header or the body ends early
     * @throws UnknownSchemaIdException if the registry has no schema with the payload's id
     * @throws SchemaResolutionException if the writer schema cannot be read as the reader schema
     * @throws CorruptAvroBodyException if the body does not decode or has trailing bytes
     * @throws dev.lakehouse.registry.client.RegistryUnavailableException if the registry cannot be reached (transient)
     */
    public Object deserialize(byte[] payload, Schema readerSchema, RecordContext context) {
        if (payload == null) {
            return null;
        }
        int writerId = ConfluentWireFormat.schemaId(payload, context);
        Resolution resolution = resolution(writerId, readerSchema, context);
        if (resolution.incompatibility() != null) {
            throw new SchemaResolutionException(context, writerId, resolution.incompatibility());
        }
        int bodyLength = payload.length - ConfluentWireFormat.HEADER_SIZE;
        decoder = DecoderFactory.get().binaryDecoder(payload, ConfluentWireFormat.HEADER_SIZE, bodyLength, decoder);
        Object datum;
        try {
            datum = resolution.reader().read(null, decoder);
        } catch (EOFException e) {
            throw new TruncatedPayloadException(context, "the Avro body (" + bodyLength + " bytes) ends before the "
                    + "datum of writer schema id " + writerId + " is complete", e);
        } catch (IOException | RuntimeException e) {
            // Avro reports bad bytes as AvroRuntimeException, IndexOutOfBounds (union or enum index),
            // NegativeArraySize or OutOfMemory-sized lengths: all mean the body is not what the schema says.
            throw new CorruptAvroBodyException(context, writerId, e.toString(), e);
        }
        try {
            if (!decoder.isEnd()) {
                throw new CorruptAvroBodyException(context, writerId, "bytes are left over after the datum: the "
                        + "payload was not written with this schema", null);
            }
        } catch (IOException e) {
            throw new CorruptAvroBodyException(context, writerId, e.toString(), e);
        }
        return datum;
    }

    private Resolution resolution(int writerId, Schema readerSchema, RecordContext context) {
        if (writerId == lastWriterId && readerSchema == lastReader) {
            return lastResolution;
        }
        Resolution resolution = resolutions.get(new ReaderKey(writerId, readerSchema));
        if (resolution == null) {
            resolution = resolve(writerId, readerSchema, context);
            resolutions.put(new ReaderKey(writerId, readerSchema), resolution);
        }
        lastWriterId = writerId;
        lastReader = readerSchema;
        lastResolution = resolution;
        return resolution;
    }

    private Resolution resolve(int writerId, Schema readerSchema, RecordContext context) {
        Schema writer;
        try {
            writer = registry.schemaById(writerId);
        } catch (SchemaNotFoundException e) {
            throw new UnknownSchemaIdException(context, writerId, e);
        }
        Schema reader = readerSchema == null ? writer : readerSchema;
        if (reader != writer) {
            SchemaCompatibility.SchemaPairCompatibility check =
                    SchemaCompatibility.checkReaderWriterCompatibility(reader, writer);
            if (check.getType() != SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE) {
                StringBuilder detail = new StringBuilder();
                for (Incompatibility i : check.getResult().getIncompatibilities()) {
                    detail.append(detail.length() == 0 ? "" : "; ").append(i.getType()).append(" at ")
                            .append(i.getLocation()).append(": ").append(i.getMessage());
                }
                return new Resolution(null, detail.toString());
            }
        }
        return new Resolution(new GenericDatumReader<>(writer, reader, dataModel), null);
    }

    /** Builder of {@link ConfluentAvroDeserializer}. */
    public static final class Builder {
        private final SchemaRegistryClient registry;
        private Schema readerSchema;
        private GenericData dataModel = GenericData.get();

        private Builder(SchemaRegistryClient registry) {
            this.registry = Objects.requireNonNull(registry, "registry");
        }

        /** Resolve every payload to this schema by default. Without it, payloads decode as written. */
        public Builder readerSchema(Schema schema) {
            this.readerSchema = schema;
            return this;
        }

        /** The Avro data model that builds the datums (e.g. one with logical-type conversions). */
        public Builder dataModel(GenericData model) {
            this.dataModel = Objects.requireNonNull(model, "model");
            return this;
        }

        public ConfluentAvroDeserializer build() {
            return new ConfluentAvroDeserializer(this);
        }
    }
}
