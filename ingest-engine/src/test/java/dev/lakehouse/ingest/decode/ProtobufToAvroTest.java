package dev.lakehouse.ingest.decode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.Int64Value;
import com.google.protobuf.Timestamp;
import dev.lakehouse.registry.serde.ConfluentProtobufFormat;
import dev.lakehouse.registry.serde.ProtobufSchemas;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;

/** .proto text as descriptors, message types as columns, and messages as rows, with the wire format's indexes. */
class ProtobufToAvroTest {

    static final String ORDERS = """
            syntax = "proto3";
            package shop;
            import "google/protobuf/timestamp.proto";
            import "google/protobuf/wrappers.proto";

            message Order {
              int64 order_id = 1;
              Customer customer = 2;
              double amount = 3;
              google.protobuf.Timestamp created_at = 4;
              repeated string tags = 5;
              Status status = 6;
              map<string, int32> item_counts = 7;
              google.protobuf.Int64Value loyalty_points = 8;
              optional string coupon = 9;
              oneof payment {
                string card = 10;
                string voucher = 11;
              }
              uint32 units = 12;
              bytes signature = 13;
              map<int32, string> by_number = 14;

              message Customer {
                string id = 1;
                bool vip = 2;
              }
            }

            enum Status {
              NEW = 0;
              PAID = 1;
            }

            message Refund {
              int64 order_id = 1;
            }
            """;

    private static Schema column(Schema record, String name) {
        return record.getField(name).schema().getTypes().get(1);
    }

    @Test
    void everyKindOfFieldHasAColumnAndAMessageBecomesARow() {
        FileDescriptor file = ProtobufSchemas.descriptor("orders.proto", ORDERS, name -> null);
        Descriptor order = file.findMessageTypeByName("Order");
        Schema schema = ProtobufToAvro.recordSchema(order);

        assertThat(schema.getFields()).extracting(Schema.Field::name).containsExactly("order_id", "customer",
                "amount", "created_at", "tags", "status", "item_counts", "loyalty_points", "coupon", "card",
                "voucher", "units", "signature", "by_number");
        assertThat(column(schema, "order_id").getType()).isEqualTo(Schema.Type.LONG);
        assertThat(column(schema, "customer").getType()).isEqualTo(Schema.Type.RECORD);
        assertThat(column(schema, "created_at").getLogicalType()).isEqualTo(LogicalTypes.timestampMicros());
        assertThat(column(schema, "tags").getType()).isEqualTo(Schema.Type.ARRAY);
        assertThat(column(schema, "status").getType()).isEqualTo(Schema.Type.STRING);
        assertThat(column(schema, "item_counts").getType()).isEqualTo(Schema.Type.MAP);
        assertThat(column(schema, "loyalty_points").getType()).isEqualTo(Schema.Type.LONG);
        assertThat(column(schema, "units").getType()).isEqualTo(Schema.Type.LONG);
        assertThat(column(schema, "by_number").getType()).as("a map without string keys").isEqualTo(Schema.Type.ARRAY);

        Descriptor customer = order.findNestedTypeByName("Customer");
        DynamicMessage message = DynamicMessage.newBuilder(order)
                .setField(order.findFieldByName("order_id"), 7L)
                .setField(order.findFieldByName("customer"), DynamicMessage.newBuilder(customer)
                        .setField(customer.findFieldByName("id"), "c7").build())
                .setField(order.findFieldByName("amount"), 10.5)
                .setField(order.findFieldByName("created_at"), Timestamp.newBuilder().setSeconds(1_767_225_600L)
                        .setNanos(123_456_000).build())
                .addRepeatedField(order.findFieldByName("tags"), "gift")
                .setField(order.findFieldByName("status"), file.findEnumTypeByName("Status").findValueByName("PAID"))
                .addRepeatedField(order.findFieldByName("item_counts"), entry(order, "item_counts", "SKU-1", 3))
                .setField(order.findFieldByName("loyalty_points"), Int64Value.of(42))
                .setField(order.findFieldByName("voucher"), "V-1")
                .setField(order.findFieldByName("units"), -1)
                .setField(order.findFieldByName("signature"), ByteString.copyFromUtf8("sig"))
                .build();

        GenericRecord row = ProtobufToAvro.record(message, schema);
        assertThat(row.get("order_id")).isEqualTo(7L);
        assertThat(((GenericRecord) row.get("customer")).get("id")).isEqualTo("c7");
        assertThat(((GenericRecord) row.get("customer")).get("vip")).as("a proto3 scalar has its default")
                .isEqualTo(false);
        assertThat(row.get("created_at")).isEqualTo(1_767_225_600_123_456L);
        assertThat(row.get("tags")).asList().containsExactly("gift");
        assertThat(row.get("status")).isEqualTo("PAID");
        assertThat(row.get("item_counts")).isEqualTo(Map.of("SKU-1", 3));
        assertThat(row.get("loyalty_points")).isEqualTo(42L);
        assertThat(row.get("coupon")).as("optional, not set").isNull();
        assertThat(row.get("card")).as("the other oneof member").isNull();
        assertThat(row.get("voucher")).isEqualTo("V-1");
        assertThat(row.get("units")).as("uint32 read unsigned").isEqualTo(4_294_967_295L);
        assertThat(row.get("signature")).isEqualTo(ByteBuffer.wrap("sig".getBytes()));
    }

