package dev.lakehouse.benchmarks;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.DynamicMessage;
import dev.lakehouse.ingest.decode.ConfluentJsonSchemaDecoder;
import dev.lakehouse.ingest.decode.ConfluentProtobufDecoder;
import dev.lakehouse.ingest.decode.RecordDecoder;
import dev.lakehouse.registry.serde.ConfluentProtobufSerializer;
import dev.lakehouse.registry.serde.ProtobufSchemas;
import dev.lakehouse.registry.serde.ConfluentJsonSchemaSerializer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.IntFunction;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import dev.lakehouse.registry.client.RegistryClientConfig;
import dev.lakehouse.registry.client.SchemaRegistryClient;
import dev.lakehouse.registry.serde.ConfluentAvroDeserializer;
import dev.lakehouse.registry.serde.ConfluentAvroSerializer;
import dev.lakehouse.registry.serde.RecordContext;
import dev.lakehouse.registry.serde.RecordPart;
import dev.lakehouse.registry.server.SchemaRegistryServer;
import java.util.Random;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;

/**
 * Confluent wire-format deserialization on one thread: a 10-field order record, payloads pre-built, registry
 * cache warm (the steady state of ingestion). Two cases: reader = writer schema, and a v1 writer resolved to a
 * v2 reader with two added fields (what ingestion does after a schema change).
 */
final class DeserializationBenchmark {

    private static final int RECORDS = 200_000;
    private static final int WARMUP = 8;
    private static final int ITERATIONS = 15;
    private static final String[] COUNTRIES = {"DE", "FR", "US", "GB", "JP", "BR"};

    private DeserializationBenchmark() {
    }

    /** The 10-field order record every benchmark uses. */
    static Schema orderV1() {
        return orderFields().endRecord();
    }

    /** {@link #orderV1()} plus two fields with defaults: what a producer's next schema version looks like. */
    static Schema orderV2() {
        return orderFields()
                .name("channel").type().stringType().stringDefault("web")
                .optionalLong("loyalty_points")
                .endRecord();
    }

    private static SchemaBuilder.FieldAssembler<Schema> orderFields() {
        Schema timestamp = LogicalTypes.timestampMillis().addToSchema(Schema.create(Schema.Type.LONG));
        return SchemaBuilder.record("Order").namespace("bench").fields()
                .requiredLong("order_id")
                .requiredString("customer_id")
                .requiredString("sku")
                .requiredInt("quantity")
                .requiredDouble("unit_price")
                .name("created_at").type(timestamp).noDefault()
                .requiredBoolean("express")
                .requiredString("country")
                .optionalString("coupon")
                .requiredFloat("discount");
    }

    /**
     * Fills an order record of {@link #orderV1()} with random but plausible values.
     *
     * @param sequence the record's position in the run; timestamps grow with it
     */
    static void fillOrder(GenericRecord r, long orderId, long sequence, Random random) {
        r.put("order_id", orderId);
        r.put("customer_id", "cust-" + random.nextInt(100_000));
        r.put("sku", "SKU-" + random.nextInt(5_000));
        r.put("quantity", 1 + random.nextInt(9));
        r.put("unit_price", random.nextInt(100_000) / 100.0);
        r.put("created_at", 1_763_000_000_000L + sequence * 37L);
        r.put("express", random.nextBoolean());
        r.put("country", COUNTRIES[random.nextInt(COUNTRIES.length)]);
        r.put("coupon", random.nextInt(4) == 0 ? "SAVE10" : null);
        r.put("discount", random.nextFloat());
    }

    static void run() {
        try (SchemaRegistryServer registry = SchemaRegistryServer.builder().start()) {
            SchemaRegistryClient client = SchemaRegistryClient.connect(RegistryClientConfig.builder(registry.url()).build());
            Schema v1 = orderV1();
            ConfluentAvroSerializer serializer = ConfluentAvroSerializer.builder(client).build();
            Random random = new Random(42);
            byte[][] payloads = new byte[RECORDS][];
            long bytes = 0;
            for (int i = 0; i < RECORDS; i++) {
                GenericRecord r = new GenericData.Record(v1);
                fillOrder(r, 10_000_000L + i, i, random);
                payloads[i] = serializer.serialize("orders", RecordPart.VALUE, r);
                bytes += payloads[i].length;
            }
            client.register("orders-value", orderV2());

            System.out.printf("Confluent Avro deserialization, 1 thread, %,d records of 10 fields, %.1f bytes/record%n",
                    RECORDS, (double) bytes / RECORDS);
            ConfluentAvroDeserializer same = ConfluentAvroDeserializer.builder(client).build();
            System.out.println(measure("reader = writer schema", payloads.length, bytes,
                    i -> (GenericRecord) same.deserialize(payloads[i], null, RecordContext.UNKNOWN)).report());
            ConfluentAvroDeserializer resolving = ConfluentAvroDeserializer.builder(client).build();
            Schema v2 = orderV2();
            System.out.println(measure("writer v1 resolved to reader v2", payloads.length, bytes,
                    i -> (GenericRecord) resolving.deserialize(payloads[i], v2, RecordContext.UNKNOWN)).report());
            protobuf(client);
            jsonSchema(client);
            System.out.println(Measurement.peakHeap());
        }
    }

