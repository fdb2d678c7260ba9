package dev.lakehouse.table;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Adding nullable columns (top level and nested): old files read as null in the new columns. */
class SchemaEvolutionIT {

    private static final Schema V1 = SchemaBuilder.record("Order").fields()
            .requiredLong("id")
            .name("customer").type(SchemaBuilder.record("Customer").fields().requiredString("email").endRecord()).noDefault()
            .endRecord();
    private static final Schema V2 = SchemaBuilder.record("Order").fields()
            .requiredLong("id")
            .name("customer").type(SchemaBuilder.record("Customer").fields().requiredString("email")
                    .optionalString("phone").endRecord()).noDefault()
            .optionalString("coupon")
            .endRecord();

    private static GenericRecord order(Schema table, long id, boolean v2) {
        GenericRecord r = new GenericData.Record(table);
        r.put("id", id);
        Schema customerSchema = TableSchemas.nonNullBranches(table.getField("customer").schema()).get(0);
        GenericRecord customer = new GenericData.Record(customerSchema);
        customer.put("email", "c" + id);
        if (v2) {
            customer.put("phone", "+49-" + id);
            r.put("coupon", "SAVE" + id);
        }
        r.put("customer", customer);
        return r;
    }

    @Test
    void oldRowsReadAsNullInNewColumns(@TempDir Path dir) {
        LakeTable table = LakeTable.open(TestTables.options(dir).build());
        Schema s1 = table.createIfAbsent(V1).avroSchema();
        table.commit(new BatchCommit("p", "i", 0, TestTables.write(table, List.of(order(s1, 1, false), order(s1, 2, false))),
                List.of(), Map.of()));

        TableSnapshot evolved = table.evolveSchema(V2);
        assertThat(table.history(1).get(0).operation()).isEqualTo("ADD COLUMNS");
        assertThat(table.history(1).get(0).parameters().get("columns")).contains("customer.phone", "coupon");
        Schema s2 = evolved.avroSchema();
        table.commit(new BatchCommit("p", "i", 1, TestTables.write(table, List.of(order(s2, 3, true))), List.of(), Map.of()));

        // Evolving again with the same writer schema changes nothing.
        long version = table.snapshot().version();
        assertThat(table.evolveSchema(V2).version()).isEqualTo(version);

        KernelReader.Result result = KernelReader.read(dir.toString());
        assertThat(result.schema().fieldNames()).containsExactly("id", "customer", "coupon");
        assertThat(result.rows()).hasSize(3);
        for (Map<String, Object> row : result.rows()) {
            Map<?, ?> customer = (Map<?, ?>) row.get("customer");
            if ((Long) row.get("id") == 3L) {
                assertThat(row.get("coupon")).isEqualTo("SAVE3");
                assertThat(customer.get("phone")).isEqualTo("+49-3");
            } else {
                assertThat(row.get("coupon")).isNull();
                assertThat(customer.get("phone")).isNull();
                assertThat(customer.get("email")).isEqualTo("c" + row.get("id"));
            }
        }
    }
}
