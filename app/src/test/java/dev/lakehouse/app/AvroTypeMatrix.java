package dev.lakehouse.app;

import dev.lakehouse.app.config.ApplianceYaml;
import dev.lakehouse.registry.client.SchemaRegistryClient;
import dev.lakehouse.registry.serde.ConfluentAvroSerializer;
import dev.lakehouse.registry.serde.RecordPart;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.assertj.core.api.SoftAssertions;

/**
 * Avro values of every type the product maps (decimals of every width as bytes and as fixed, timestamps in
 * milliseconds and microseconds, dates, enums, fixed and bytes, UUIDs, long strings, arrays of records, maps, nested
 * nullable records, a multi-type union), framed by the project's Confluent serializer. (Spark failed every query
 * touching a decimal column when decimals were stored as {@code BINARY}.)
 */
final class AvroTypeMatrix implements TypeMatrixTable {

    static final long BASE_MILLIS = ProtobufTypeMatrix.BASE_MILLIS;

    private static final Schema ORDER = new Schema.Parser().parse("""
            {"type": "record", "name": "Order", "namespace": "interop", "fields": [
              {"name": "order_id", "type": "long"},
              {"name": "quantity", "type": "int"},
              {"name": "ratio", "type": ["null", "float"], "default": null},
              {"name": "price", "type": "double"},
              {"name": "paid", "type": "boolean"},
              {"name": "note", "type": ["null", "string"], "default": null},
              {"name": "payload", "type": "bytes"},
              {"name": "tag8", "type": {"type": "fixed", "name": "Tag8", "size": 8}},
              {"name": "status", "type": {"type": "enum", "name": "Status", "symbols": ["PLACED", "PAID", "SHIPPED"]}},
              {"name": "small", "type": {"type": "bytes", "logicalType": "decimal", "precision": 5, "scale": 2}},
              {"name": "amount", "type": {"type": "bytes", "logicalType": "decimal", "precision": 12, "scale": 3}},
              {"name": "wide", "type": {"type": "bytes", "logicalType": "decimal", "precision": 25, "scale": 5}},
              {"name": "fixed_amount", "type": {"type": "fixed", "name": "Amount16", "size": 16,
                "logicalType": "decimal", "precision": 30, "scale": 2}},
              {"name": "created_at", "type": {"type": "long", "logicalType": "timestamp-millis"}},
              {"name": "shipped_at", "type": ["null", {"type": "long", "logicalType": "timestamp-micros"}],
               "default": null},
              {"name": "day", "type": {"type": "int", "logicalType": "date"}},
              {"name": "uid", "type": {"type": "string", "logicalType": "uuid"}},
              {"name": "tags", "type": {"type": "array", "items": "string"}},
              {"name": "lines", "type": {"type": "array", "items": {"type": "record", "name": "Line", "fields": [
                {"name": "sku", "type": "string"},
                {"name": "price", "type": {"type": "bytes", "logicalType": "decimal", "precision": 9, "scale": 2}}
              ]}}},
              {"name": "attrs", "type": {"type": "map", "values": "long"}},
              {"name": "address", "type": ["null", {"type": "record", "name": "Address", "fields": [
                {"name": "city", "type": "string"}, {"name": "zip", "type": ["null", "int"], "default": null}]}],
               "default": null},
              {"name": "choice", "type": ["null", "int", "string"], "default": null}
            ]}""");

    private ConfluentAvroSerializer serializer;

    @Override
    public String format() {
        return "avro";
    }

    @Override
    public void configure(ApplianceYaml.Pipeline pipeline) {
        // The shipped layout: day partitions, compaction unsorted.
    }

    @Override
    public String idColumn() {
        return "order_id";
    }

    @Override
    public byte[] value(SchemaRegistryClient registry, String topic, int i) {
        if (serializer == null) {
            serializer = ConfluentAvroSerializer.builder(registry).build();
        }
        return serializer.serialize(topic, RecordPart.VALUE, order(i));
    }

    // ---- the values of record i ---------------------------------------------------------------------------------

    private static BigDecimal small(int i) {
        return BigDecimal.valueOf(i % 1_000 - 500, 2); // -5.00 .. 4.99
    }

    private static BigDecimal amount(int i) {
        return BigDecimal.valueOf(i * 7_777_777L - 9_999_999_999L, 3);
    }

    private static BigDecimal wide(int i) {
        return new BigDecimal("12345678901234567890").multiply(BigDecimal.valueOf(i % 2 == 0 ? 1 : -1))
                .add(BigDecimal.valueOf(i)).movePointLeft(5);
    }

