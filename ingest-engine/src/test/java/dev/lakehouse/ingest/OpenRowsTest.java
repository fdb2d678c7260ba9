package dev.lakehouse.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;

/** What a batch's rows are charged against the hand-off's budget: decoded sizes for a keyed table's held rows. */
class OpenRowsTest {

    private static final Schema ORDER = new Schema.Parser().parse("""
            {"type": "record", "name": "Order", "fields": [
              {"name": "order_id", "type": "long"}, {"name": "customer", "type": "string"},
              {"name": "amount", "type": "double"}, {"name": "tags", "type": {"type": "array", "items": "string"}},
              {"name": "attributes", "type": {"type": "map", "values": "string"}}]}""");

    private static GenericRecord order() {
        GenericRecord order = new GenericData.Record(ORDER);
        order.put("order_id", 42L);
        order.put("customer", "cust-1001");
        order.put("amount", 12.5);
        order.put("tags", new GenericData.Array<>(ORDER.getField("tags").schema(), List.of("a", "b")));
        order.put("attributes", Map.of("channel", "web"));
        return order;
    }

    @Test
    void aKeyedTablesRowsAreChargedTheirDecodedSizeAndOthersTheirSerializedOne() {
        long serialized = 40; // about what Avro's binary encoding of this order takes
        OpenRows keyed = new OpenRows(true);
        keyed.addRow(ORDER, order(), serialized);
        long decoded = RowHeapSize.of(order());
        assertThat(decoded).as("a decoded order takes several times its serialized bytes").isGreaterThan(5 * serialized);
        assertThat(keyed.batchBytes()).isEqualTo(decoded);
        assertThat(keyed.takeChunk().bytes()).as("the chunk handed to the writer carries the same charge")
                .isEqualTo(decoded);
        keyed.sealed();
        assertThat(keyed.batchBytes()).as("the next batch starts at zero").isZero();

        OpenRows append = new OpenRows(false);
        append.addRow(ORDER, order(), serialized);
        assertThat(append.batchBytes()).isEqualTo(serialized);
    }
}
