package dev.lakehouse.ingest;

import dev.lakehouse.ingest.deadletter.DeadLetterReason;
import dev.lakehouse.ingest.decode.ConfluentAvroDecoder;
import dev.lakehouse.ingest.decode.ConfluentProtobufDecoder;
import dev.lakehouse.ingest.decode.JsonRecordDecoder;
import dev.lakehouse.ingest.decode.RecordDecoder;
import dev.lakehouse.ingest.settings.PipelineSettings;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.DynamicMessage;
import dev.lakehouse.registry.client.RegistryClientConfig;
import dev.lakehouse.registry.client.SchemaRegistryClient;
import dev.lakehouse.registry.serde.ConfluentAvroSerializer;
import dev.lakehouse.registry.serde.ConfluentProtobufSerializer;
import dev.lakehouse.registry.serde.ProtobufSchemas;
import dev.lakehouse.registry.serde.RecordPart;
import dev.lakehouse.registry.server.SchemaRegistryServer;
import dev.lakehouse.table.InMemoryLakeTable;
import dev.lakehouse.testkit.SchemaRegistryExtension;
import dev.lakehouse.testkit.TestNames;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * One record never stops a pipeline: valid values of each format, mutated (bytes flipped, cut, inserted, lengths
 * made huge) and replaced by random bytes behind a valid header, go through the record converter, and every one
 * becomes a row or a dead letter with a reason; no exception escapes. A Protobuf {@code Timestamp} whose seconds
 * overflow microseconds (which threw {@code ArithmeticException} before, a pipeline failure) is a dead letter.
 */
@ExtendWith(SchemaRegistryExtension.class)
class DecoderFuzzIT {

    private static final int MUTANTS = 3_000;

    private static final Schema ORDER = new Schema.Parser().parse("""
            {"type": "record", "name": "Order", "namespace": "fuzz", "fields": [
              {"name": "id", "type": "long"},
              {"name": "customer", "type": "string"},
              {"name": "amount", "type": {"type": "bytes", "logicalType": "decimal", "precision": 9, "scale": 2}},
              {"name": "status", "type": {"type": "enum", "name": "Status", "symbols": ["NEW", "PAID"]}},
              {"name": "tags", "type": {"type": "array", "items": "string"}},
              {"name": "attrs", "type": {"type": "map", "values": "long"}},
              {"name": "address", "type": ["null", {"type": "record", "name": "Address", "fields": [
                {"name": "city", "type": "string"}]}], "default": null},
              {"name": "at", "type": {"type": "long", "logicalType": "timestamp-millis"}}
            ]}""");

    private static final String PROTO = """
            syntax = "proto3";
            package fuzz;
            import "google/protobuf/timestamp.proto";
            message Order {
              int64 id = 1;
              string customer = 2;
              repeated string tags = 3;
              map<string, int64> attrs = 4;
              google.protobuf.Timestamp at = 5;
              Address address = 6;
            }
            message Address {
              string city = 1;
            }
            """;

    private static SchemaRegistryClient client(SchemaRegistryServer server) {
        return SchemaRegistryClient.connect(RegistryClientConfig.builder(server.url()).build());
    }

