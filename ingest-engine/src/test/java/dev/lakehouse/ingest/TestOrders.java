package dev.lakehouse.ingest;

import dev.lakehouse.kafka.local.LocalKafkaBroker;
import dev.lakehouse.registry.client.SchemaRegistryClient;
import dev.lakehouse.registry.serde.ConfluentAvroSerializer;
import dev.lakehouse.registry.serde.RecordPart;
import dev.lakehouse.table.KernelReader;
import dev.lakehouse.testkit.KafkaTestClients;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.producer.ProducerRecord;

/** Order records for the engine's tests: Avro in the Confluent wire format, keyed and partitioned by id. */
final class TestOrders {

    static final Schema V1 = new Schema.Parser().parse("""
            {"type": "record", "name": "Order", "namespace": "shop", "fields": [
              {"name": "order_id", "type": "long"},
              {"name": "customer", "type": "string"},
              {"name": "amount", "type": "double"},
              {"name": "created_at", "type": {"type": "long", "logicalType": "timestamp-millis"}}
            ]}""");

    /** V1 plus an optional coupon. */
    static final Schema V2 = new Schema.Parser().parse("""
            {"type": "record", "name": "Order", "namespace": "shop", "fields": [
              {"name": "order_id", "type": "long"},
              {"name": "customer", "type": "string"},
              {"name": "amount", "type": "double"},
              {"name": "created_at", "type": {"type": "long", "logicalType": "timestamp-millis"}},
              {"name": "coupon", "type": ["null", "string"], "default": null}
            ]}""");

    private TestOrders() {
    }

    static GenericRecord order(Schema schema, long id) {
        GenericRecord order = new GenericData.Record(schema);
        order.put("order_id", id);
        order.put("customer", "customer-" + (id % 97));
        order.put("amount", id * 0.25);
        order.put("created_at", 1_767_225_600_000L + id * 1000);
        if (schema.getField("coupon") != null) {
            order.put("coupon", "C" + id);
        }
        return order;
    }

    /** Produces orders {@code from} (inclusive) to {@code to} (exclusive) with the given schema. */
    static void produce(LocalKafkaBroker kafka, SchemaRegistryClient registry, String topic, Schema schema,
                        long from, long to) {
        ConfluentAvroSerializer serializer = ConfluentAvroSerializer.builder(registry).build();
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        for (long id = from; id < to; id++) {
            records.add(new ProducerRecord<>(topic, Long.toString(id).getBytes(StandardCharsets.UTF_8),
                    serializer.serialize(topic, RecordPart.VALUE, order(schema, id))));
            if (records.size() == 10_000) {
                KafkaTestClients.produceAll(kafka, records);
                records.clear();
            }
        }
        KafkaTestClients.produceAll(kafka, records);
    }

    /** How many times each order id is in the table, read by Delta Kernel. */
    static Map<Long, Integer> idCounts(String tableLocation) {
        Map<Long, Integer> counts = new HashMap<>();
        for (Map<String, Object> row : KernelReader.read(tableLocation).rows()) {
            counts.merge((Long) row.get("order_id"), 1, Integer::sum);
        }
        return counts;
    }
}
