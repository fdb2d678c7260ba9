package dev.lakehouse.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;

class EventTimesTest {

    private static final long KAFKA_TIMESTAMP = 1_800_000_000_000L;
    private static final long EVENT_MILLIS = 1_799_999_000_123L;

    private static Schema schema(Schema eventTime) {
        return SchemaBuilder.record("Event").fields().requiredLong("id")
                .name("created_at").type(eventTime).noDefault().endRecord();
    }

    private static RecordConverter.Outcome row(Schema schema, Object eventTime) {
        GenericRecord row = new GenericData.Record(schema);
        row.put("id", 1L);
        row.put("created_at", eventTime);
        return new RecordConverter.Outcome.Row(schema, row);
    }

    @Test
    void withoutAColumnEveryRecordIsJudgedByItsKafkaTimestamp() {
        EventTimes times = new EventTimes("p", null);
        Schema millis = schema(LogicalTypes.timestampMillis().addToSchema(Schema.create(Schema.Type.LONG)));
        assertThat(times.of(row(millis, EVENT_MILLIS), KAFKA_TIMESTAMP)).isEqualTo(KAFKA_TIMESTAMP);
    }

    @Test
    void aRowIsJudgedByItsColumnInMillisWhateverTheColumnsUnit() {
        EventTimes times = new EventTimes("p", "created_at");
        Schema millis = schema(LogicalTypes.timestampMillis().addToSchema(Schema.create(Schema.Type.LONG)));
        Schema micros = schema(LogicalTypes.timestampMicros().addToSchema(Schema.create(Schema.Type.LONG)));
        Schema nanos = schema(LogicalTypes.timestampNanos().addToSchema(Schema.create(Schema.Type.LONG)));
        Schema nullableMicros = schema(SchemaBuilder.unionOf().nullType().and()
                .type(LogicalTypes.timestampMicros().addToSchema(Schema.create(Schema.Type.LONG))).endUnion());

        assertThat(times.of(row(millis, EVENT_MILLIS), KAFKA_TIMESTAMP)).isEqualTo(EVENT_MILLIS);
        assertThat(times.of(row(micros, EVENT_MILLIS * 1_000 + 999), KAFKA_TIMESTAMP)).isEqualTo(EVENT_MILLIS);
        assertThat(times.of(row(nanos, EVENT_MILLIS * 1_000_000), KAFKA_TIMESTAMP)).isEqualTo(EVENT_MILLIS);
        assertThat(times.of(row(nullableMicros, EVENT_MILLIS * 1_000), KAFKA_TIMESTAMP)).isEqualTo(EVENT_MILLIS);
        assertThat(times.of(row(nullableMicros, null), KAFKA_TIMESTAMP)).as("null: not judged").isNegative();
    }

    @Test
    void rowsWithoutTheColumnAreNotJudgedAndRecordsWithoutARowKeepTheirKafkaTimestamp() {
        EventTimes times = new EventTimes("p", "updated_at");
        Schema millis = schema(LogicalTypes.timestampMillis().addToSchema(Schema.create(Schema.Type.LONG)));
        Schema text = schema(Schema.create(Schema.Type.STRING));

        assertThat(times.of(row(millis, EVENT_MILLIS), KAFKA_TIMESTAMP)).as("no such column").isNegative();
        assertThat(new EventTimes("p", "created_at").of(row(text, "yesterday"), KAFKA_TIMESTAMP))
                .as("not a timestamp").isNegative();
        assertThat(times.of(new RecordConverter.Outcome.AlreadyDeadLettered(), KAFKA_TIMESTAMP))
                .isEqualTo(KAFKA_TIMESTAMP);
    }
}
