package dev.lakehouse.registry.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.junit.jupiter.api.Test;

class SubjectNameStrategyTest {

    private final Schema order = SchemaBuilder.record("Order").namespace("shop").fields().requiredLong("id").endRecord();

    @Test
    void topicNameSeparatesKeysFromValues() {
        assertThat(SubjectNameStrategy.topicName().subjectName("orders", RecordPart.VALUE, order)).isEqualTo("orders-value");
        assertThat(SubjectNameStrategy.topicName().subjectName("orders", RecordPart.KEY, order)).isEqualTo("orders-key");
    }

    @Test
    void recordNameStrategiesUseTheFullName() {
        assertThat(SubjectNameStrategy.recordName().subjectName("orders", RecordPart.VALUE, order)).isEqualTo("shop.Order");
        assertThat(SubjectNameStrategy.topicRecordName().subjectName("orders", RecordPart.VALUE, order))
                .isEqualTo("orders-shop.Order");
        assertThatThrownBy(() -> SubjectNameStrategy.recordName()
                .subjectName("t", RecordPart.KEY, Schema.create(Schema.Type.STRING)))
                .hasMessageContaining("named schema");
    }

    @Test
    void resolvesConfigurationNamesIncludingConfluentClassNames() {
        assertThat(SubjectNameStrategy.named("io.confluent.kafka.serializers.subject.TopicRecordNameStrategy")
                .subjectName("t", RecordPart.VALUE, order)).isEqualTo("t-shop.Order");
        assertThat(SubjectNameStrategy.named("record-name").subjectName("t", RecordPart.VALUE, order)).isEqualTo("shop.Order");
        assertThatThrownBy(() -> SubjectNameStrategy.named("by-moon-phase"))
                .hasMessageContaining("topic-name, record-name or topic-record-name");
    }
}