    @Test
    void mutatedAvroValuesBecomeRowsOrDeadLettersNeverFailures(SchemaRegistryServer server) {
        SchemaRegistryClient registry = client(server);
        ConfluentAvroSerializer serializer = ConfluentAvroSerializer.builder(registry).build();
        String topic = TestNames.unique("fuzz-avro");
        List<byte[]> valid = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            valid.add(serializer.serialize(topic, RecordPart.VALUE, avroOrder(i)));
        }
        Map<DeadLetterReason, Integer> reasons = fuzz(new ConfluentAvroDecoder(registry), valid, 1);
        System.out.println("avro fuzz: " + reasons);
        assertThat(reasons).containsKey(DeadLetterReason.CORRUPT_AVRO);
    }

    @Test
    void mutatedProtobufValuesBecomeRowsOrDeadLettersNeverFailures(SchemaRegistryServer server) {
        SchemaRegistryClient registry = client(server);
        ConfluentProtobufSerializer serializer = new ConfluentProtobufSerializer(registry);
        String subject = TestNames.unique("fuzz-proto") + "-value";
        Descriptor order = ProtobufSchemas.descriptor("order.proto", PROTO, name -> {
            throw new IllegalArgumentException("no import " + name);
        }).findMessageTypeByName("Order");
        List<byte[]> valid = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            valid.add(serializer.serialize(subject, PROTO, List.of(), protoOrder(order, i, 1_700_000_000L + i)));
        }
        // Seconds whose microseconds do not fit a long: an ArithmeticException in the conversion.
        byte[] overflowing = serializer.serialize(subject, PROTO, List.of(), protoOrder(order, 99, Long.MAX_VALUE / 10));
        RecordConverter.Outcome outcome = converter(new ConfluentProtobufDecoder(registry)).convert(record(overflowing, 0));
        assertThat(outcome).isInstanceOf(RecordConverter.Outcome.Dead.class);
        assertThat(((RecordConverter.Outcome.Dead) outcome).letter().reason()).isEqualTo(DeadLetterReason.CORRUPT_PROTOBUF);

        Map<DeadLetterReason, Integer> reasons = fuzz(new ConfluentProtobufDecoder(registry), valid, 2);
        System.out.println("protobuf fuzz: " + reasons);
        assertThat(reasons).containsKey(DeadLetterReason.CORRUPT_PROTOBUF);
    }

    @Test
    void mutatedJsonValuesBecomeRowsOrDeadLettersNeverFailures() {
        List<byte[]> valid = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            valid.add(("{\"id\": " + i + ", \"customer\": \"c" + i + "\", \"amount\": " + i + ".25, \"status\": \"NEW\", "
                    + "\"tags\": [\"a\", \"b\"], \"attrs\": {\"k\": " + i + "}, \"address\": {\"city\": \"x\"}, "
                    + "\"at\": 1700000000000}").getBytes(StandardCharsets.UTF_8));
        }
        Map<DeadLetterReason, Integer> reasons = fuzz(new JsonRecordDecoder(ORDER), valid, 3);
        System.out.println("json fuzz: " + reasons);
        assertThat(reasons).containsKey(DeadLetterReason.INVALID_JSON);
    }

    /** Mutants of the valid values through a converter; every outcome counted by reason (rows under null). */
    private static Map<DeadLetterReason, Integer> fuzz(RecordDecoder decoder, List<byte[]> valid, long seed) {
        Random random = new Random(seed);
        RecordConverter converter = converter(decoder);
        Map<DeadLetterReason, Integer> reasons = new EnumMap<>(DeadLetterReason.class);
        int rows = 0;
        for (int i = 0; i < MUTANTS; i++) {
            byte[] mutant = mutate(valid.get(random.nextInt(valid.size())), random);
            RecordConverter.Outcome outcome = converter.convert(record(mutant, i));
            if (outcome instanceof RecordConverter.Outcome.Dead dead) {
                assertThat(dead.letter().message()).isNotBlank();
                reasons.merge(dead.letter().reason(), 1, Integer::sum);
            } else {
                assertThat(outcome).isInstanceOf(RecordConverter.Outcome.Row.class);
                rows++;
            }
        }
        assertThat(rows + reasons.values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(MUTANTS);
        return reasons;
    }

    private static byte[] mutate(byte[] value, Random random) {
        byte[] out = value.clone();
        switch (random.nextInt(6)) {
            case 0 -> { // flip a few bytes after the header
                for (int n = 1 + random.nextInt(4); n > 0; n--) {
                    int at = 5 + random.nextInt(Math.max(1, out.length - 5));
                    if (at < out.length) {
                        out[at] = (byte) random.nextInt(256);
                    }
                }
            }
            case 1 -> out = java.util.Arrays.copyOf(out, random.nextInt(out.length + 1)); // cut
            case 2 -> { // insert random bytes
                int at = random.nextInt(out.length + 1);
                byte[] extra = new byte[1 + random.nextInt(8)];
                random.nextBytes(extra);
                ByteBuffer joined = ByteBuffer.allocate(out.length + extra.length);
                joined.put(out, 0, at).put(extra).put(out, at, out.length - at);
                out = joined.array();
            }
            case 3 -> { // huge varints: lengths and counts that claim gigabytes
                int at = 5 + random.nextInt(Math.max(1, out.length - 5));
                ByteBuffer joined = ByteBuffer.allocate(out.length + 5);
                joined.put(out, 0, Math.min(at, out.length)).put(new byte[] {(byte) 0xfe, (byte) 0xff, (byte) 0xff,
                        (byte) 0xff, 0x0f}).put(out, Math.min(at, out.length), out.length - Math.min(at, out.length));
                out = joined.array();
            }
            case 4 -> { // random bytes behind the header
                byte[] body = new byte[random.nextInt(64)];
                random.nextBytes(body);
                ByteBuffer joined = ByteBuffer.allocate(Math.min(5, out.length) + body.length);
                joined.put(out, 0, Math.min(5, out.length)).put(body);
                out = joined.array();
            }
            default -> { // entirely random
                out = new byte[random.nextInt(40)];
                random.nextBytes(out);
            }
        }
        return out;
    }

    private static RecordConverter converter(RecordDecoder decoder) {
        PipelineSettings settings = PipelineSettings.builder("fuzz").instanceId("a").topics(List.of("t"))
                .bootstrapServers("unused:9092").build();
        return new RecordConverter(settings, new InMemoryLakeTable("fuzz"), decoder, true, true);
    }

    private static ConsumerRecord<byte[], byte[]> record(byte[] value, long offset) {
        return new ConsumerRecord<>("t", 0, offset, null, value);
    }

    private static GenericRecord avroOrder(int i) {
        GenericRecord order = new GenericData.Record(ORDER);
        order.put("id", (long) i);
        order.put("customer", "c" + i);
        order.put("amount", ByteBuffer.wrap(java.math.BigInteger.valueOf(i * 125L).toByteArray()));
        order.put("status", new GenericData.EnumSymbol(ORDER.getField("status").schema(), i % 2 == 0 ? "NEW" : "PAID"));
        order.put("tags", List.of("a", "b" + i));
        order.put("attrs", Map.of("k", (long) i));
        Schema address = ORDER.getField("address").schema().getTypes().get(1);
        GenericRecord a = new GenericData.Record(address);
        a.put("city", "x" + i);
        order.put("address", i % 3 == 0 ? null : a);
        order.put("at", 1_700_000_000_000L + i);
        return order;
    }

    private static DynamicMessage protoOrder(Descriptor order, int i, long seconds) {
        Descriptor timestamp = order.findFieldByName("at").getMessageType();
        Descriptor address = order.findFieldByName("address").getMessageType();
        DynamicMessage.Builder b = DynamicMessage.newBuilder(order)
                .setField(order.findFieldByName("id"), (long) i)
                .setField(order.findFieldByName("customer"), "c" + i)
                .addRepeatedField(order.findFieldByName("tags"), "a")
                .setField(order.findFieldByName("at"), DynamicMessage.newBuilder(timestamp)
                        .setField(timestamp.findFieldByName("seconds"), seconds).build())
                .setField(order.findFieldByName("address"), DynamicMessage.newBuilder(address)
                        .setField(address.findFieldByName("city"), "x" + i).build());
        return b.build();
    }
}