    /**
     * The same orders as Protobuf values (Confluent's Protobuf wire format), decoded as a {@code protobuf} pipeline
     * does: parsed as dynamic messages of the registered {@code .proto} schema, mapped to the table's columns.
     */
    private static void protobuf(SchemaRegistryClient client) {
        String proto = """
                syntax = "proto3";
                import "google/protobuf/timestamp.proto";
                message Order {
                  int64 order_id = 1;
                  string customer_id = 2;
                  string sku = 3;
                  int32 quantity = 4;
                  double unit_price = 5;
                  google.protobuf.Timestamp created_at = 6;
                  bool express = 7;
                  string country = 8;
                  optional string coupon = 9;
                  float discount = 10;
                }
                """;
        Descriptor type = ProtobufSchemas.descriptor("order.proto", proto, name -> null)
                .findMessageTypeByName("Order");
        ConfluentProtobufSerializer serializer = new ConfluentProtobufSerializer(client);
        Framed framed = framedOrders("orders-proto", order -> {
            DynamicMessage.Builder message = DynamicMessage.newBuilder(type);
            for (String field : List.of("order_id", "customer_id", "sku", "quantity", "unit_price", "express",
                    "country", "coupon", "discount")) {
                Object value = order.get(field);
                if (value != null) {
                    message.setField(type.findFieldByName(field), value instanceof CharSequence c ? c.toString()
                            : value);
                }
            }
            long millis = (Long) order.get("created_at");
            message.setField(type.findFieldByName("created_at"), com.google.protobuf.Timestamp.newBuilder()
                    .setSeconds(millis / 1000).setNanos((int) (millis % 1000) * 1_000_000).build());
            return serializer.serialize("orders-proto-value", proto, List.of(), message.build());
        });
        measureDecoder("Confluent Protobuf decoding (dynamic message, map)", "Protobuf", framed,
                new ConfluentProtobufDecoder(client));
    }

    /**
     * The same orders as JSON Schema values (Confluent's JSON Schema wire format), decoded as a {@code json-schema}
     * pipeline does: parsed, validated against the registered schema, mapped to the table's columns.
     */
    private static void jsonSchema(SchemaRegistryClient client) {
        String schema = """
                {"type": "object", "properties": {
                  "order_id": {"type": "integer"}, "customer_id": {"type": "string"}, "sku": {"type": "string"},
                  "quantity": {"type": "integer"}, "unit_price": {"type": "number"},
                  "created_at": {"type": "string", "format": "date-time"}, "express": {"type": "boolean"},
                  "country": {"type": "string"}, "coupon": {"type": ["string", "null"]},
                  "discount": {"type": "number"}},
                 "required": ["order_id", "customer_id", "sku", "quantity", "unit_price", "created_at", "express",
                   "country", "discount"]}""";
        ConfluentJsonSchemaSerializer serializer = new ConfluentJsonSchemaSerializer(client);
        Framed framed = framedOrders("orders-json", order -> {
            String json = String.format(java.util.Locale.ROOT, "{\"order_id\":%d,\"customer_id\":\"%s\",\"sku\":"
                    + "\"%s\",\"quantity\":%d,\"unit_price\":%s,\"created_at\":\"%s\",\"express\":%b,"
                    + "\"country\":\"%s\",\"coupon\":%s,\"discount\":%s}", order.get("order_id"),
                    order.get("customer_id"), order.get("sku"), order.get("quantity"), order.get("unit_price"),
                    java.time.Instant.ofEpochMilli((Long) order.get("created_at")), order.get("express"),
                    order.get("country"), order.get("coupon") == null ? "null" : "\"" + order.get("coupon") + "\"",
                    order.get("discount"));
            return serializer.serialize("orders-json-value", schema, json);
        });
        measureDecoder("Confluent JSON Schema decoding (parse, validate, map)", "JSON Schema, validated", framed,
                new ConfluentJsonSchemaDecoder(client));
    }

    /** Framed values of one topic and their payload bytes. */
    private record Framed(List<ConsumerRecord<byte[], byte[]>> records, long bytes) {
    }

    /** {@link #RECORDS} orders (the same ones in every format, seed 42), each framed by {@code encode}. */
    private static Framed framedOrders(String topic, Function<GenericRecord, byte[]> encode) {
        Random random = new Random(42);
        GenericRecord order = new GenericData.Record(orderV1());
        List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>(RECORDS);
        long bytes = 0;
        for (int i = 0; i < RECORDS; i++) {
            fillOrder(order, 10_000_000L + i, i, random);
            byte[] value = encode.apply(order);
            bytes += value.length;
            records.add(new ConsumerRecord<>(topic, 0, i, null, value));
        }
        return new Framed(records, bytes);
    }

    /** Decodes every framed value into the columns of the first one's writer schema, as a pipeline does. */
    private static void measureDecoder(String title, String name, Framed framed, RecordDecoder decoder) {
        Schema columns = decoder.writerSchema(framed.records().get(0));
        System.out.printf("%s, 1 thread, %,d records, %.1f bytes/record%n", title, RECORDS,
                (double) framed.bytes() / RECORDS);
        System.out.println(measure(name, RECORDS, framed.bytes(),
                i -> decoder.decode(framed.records().get(i), columns)).report());
    }

    private static Measurement measure(String name, int records, long bytes, IntFunction<GenericRecord> decode) {
        Measurement measurement = new Measurement(name, records, bytes, ITERATIONS);
        long checksum = 0;
        for (int iteration = 0; iteration < WARMUP + ITERATIONS; iteration++) {
            long start = System.nanoTime();
            for (int i = 0; i < records; i++) {
                GenericRecord r = decode.apply(i);
                checksum += r.get(3) instanceof Number n ? n.longValue() : 0;
            }
            long elapsed = System.nanoTime() - start;
            if (iteration >= WARMUP) {
                measurement.add(elapsed);
            }
        }
        if (checksum == 42) {
            System.out.println("(checksum collision, ignore)"); // keeps the JIT from dropping the decode work
        }
        return measurement;
    }
}