    private static BigDecimal fixedAmount(int i) {
        return new BigDecimal("1234567890123456789012345678").add(BigDecimal.valueOf(i)).movePointLeft(2);
    }

    private static BigDecimal linePrice(int i, int line) {
        return BigDecimal.valueOf(i * 100L + line, 2);
    }

    private static String note(int i) {
        return i % 5 == 0 ? null : i % 97 == 0 ? "n".repeat(20_000) : "note " + i;
    }

    static GenericRecord order(int i) {
        GenericRecord r = new GenericData.Record(ORDER);
        r.put("order_id", (long) i);
        r.put("quantity", i % 13);
        r.put("ratio", i % 3 == 0 ? null : (float) (i % 10) / 4f);
        r.put("price", i * 0.5);
        r.put("paid", i % 2 == 0);
        r.put("note", note(i));
        r.put("payload", ByteBuffer.wrap(("payload-" + i).getBytes(StandardCharsets.UTF_8)));
        r.put("tag8", new GenericData.Fixed(ORDER.getField("tag8").schema(),
                ByteBuffer.allocate(8).putLong(i * 31L).array()));
        r.put("status", new GenericData.EnumSymbol(ORDER.getField("status").schema(),
                List.of("PLACED", "PAID", "SHIPPED").get(i % 3)));
        r.put("small", unscaled(small(i)));
        r.put("amount", unscaled(amount(i)));
        r.put("wide", unscaled(wide(i)));
        byte[] fixed = new byte[16];
        byte[] bytes = fixedAmount(i).unscaledValue().toByteArray();
        System.arraycopy(bytes, 0, fixed, 16 - bytes.length, bytes.length);
        r.put("fixed_amount", new GenericData.Fixed(ORDER.getField("fixed_amount").schema(), fixed));
        r.put("created_at", BASE_MILLIS + i * 11_001L);
        r.put("shipped_at", i % 4 == 0 ? null : (BASE_MILLIS + i * 11_001L) * 1_000L + 123);
        r.put("day", 20_000 + i % 7);
        r.put("uid", new UUID(7, i).toString());
        r.put("tags", List.of("t" + i % 4, "all").subList(0, 1 + i % 2));
        Schema line = ORDER.getField("lines").schema().getElementType();
        List<GenericRecord> lines = new ArrayList<>();
        for (int l = 0; l < i % 3; l++) {
            GenericRecord item = new GenericData.Record(line);
            item.put("sku", "sku-" + l);
            item.put("price", unscaled(linePrice(i, l)));
            lines.add(item);
        }
        r.put("lines", lines);
        r.put("attrs", Map.of("k", (long) i));
        Schema address = ORDER.getField("address").schema().getTypes().get(1);
        GenericRecord a = new GenericData.Record(address);
        a.put("city", "city " + i % 9);
        a.put("zip", i % 2 == 0 ? null : i);
        r.put("address", i % 6 == 0 ? null : a);
        r.put("choice", i % 3 == 0 ? null : i % 3 == 1 ? (Object) i : "s" + i);
        return r;
    }

    private static ByteBuffer unscaled(BigDecimal value) {
        return ByteBuffer.wrap(value.unscaledValue().toByteArray());
    }

    // ---- what the engines must compute --------------------------------------------------------------------------