    private static DynamicMessage entry(Descriptor message, String field, Object key, Object value) {
        Descriptor entry = message.findFieldByName(field).getMessageType();
        return DynamicMessage.newBuilder(entry).setField(entry.findFieldByNumber(1), key)
                .setField(entry.findFieldByNumber(2), value).build();
    }

    @Test
    void aMapRenderedAsItsEntryMessageIsAMapAndJsonNamesAndLeadingDotTypeNamesAreKept() {
        // How registries rendered map fields for years: the entry message written out with option map_entry.
        String rendered = """
                syntax = "proto3";
                package shop;
                message Order {
                  int64 id = 1;
                  repeated AttributesEntry attributes = 10;
                  .shop.Money total = 11 [json_name = "grandTotal"];
                  message AttributesEntry {
                    option map_entry = true;
                    string key = 1;
                    string value = 2;
                  }
                }
                message Money {
                  int64 cents = 1;
                }
                """;
        FileDescriptor file = ProtobufSchemas.descriptor("order.proto", rendered, name -> null);
        Descriptor order = file.findMessageTypeByName("Order");
        assertThat(order.findFieldByName("attributes").isMapField()).isTrue();
        assertThat(order.findFieldByName("total").getJsonName()).isEqualTo("grandTotal");
        Schema schema = ProtobufToAvro.recordSchema(order);
        // Before, the option was dropped and the column became an array of key/value records.
        assertThat(column(schema, "attributes").getType()).isEqualTo(Schema.Type.MAP);
        String written = "syntax = \"proto3\";\npackage shop;\n"
                + "message Order { int64 id = 1; map<string, string> attributes = 10; }\n";
        Schema asWritten = ProtobufToAvro.recordSchema(ProtobufSchemas.descriptor("order.proto", written,
                name -> null).findMessageTypeByName("Order"));
        assertThat(column(schema, "attributes")).as("the same column as map<string, string> gets")
                .isEqualTo(column(asWritten, "attributes"));
        assertThat(column(schema, "total").getField("cents")).isNotNull();
    }

    @Test
    void messageIndexesNameTheMessageAndRoundTrip() {
        FileDescriptor file = ProtobufSchemas.descriptor("orders.proto", ORDERS, name -> null);
        Descriptor refund = file.findMessageTypeByName("Refund");
        Descriptor customer = file.findMessageTypeByName("Order").findNestedTypeByName("Customer");

        for (Descriptor type : List.of(file.findMessageTypeByName("Order"), refund, customer)) {
            byte[] framed = ConfluentProtobufFormat.frame(9, ConfluentProtobufFormat.indexes(type), new byte[] {1});
            ConfluentProtobufFormat.Header header = ConfluentProtobufFormat.header(framed);
            assertThat(ConfluentProtobufFormat.message(file, header.messageIndexes())).isEqualTo(type);
            assertThat(framed[header.messageOffset()]).isEqualTo((byte) 1);
        }
        assertThat(ConfluentProtobufFormat.frame(9, new int[] {0}, new byte[0])).as("[0] is the single byte 0")
                .hasSize(6);
        assertThatThrownBy(() -> ConfluentProtobufFormat.message(file, new int[] {5}))
                .hasMessageContaining("no message at index path [5]");
    }

    @Test
    void importsResolveThroughTheCallerAndUnknownOnesAreNamed() {
        String common = "syntax = \"proto3\";\npackage common;\nmessage Money { int64 cents = 1; string currency = 2; }\n";
        FileDescriptor money = ProtobufSchemas.descriptor("common/money.proto", common, name -> null);
        String invoice = "syntax = \"proto3\";\nimport \"common/money.proto\";\n"
                + "message Invoice { common.Money total = 1; }\n";

        FileDescriptor file = ProtobufSchemas.descriptor("invoice.proto", invoice,
                name -> name.equals("common/money.proto") ? money : null);
        Schema schema = ProtobufToAvro.recordSchema(file.findMessageTypeByName("Invoice"));
        assertThat(column(schema, "total").getField("cents")).isNotNull();

        assertThatThrownBy(() -> ProtobufSchemas.descriptor("invoice.proto", invoice, name -> null))
                .hasMessageContaining("imports common/money.proto");
        assertThatThrownBy(() -> ProtobufSchemas.descriptor("bad.proto", "message {", name -> null))
                .hasMessageContaining("does not parse");
    }
}
