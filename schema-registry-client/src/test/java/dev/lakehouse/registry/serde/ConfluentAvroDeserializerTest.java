package dev.lakehouse.registry.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;

class ConfluentAvroDeserializerTest {

    private static final Schema V1 = SchemaBuilder.record("Order").fields()
            .requiredLong("id").requiredString("item").endRecord();
    private static final Schema V2 = SchemaBuilder.record("Order").fields()
            .requiredLong("id").requiredString("item")
            .name("qty").type().intType().intDefault(1)
            .optionalString("note").endRecord();
    private static final Schema NEEDS_FIELD = SchemaBuilder.record("Order").fields()
            .requiredLong("id").requiredString("item").requiredString("mandatory").endRecord();
    private static final RecordContext CTX = new RecordContext("orders", 2, 42);

    private final InMemoryRegistryClient registry = new InMemoryRegistryClient(
            id -> new IllegalStateException("unreachable in these tests"));
    private final ConfluentAvroSerializer serializer = ConfluentAvroSerializer.builder(registry).build();

    private byte[] v1Payload(long id) {
        GenericRecord r = new GenericData.Record(V1);
        r.put("id", id);
        r.put("item", "book");
        return serializer.serialize("orders", RecordPart.VALUE, r);
    }

    @Test
    void framesWithMagicByteAndBigEndianId() {
        byte[] payload = v1Payload(7);
        assertThat(payload[0]).isZero();
        assertThat(ConfluentWireFormat.schemaId(payload, CTX)).isEqualTo(1);
        assertThat(registry.bySubject).containsKey("orders-value");
    }

    @Test
    void resolvesAnOldWriterToANewReaderWithDefaults() {
        ConfluentAvroDeserializer deserializer = ConfluentAvroDeserializer.builder(registry).readerSchema(V2).build();
        GenericRecord read = (GenericRecord) deserializer.deserialize(v1Payload(7), CTX);
        assertThat(read.getSchema()).isEqualTo(V2);
        assertThat(read.get("id")).isEqualTo(7L);
        assertThat(read.get("item").toString()).isEqualTo("book");
        assertThat(read.get("qty")).isEqualTo(1);
        assertThat(read.get("note")).isNull();
    }

    @Test
    void cachesTheWriterSchemaAndReader() {
        ConfluentAvroDeserializer deserializer = ConfluentAvroDeserializer.builder(registry).readerSchema(V2).build();
        for (int i = 0; i < 100; i++) {
            deserializer.deserialize(v1Payload(i), CTX);
        }
        assertThat(registry.schemaByIdCalls).hasValue(1);
    }

    @Test
    void nullPayloadIsATombstone() {
        assertThat(ConfluentAvroDeserializer.builder(registry).build().deserialize(null, CTX)).isNull();
    }

    @Test
    void wrongMagicByte() {
        byte[] json = "{\"id\":1}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        assertThatThrownBy(() -> ConfluentAvroDeserializer.builder(registry).build().deserialize(json, CTX))
                .isInstanceOfSatisfying(WrongMagicByteException.class, e -> {
                    assertThat(e.reason()).isEqualTo("WRONG_MAGIC_BYTE");
                    assertThat(e.context()).isEqualTo(CTX);
                })
                .hasMessageContaining("0x7b").hasMessageContaining("orders-2@42");
    }

    @Test
    void truncatedHeaderAndTruncatedBody() {
        ConfluentAvroDeserializer deserializer = ConfluentAvroDeserializer.builder(registry).build();
        assertThatThrownBy(() -> deserializer.deserialize(new byte[] {0, 0, 1}, CTX))
                .isInstanceOf(TruncatedPayloadException.class).hasMessageContaining("5-byte header");
        byte[] full = v1Payload(123456789L);
        byte[] cut = Arrays.copyOf(full, full.length - 3);
        assertThatThrownBy(() -> deserializer.deserialize(cut, CTX))
                .isInstanceOf(TruncatedPayloadException.class).hasMessageContaining("ends before");
    }

    @Test
    void unknownSchemaIdIsReportedWithTheId() {
        InMemoryRegistryClient empty = new InMemoryRegistryClient(id -> dev.lakehouse.registry.client.RegistryAnswers.schemaNotFound(id));
        byte[] payload = {0, 0, 0, 0, 99, 2, 4};
        assertThatThrownBy(() -> ConfluentAvroDeserializer.builder(empty).build().deserialize(payload, CTX))
                .isInstanceOfSatisfying(UnknownSchemaIdException.class, e -> assertThat(e.schemaId()).isEqualTo(99))
                .hasMessageContaining("unknown schema id 99");
    }

    @Test
    void corruptBodyAndTrailingBytes() {
        ConfluentAvroDeserializer deserializer = ConfluentAvroDeserializer.builder(registry).build();
        byte[] valid = v1Payload(1);
        // A string length of -1 (zig-zag 0x01) cannot be right.
        byte[] corrupt = Arrays.copyOf(valid, valid.length);
        corrupt[6] = 0x01;
        assertThatThrownBy(() -> deserializer.deserialize(corrupt, CTX)).isInstanceOf(CorruptAvroBodyException.class);
        byte[] trailing = Arrays.copyOf(valid, valid.length + 2);
        assertThatThrownBy(() -> deserializer.deserialize(trailing, CTX))
                .isInstanceOf(CorruptAvroBodyException.class).hasMessageContaining("left over");
    }

    @Test
    void anUnresolvableWriterIsAnIncompatibleSchemaNotACorruptBody() {
        ConfluentAvroDeserializer deserializer =
                ConfluentAvroDeserializer.builder(registry).readerSchema(NEEDS_FIELD).build();
        assertThatThrownBy(() -> deserializer.deserialize(v1Payload(1), CTX))
                .isInstanceOfSatisfying(SchemaResolutionException.class,
                        e -> assertThat(e.reason()).isEqualTo("INCOMPATIBLE_SCHEMA"))
                .hasMessageContaining("mandatory");
    }
}