    @Override
    public List<EngineAggregate> aggregates(int records) {
        long quantity = 0, paid = 0, noteChars = 0, payloadBytes = 0, statusPaid = 0, tagCount = 0, attrsK = 0;
        long addresses = 0, zips = 0, choiceInts = 0, choiceStrings = 0;
        double ratio = 0, price = 0;
        BigDecimal small = BigDecimal.ZERO, amount = BigDecimal.ZERO, wide = BigDecimal.ZERO;
        BigDecimal fixedAmount = BigDecimal.ZERO, shippedMicros = BigDecimal.ZERO, linePrices = BigDecimal.ZERO;
        for (int i = 0; i < records; i++) {
            quantity += i % 13;
            ratio += i % 3 == 0 ? 0 : (float) (i % 10) / 4f;
            price += i * 0.5;
            paid += i % 2 == 0 ? 1 : 0;
            noteChars += note(i) == null ? 0 : note(i).length();
            payloadBytes += ("payload-" + i).length();
            statusPaid += i % 3 == 1 ? 1 : 0;
            small = small.add(small(i));
            amount = amount.add(amount(i));
            wide = wide.add(wide(i));
            fixedAmount = fixedAmount.add(fixedAmount(i));
            if (i % 4 != 0) {
                shippedMicros = shippedMicros.add(BigDecimal.valueOf((BASE_MILLIS + i * 11_001L) * 1_000L + 123));
            }
            tagCount += 1 + i % 2;
            for (int l = 0; l < i % 3; l++) {
                linePrices = linePrices.add(linePrice(i, l));
            }
            attrsK += i;
            addresses += i % 6 != 0 ? 1 : 0;
            zips += i % 6 != 0 && i % 2 == 1 ? i : 0;
            choiceInts += i % 3 == 1 ? 1 : 0;
            choiceStrings += i % 3 == 2 ? 1 : 0;
        }
        return new EngineAggregate.Builder("a_")
                .add("n", "count(*)", (long) records)
                .add("ids", "count(DISTINCT order_id)", (long) records)
                .add("quantity", "sum(quantity)", quantity)
                .add("ratio", "sum(CAST(ratio AS DOUBLE))", ratio).add("price", "sum(price)", price)
                .add("paid", "count_if(paid)", paid).add("note_chars", "sum(length(note))", noteChars)
                .add("payload_bytes", "sum(length(payload))", "sum(octet_length(payload))", payloadBytes)
                .add("tags8", "count(DISTINCT hex(tag8))", (long) records)
                .add("status_paid", "count_if(status = 'PAID')", statusPaid)
                .add("small", "sum(small)", small).add("amount", "sum(amount)", amount).add("wide", "sum(wide)", wide)
                .add("fixed_amount", "sum(fixed_amount)", fixedAmount)
                .add("first_created", "min(unix_millis(created_at))", "min(epoch_ms(created_at))", BASE_MILLIS)
                .add("last_created", "max(unix_millis(created_at))", "max(epoch_ms(created_at))",
                        BASE_MILLIS + (records - 1) * 11_001L)
                .add("shipped_micros", "sum(unix_micros(shipped_at))", "sum(epoch_us(shipped_at))", shippedMicros)
                .add("first_day", "min(unix_date(day))", "min(day - DATE '1970-01-01')", 20_000L)
                .add("last_day", "max(unix_date(day))", "max(day - DATE '1970-01-01')", 20_006L)
                .add("uids", "count(DISTINCT uid)", (long) records)
                .add("tag_count", "sum(size(tags))", "sum(len(tags))", tagCount)
                .add("line_prices", "sum(aggregate(lines, CAST(0 AS DECIMAL(20,2)), "
                        + "(acc, l) -> CAST(acc + l.price AS DECIMAL(20,2))))",
                        "sum(list_sum(list_transform(lines, lambda l: l.price)))", linePrices)
                .add("attrs_k", "sum(attrs['k'])", attrsK)
                .add("addresses", "count(address)", addresses).add("zips", "sum(address.zip)", zips)
                .add("choice_ints", "count(choice.member0)", choiceInts)
                .add("choice_strings", "count(choice.member1)", choiceStrings)
                .build();
    }

    @Override
    public void assertKernelRow(int i, Map<String, Object> row, SoftAssertions soft) {
        String what = "avro row " + i + " ";
        soft.assertThat(row.get("small")).as(what + "small").isEqualTo(small(i));
        soft.assertThat(row.get("amount")).as(what + "amount").isEqualTo(amount(i));
        soft.assertThat(row.get("wide")).as(what + "wide").isEqualTo(wide(i));
        soft.assertThat(row.get("fixed_amount")).as(what + "fixed_amount").isEqualTo(fixedAmount(i));
        soft.assertThat(row.get("created_at")).as(what + "created_at").isEqualTo((BASE_MILLIS + i * 11_001L) * 1_000L);
        soft.assertThat(row.get("shipped_at")).as(what + "shipped_at")
                .isEqualTo(i % 4 == 0 ? null : (BASE_MILLIS + i * 11_001L) * 1_000L + 123);
        soft.assertThat(row.get("day")).as(what + "day").isEqualTo(20_000 + i % 7);
        soft.assertThat(row.get("status")).as(what + "status").isEqualTo(List.of("PLACED", "PAID", "SHIPPED").get(i % 3));
        soft.assertThat(row.get("uid")).as(what + "uid").isEqualTo(new UUID(7, i).toString());
        soft.assertThat(row.get("note")).as(what + "note").isEqualTo(note(i));
    }
}
