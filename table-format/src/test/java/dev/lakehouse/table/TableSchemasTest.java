package dev.lakehouse.table;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.junit.jupiter.api.Test;

class TableSchemasTest {

    private static final Schema ADDRESS_V1 = SchemaBuilder.record("Address").fields().requiredString("city").endRecord();
    private static final Schema ADDRESS_V2 = SchemaBuilder.record("Address").fields().requiredString("city")
            .optionalString("zip").endRecord();
    private static final Schema V1 = SchemaBuilder.record("Order").fields()
            .requiredLong("id").requiredInt("qty").requiredFloat("price")
            .name("address").type(ADDRESS_V1).noDefault()
            .name("state").type().enumeration("State").symbols("NEW").noDefault()
            .endRecord();

    @Test
    void normalizationMakesEveryFieldOptionalAtEveryDepth() {
        Schema table = TableSchemas.normalize(V1);
        for (Schema.Field f : table.getFields()) {
            assertThat(f.schema().getType()).isEqualTo(Schema.Type.UNION);
            assertThat(f.schema().getTypes().get(0).getType()).isEqualTo(Schema.Type.NULL);
            assertThat(f.defaultVal()).isEqualTo(org.apache.avro.JsonProperties.NULL_VALUE);
        }
        Schema address = TableSchemas.nonNullBranches(table.getField("address").schema()).get(0);
        assertThat(address.getField("city").schema().isNullable()).isTrue();
    }

    @Test
    void mergeAddsTopLevelAndNestedFieldsAndEnumSymbols() {
        Schema table = TableSchemas.normalize(V1);
        Schema writer = SchemaBuilder.record("Order").fields()
                .requiredLong("id").requiredInt("qty").requiredFloat("price")
                .name("address").type(ADDRESS_V2).noDefault()
                .name("state").type().enumeration("State").symbols("NEW", "SHIPPED").noDefault()
                .optionalString("coupon")
                .name("channel").type().stringType().stringDefault("web")
                .endRecord();
        Schema merged = TableSchemas.merge(table, writer);
        assertThat(merged.getField("coupon").schema().isNullable()).isTrue();
        Schema address = TableSchemas.nonNullBranches(merged.getField("address").schema()).get(0);
        assertThat(address.getField("zip")).isNotNull();
        Schema state = TableSchemas.nonNullBranches(merged.getField("state").schema()).get(0);
        assertThat(state.getEnumSymbols()).containsExactly("NEW", "SHIPPED");
        assertThat(merged.getFields()).extracting(Schema.Field::name)
                .containsExactly("id", "qty", "price", "address", "state", "coupon", "channel");
    }

    @Test
    void mergeRefusesNewRequiredFieldsWithoutDefaultAtAnyDepth() {
        Schema table = TableSchemas.normalize(V1);
        Schema topLevel = SchemaBuilder.record("Order").fields().requiredLong("id").requiredString("channel").endRecord();
        assertThatThrownBy(() -> TableSchemas.merge(table, topLevel))
                .isInstanceOfSatisfying(IncompatibleSchemaChangeException.class,
                        e -> assertThat(e.fieldPath()).isEqualTo("channel"))
                .hasMessageContaining("required, no default");
        Schema nested = SchemaBuilder.record("Order").fields().requiredLong("id")
                .name("address").type(SchemaBuilder.record("Address").fields().requiredString("city")
                        .requiredString("zip").endRecord()).noDefault()
                .endRecord();
        assertThatThrownBy(() -> TableSchemas.merge(table, nested))
                .isInstanceOfSatisfying(IncompatibleSchemaChangeException.class,
                        e -> assertThat(e.fieldPath()).isEqualTo("address.zip"));
    }

    @Test
    void mergeKeepsTheTableAsIsForRemovedFieldsAndPromotions() {
        Schema table = TableSchemas.normalize(SchemaBuilder.record("Order").fields()
                .requiredLong("id").requiredDouble("price").requiredString("note").endRecord());
        Schema writer = SchemaBuilder.record("Order").fields()
                .requiredInt("id").requiredFloat("price").endRecord();
        assertThat(TableSchemas.merge(table, writer)).isSameAs(table);
    }

    @Test
    void mergeRefusesNarrowingAndUnrelatedTypesNamingFieldAndTypes() {
        Schema table = TableSchemas.normalize(V1);
        Schema narrowing = SchemaBuilder.record("Order").fields().requiredDouble("price").endRecord();
        assertThatThrownBy(() -> TableSchemas.merge(table, narrowing))
                .isInstanceOfSatisfying(IncompatibleSchemaChangeException.class,
                        e -> assertThat(e.fieldPath()).isEqualTo("price"))
                .hasMessageContaining("from float to double").hasMessageContaining("narrowing");
        Schema unrelated = SchemaBuilder.record("Order").fields()
                .name("address").type(SchemaBuilder.record("Address").fields().requiredInt("city").endRecord()).noDefault()
                .endRecord();
        assertThatThrownBy(() -> TableSchemas.merge(table, unrelated))
                .isInstanceOfSatisfying(IncompatibleSchemaChangeException.class,
                        e -> assertThat(e.fieldPath()).isEqualTo("address.city"))
                .hasMessageContaining("from string to int").hasMessageContaining("unrelated");
    }
}
