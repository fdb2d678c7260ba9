package dev.lakehouse.table.delta;

import dev.lakehouse.table.SchemaMappingException;
import dev.lakehouse.table.TableSchemas;
import dev.lakehouse.table.TestTables;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.delta.standalone.types.StructType;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.junit.jupiter.api.Test;

class AvroToDeltaTest {

    @Test
    void mapsEveryKindOfField() {
        StructType delta = AvroToDelta.toStructType(TableSchemas.normalize(TestTables.eventSchema()));
        assertThat(delta.getTypeName()).isEqualTo("struct");
        String ddl = delta.getTreeString();
        assertThat(ddl)
                .contains("-- id: long (nullable = true)")
                .contains("-- name: string")
                .contains("-- qty: integer")
                .contains("-- price: double")
                .contains("-- ratio: float")
                .contains("-- active: boolean")
                .contains("-- created_at: timestamp")
                .contains("-- day: date")
                .contains("-- amount: decimal")
                .contains("-- status: string")
                .contains("-- tags: array")
                .contains("-- attrs: map")
                .contains("-- customer: struct")
                .contains("-- email: string")
                .contains("-- choice: struct")
                .contains("-- member0: integer")
                .contains("-- member1: string")
                .contains("-- payload: binary")
                .contains("-- uid: string");
        assertThat(delta.toJson()).contains("\"name\":\"amount\",\"type\":\"decimal(10,2)\"");
    }

    @Test
    void timeAndLocalTimestampTypesStayNumbers() {
        Schema schema = SchemaBuilder.record("T").fields()
                .name("t").type(LogicalTypes.timeMillis().addToSchema(Schema.create(Schema.Type.INT))).noDefault()
                .name("lt").type(LogicalTypes.localTimestampMillis().addToSchema(Schema.create(Schema.Type.LONG))).noDefault()
                .name("f").type().fixed("F").size(4).noDefault()
                .endRecord();
        String tree = AvroToDelta.toStructType(schema).getTreeString();
        assertThat(tree).contains("-- t: integer", "-- lt: long", "-- f: binary");
    }

    @Test
    void refusesRecursiveRecordsNamingThePath() {
        Schema node = new Schema.Parser().parse("{\"type\":\"record\",\"name\":\"Node\",\"fields\":["
                + "{\"name\":\"value\",\"type\":\"int\"},"
                + "{\"name\":\"child\",\"type\":[\"null\",\"Node\"],\"default\":null}]}");
        assertThatThrownBy(() -> AvroToDelta.toStructType(node))
                .isInstanceOfSatisfying(SchemaMappingException.class, e -> assertThat(e.fieldPath()).isEqualTo("child"))
                .hasMessageContaining("recursive");
    }

    @Test
    void refusesNullFieldsEmptyRecordsAndHugeDecimals() {
        Schema nullField = SchemaBuilder.record("T").fields().name("nothing").type().nullType().noDefault().endRecord();
        assertThatThrownBy(() -> AvroToDelta.toStructType(nullField)).hasMessageContaining("'nothing'");
        Schema wide = SchemaBuilder.record("T").fields().name("money")
                .type(LogicalTypes.decimal(40, 2).addToSchema(Schema.create(Schema.Type.BYTES))).noDefault().endRecord();
        assertThatThrownBy(() -> AvroToDelta.toStructType(wide)).hasMessageContaining("'money'").hasMessageContaining("38");
        Schema empty = SchemaBuilder.record("T").fields()
                .name("inner").type(SchemaBuilder.record("Empty").fields().endRecord()).noDefault().endRecord();
        assertThatThrownBy(() -> AvroToDelta.toStructType(empty)).hasMessageContaining("'inner'");
    }
}
