package dev.lakehouse.ingest.decode;

import dev.lakehouse.ingest.JsonSchemaIngestIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;

/** JSON Schema documents as table columns, and JSON values as rows of them. */
class JsonSchemaToAvroTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private static Schema columns(String jsonSchema) throws Exception {
        return JsonSchemaToAvro.recordSchema(MAPPER.readTree(jsonSchema), "Value");
    }

    /** The non-null branch of a nullable column. */
    private static Schema column(Schema record, String path) {
        Schema current = record;
        for (String name : path.split("\\.")) {
            current = current.getField(name).schema().getTypes().get(1);
        }
        return current;
    }

    @Test
    void typesFormatsNestingAndReferencesBecomeNullableColumns() throws Exception {
        Schema schema = columns(JsonSchemaIngestIT.V1);

        assertThat(schema.getFields()).extracting(Schema.Field::name)
                .containsExactly("order_id", "customer", "amount", "created_at", "tags", "status", "note");
        assertThat(schema.getFields()).allSatisfy(f -> assertThat(f.schema().isNullable()).isTrue());
        assertThat(column(schema, "order_id").getType()).isEqualTo(Schema.Type.LONG);
        assertThat(column(schema, "amount").getType()).isEqualTo(Schema.Type.DOUBLE);
        assertThat(column(schema, "created_at").getLogicalType()).isEqualTo(LogicalTypes.timestampMicros());
        assertThat(column(schema, "customer").getType()).isEqualTo(Schema.Type.RECORD);
        assertThat(column(schema, "customer.vip").getType()).isEqualTo(Schema.Type.BOOLEAN);
        assertThat(column(schema, "tags").getElementType().getTypes().get(1).getType())
                .isEqualTo(Schema.Type.STRING);
        assertThat(column(schema, "status").getType()).isEqualTo(Schema.Type.STRING);
        assertThat(column(schema, "note").getType()).isEqualTo(Schema.Type.STRING);
    }

    @Test
    void mapsDatesFreeFormValuesAndRecursionHaveAColumnToo() throws Exception {
        Schema schema = columns("""
                {"type": "object", "properties": {
                  "attributes": {"type": "object", "additionalProperties": {"type": "integer"}},
                  "born": {"type": "string", "format": "date"},
                  "payload": {"type": "object"},
                  "either": {"type": ["string", "integer"]},
                  "maybe": {"oneOf": [{"type": "null"}, {"type": "number"}]},
                  "tree": {"$ref": "#/$defs/node"}},
                 "$defs": {"node": {"type": "object", "properties": {
                   "label": {"type": "string"}, "child": {"$ref": "#/$defs/node"}}}}}""");

        assertThat(column(schema, "attributes").getType()).isEqualTo(Schema.Type.MAP);
        assertThat(column(schema, "born").getLogicalType()).isEqualTo(LogicalTypes.date());
        assertThat(column(schema, "payload").getObjectProp(JsonSchemaToAvro.JSON_TEXT_PROPERTY)).isEqualTo(true);
        assertThat(column(schema, "either").getObjectProp(JsonSchemaToAvro.JSON_TEXT_PROPERTY)).isEqualTo(true);
        assertThat(column(schema, "maybe").getType()).isEqualTo(Schema.Type.DOUBLE);
        assertThat(column(schema, "tree.label").getType()).isEqualTo(Schema.Type.STRING);
        assertThat(column(schema, "tree.child").getObjectProp(JsonSchemaToAvro.JSON_TEXT_PROPERTY))
                .as("a recursive reference holds JSON text").isEqualTo(true);

        JsonNode value = MAPPER.readTree("""
                {"attributes": {"a": 1}, "born": "2000-02-29", "payload": {"x": [1, 2]}, "either": 5,
                 "maybe": null, "tree": {"label": "root", "child": {"label": "leaf"}}}""");
        GenericRecord row = JsonToAvro.record(schema, value);
        assertThat(row.get("payload")).isEqualTo("{\"x\":[1,2]}");
        assertThat(row.get("either")).isEqualTo("5");
        assertThat(row.get("born")).isEqualTo(11016);
        assertThat(row.get("maybe")).isNull();
        assertThat(((GenericRecord) row.get("tree")).get("child")).isEqualTo("{\"label\":\"leaf\"}");
    }

    @Test
    void aSchemaWithoutObjectsOrWithAPropertyNameNoColumnCanHaveIsRefusedNamingIt() {
        assertThatThrownBy(() -> columns("{\"type\": \"string\"}"))
                .hasMessageContaining("does not describe objects");
        assertThatThrownBy(() -> columns("""
                {"type": "object", "properties": {"customer": {"type": "object", "properties": {
                  "first-name": {"type": "string"}}}}}"""))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'customer.first-name' cannot be a column name");
        assertThatThrownBy(() -> columns("""
                {"type": "object", "properties": {"a": {"$ref": "other.json#/x"}}}"""))
                .hasMessageContaining("'other.json#/x', outside itself");
    }
}
