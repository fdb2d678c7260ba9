package dev.lakehouse.table;

import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;

/** Schemas, records and helpers shared by the table tests. */
public final class TestTables {

    static final long BASE_MILLIS = 1_763_700_000_000L; // 2025-11-21T04:40:00Z

    private TestTables() {
    }

    public static Schema eventSchema() {
        Schema ts = LogicalTypes.timestampMillis().addToSchema(Schema.create(Schema.Type.LONG));
        Schema date = LogicalTypes.date().addToSchema(Schema.create(Schema.Type.INT));
        Schema decimal = LogicalTypes.decimal(10, 2).addToSchema(Schema.create(Schema.Type.BYTES));
        Schema uuid = LogicalTypes.uuid().addToSchema(Schema.create(Schema.Type.STRING));
        Schema customer = SchemaBuilder.record("Customer").namespace("test").fields()
                .requiredString("email").optionalInt("tier").endRecord();
        return SchemaBuilder.record("Event").namespace("test").fields()
                .requiredLong("id")
                .requiredString("name")
                .requiredInt("qty")
                .requiredDouble("price")
                .optionalFloat("ratio")
                .requiredBoolean("active")
                .name("created_at").type(ts).noDefault()
                .name("day").type(date).noDefault()
                .name("amount").type(decimal).noDefault()
                .name("status").type().enumeration("Status").namespace("test").symbols("NEW", "PAID").noDefault()
                .name("tags").type().array().items().stringType().noDefault()
                .name("attrs").type().map().values().longType().noDefault()
                .name("customer").type(customer).noDefault()
                .name("choice").type().unionOf().nullType().and().intType().and().stringType().endUnion().nullDefault()
                .requiredBytes("payload")
                .name("uid").type(uuid).noDefault()
                .optionalString("note")
                .endRecord();
    }

    /** A record of the (normalized) table schema {@code schema}, deterministic in {@code id}. */
    static GenericRecord event(Schema schema, long id) {
        GenericRecord r = new GenericData.Record(schema);
        r.put("id", id);
        r.put("name", "event-" + id);
        r.put("qty", (int) (id % 7));
        r.put("price", id * 0.25);
        r.put("ratio", id % 5 == 0 ? null : (float) (id % 100) / 10f);
        r.put("active", id % 2 == 0);
        r.put("created_at", BASE_MILLIS + id * 60_000L);
        r.put("day", (int) (20_000 + id % 3));
        r.put("amount", ByteBuffer.wrap(new BigDecimal(id).movePointLeft(2).unscaledValue().toByteArray()));
        Schema statusSchema = TableSchemas.nonNullBranches(schema.getField("status").schema()).get(0);
        r.put("status", new GenericData.EnumSymbol(statusSchema, id % 3 == 0 ? "PAID" : "NEW"));
        r.put("tags", List.of("t" + (id % 4), "all"));
        r.put("attrs", Map.of("k", id));
        Schema customerSchema = TableSchemas.nonNullBranches(schema.getField("customer").schema()).get(0);
        GenericRecord customer = new GenericData.Record(customerSchema);
        customer.put("email", "c" + id + "@example.com");
        customer.put("tier", id % 4 == 0 ? null : (int) (id % 4));
        r.put("customer", customer);
        r.put("choice", id % 3 == 0 ? null : id % 3 == 1 ? (Object) (int) id : "s" + id);
        r.put("payload", ByteBuffer.wrap(("p" + id).getBytes(StandardCharsets.UTF_8)));
        r.put("uid", new UUID(0, id).toString());
        r.put("note", id % 10 == 0 ? "note " + id : null);
        return r;
    }

    public static List<GenericRecord> events(Schema schema, long from, long to) {
        List<GenericRecord> list = new ArrayList<>();
        for (long id = from; id < to; id++) {
            list.add(event(schema, id));
        }
        return list;
    }

    public static List<DataFile> write(LakeTable table, List<GenericRecord> records) {
        try (DataFileWriter writer = table.newDataFileWriter()) {
            records.forEach(writer::write);
            return writer.finish();
        }
    }

    public static TableOptions.Builder options(Path dir) {
        return TableOptions.builder(dir.toUri().toString());
    }
}
