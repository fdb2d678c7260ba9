package dev.lakehouse.benchmarks;

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
            System.out.println(measure("reader = writer schema",
                    ConfluentAvroDeserializer.builder(client).build(), payloads, bytes, null).report());
            System.out.println(measure("writer v1 resolved to reader v2",
                    ConfluentAvroDeserializer.builder(client).build(), payloads, bytes, orderV2()).report());
            System.out.println(Measurement.peakHeap());
        }
    }

    private static Measurement measure(String name, ConfluentAvroDeserializer deserializer, byte[][] payloads,
                                       long bytes, Schema reader) {
        Measurement measurement = new Measurement(name, payloads.length, bytes, ITERATIONS);
        long checksum = 0;
        for (int iteration = 0; iteration < WARMUP + ITERATIONS; iteration++) {
            long start = System.nanoTime();
            for (int i = 0; i < payloads.length; i++) {
                GenericRecord r = (GenericRecord) deserializer.deserialize(payloads[i], reader, RecordContext.UNKNOWN);
                checksum += (Integer) r.get(3);
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
