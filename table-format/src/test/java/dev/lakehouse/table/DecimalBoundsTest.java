package dev.lakehouse.table;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;

class DecimalBoundsTest {

    private static final Schema PRICE = LogicalTypes.decimal(5, 2).addToSchema(Schema.create(Schema.Type.BYTES));
    private static final Schema LINE = SchemaBuilder.record("Line").fields()
            .name("price").type(PRICE).noDefault().endRecord();
    private static final Schema ORDER = SchemaBuilder.record("Order").fields()
            .requiredLong("id")
            .name("total").type(SchemaBuilder.unionOf().nullType().and().type(PRICE).endUnion()).withDefault(null)
            .name("lines").type().array().items(LINE).noDefault()
            .name("fees").type().map().values(PRICE).noDefault()
            .endRecord();

    @Test
    void everyDecimalWithinItsPrecisionPassesAtEveryDepth() {
        assertThat(new DecimalBounds().hasDecimals(ORDER)).isTrue();
        assertThat(new DecimalBounds().hasDecimals(LINE.getField("price").schema())).isTrue();
        assertThat(new DecimalBounds().firstOutOfRange(order("999.99", "-999.99", "0.01"))).isNull();
        assertThat(new DecimalBounds().firstOutOfRange(order(null, "1.00", "2.00"))).isNull();
    }

    @Test
    void aValueWithMoreDigitsIsNamedByItsPath() {
        assertThat(new DecimalBounds().firstOutOfRange(order("1000.00", "1.00", "1.00"))).startsWith("total (decimal(5,2)");
        assertThat(new DecimalBounds().firstOutOfRange(order("1.00", "-1000.00", "1.00"))).startsWith("lines[0].price");
        assertThat(new DecimalBounds().firstOutOfRange(order("1.00", "1.00", "12345.67"))).startsWith("fees[card]");
    }

    @Test
    void aSchemaWithoutDecimalsHasNone() {
        assertThat(new DecimalBounds().hasDecimals(SchemaBuilder.record("Plain").fields().requiredLong("id")
                .optionalString("name").endRecord())).isFalse();
    }

    private static GenericRecord order(String total, String linePrice, String fee) {
        GenericRecord line = new GenericData.Record(LINE);
        line.put("price", bytes(linePrice));
        GenericRecord order = new GenericData.Record(ORDER);
        order.put("id", 1L);
        order.put("total", total == null ? null : bytes(total));
        order.put("lines", List.of(line));
        order.put("fees", Map.of("card", bytes(fee)));
        return order;
    }

    private static ByteBuffer bytes(String value) {
        return ByteBuffer.wrap(new BigDecimal(value).unscaledValue().toByteArray());
    }
}
