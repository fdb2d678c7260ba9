package dev.lakehouse.ingest;

import dev.lakehouse.ingest.settings.PipelineSettings;
import static org.assertj.core.api.Assertions.assertThat;

import dev.lakehouse.ingest.decode.JsonRecordDecoder;
import dev.lakehouse.table.InMemoryLakeTable;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/**
 * A converter made before its keyed table existed, when another writer (another instance, or this one before a
 * rebalance moved the partition) creates the table: deletes must apply to it and the key must be the one the table
 * recorded.
 */
class RecordConverterTest {

    private static final Schema PRICE = new Schema.Parser().parse("""
            {"type": "record", "name": "Price", "fields": [
              {"name": "sku", "type": "string"},
              {"name": "cents", "type": "long"}
            ]}""");

    private final InMemoryLakeTable table = new InMemoryLakeTable("prices");

    private final PipelineSettings keyedByTheTable = PipelineSettings.builder("prices").instanceId("b")
            .topics(List.of("prices")).bootstrapServers("unused:9092").keyed(true).build();

    @Test
    void aTombstoneDeletesFromATableAnotherWriterCreatedAfterTheConverterWasMade() {
        RecordConverter converter = new RecordConverter(keyedByTheTable, table, new JsonRecordDecoder(PRICE), true,
                true);
        table.createIfAbsent(PRICE, "", List.of("sku")); // by the instance that held the partition before

        RecordConverter.Outcome outcome = converter.convert(record("{\"sku\": \"A-1\"}", null, 7));

        assertThat(outcome).isInstanceOf(RecordConverter.Outcome.Delete.class);
        assertThat(((RecordConverter.Outcome.Delete) outcome).key().get("sku")).hasToString("A-1");
    }

    @Test
    void aRowTakesTheKeyTheTableRecordedNotOneDerivedFromItsKafkaKey() {
        RecordConverter converter = new RecordConverter(keyedByTheTable, table, new JsonRecordDecoder(PRICE), true,
                true);
        table.createIfAbsent(PRICE, "", List.of("sku"));

        // A text key has no fields to derive a key from: without the table's recorded key it would be a dead letter.
        RecordConverter.Outcome outcome = converter.convert(record("A-1", "{\"sku\": \"A-1\", \"cents\": 250}", 8));

        assertThat(outcome).isInstanceOf(RecordConverter.Outcome.Row.class);
        assertThat(((RecordConverter.Outcome.Row) outcome).row().get("cents")).isEqualTo(250L);
    }

    @Test
    void aTombstoneBeforeTheTableExistsChangesNothing() {
        RecordConverter converter = new RecordConverter(keyedByTheTable, table, new JsonRecordDecoder(PRICE), true,
                true);

        assertThat(converter.convert(record("{\"sku\": \"A-1\"}", null, 1)))
                .isInstanceOf(RecordConverter.Outcome.NoChange.class);
        assertThat(table.exists()).isFalse();
    }

    private static ConsumerRecord<byte[], byte[]> record(String key, String value, long offset) {
        return new ConsumerRecord<>("prices", 0, offset, key.getBytes(StandardCharsets.UTF_8),
                value == null ? null : value.getBytes(StandardCharsets.UTF_8));
    }
}
