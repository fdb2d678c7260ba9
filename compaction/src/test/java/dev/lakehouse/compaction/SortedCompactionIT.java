package dev.lakehouse.compaction;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lakehouse.table.BatchCommit;
import dev.lakehouse.table.DataFile;
import dev.lakehouse.table.DataFileWriter;
import dev.lakehouse.table.KernelReader;
import dev.lakehouse.table.LakeTable;
import dev.lakehouse.table.TableOptions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Compaction with {@code sort-by}: the output files hold disjoint ranges of the sort column, so Delta Kernel's data
 * skipping reads one file for one customer where it read them all before; the rows are the same, also when the
 * sort spilled to disk.
 */
class SortedCompactionIT {

    private static final Schema ORDER = SchemaBuilder.record("Order").fields()
            .requiredLong("order_id").requiredString("customer_id").requiredDouble("amount").requiredString("note")
            .endRecord();
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private static String randomText(Random random, int length) {
        StringBuilder text = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            text.append((char) ('a' + random.nextInt(26)));
        }
        return text.toString();
    }

    @Test
    void sortedOutputFilesHoldDisjointRangesSoAPointQueryReadsOneFile() throws Exception {
        LakeTable table = LakeTable.open(TableOptions.builder(dir.toUri().toString())
                .targetFileSizeBytes(1L << 20).build());
        Schema schema = table.createIfAbsent(ORDER).avroSchema();
        Random random = new Random(9);
        long id = 0;
        for (int batch = 0; batch < 3; batch++) {
            List<DataFile> files = new ArrayList<>();
            for (int f = 0; f < 10; f++) {
                try (DataFileWriter writer = table.newDataFileWriter()) {
                    for (int r = 0; r < 2_000; r++) {
                        GenericRecord order = new GenericData.Record(schema);
                        order.put("order_id", id++);
                        order.put("customer_id", String.format("cust-%05d", random.nextInt(20_000)));
                        order.put("amount", random.nextInt(10_000) / 100.0);
                        order.put("note", randomText(random, 120)); // wide rows: several 1 MiB files
                        writer.write(order);
                    }
                    files.addAll(writer.finish());
                }
            }
            table.commit(new BatchCommit("test", "t", batch, files, List.of(), Map.of()));
        }
        String customer = "cust-04242";
        int[] filesRead = new int[1];
        List<Map<String, Object>> before = KernelReader.readWhereEquals(dir.toString(), "customer_id", customer,
                filesRead).rows();
        long matchingBefore = before.stream().filter(r -> customer.equals(r.get("customer_id"))).count();
        assertThat(filesRead[0]).as("unsorted small files: every one may hold the customer").isEqualTo(30);

        // 1 MB of sort memory for 60,000 rows of 7 MB: the sort spills runs to disk and merges them.
        CompactionSettings settings = new CompactionSettings(1L << 20, 768L << 10, 5)
                .sortedBy(List.of("customer_id")).sortingIn(1L << 20).readingWith(3);
        MaintenanceRun run = new CompactionRunner(table).compact(settings);

        assertThat(run.outcome()).isEqualTo(MaintenanceOutcome.COMPACTED);
        assertThat(run.commits()).as("one group: the partition's small files sorted as a whole").isEqualTo(1);
        List<DataFile> after = table.snapshot().files();
        assertThat(after).hasSizeGreaterThanOrEqualTo(4);
        List<String[]> ranges = new ArrayList<>();
        for (DataFile file : after) {
            JsonNode stats = JSON.readTree(file.statsJson());
            ranges.add(new String[] {stats.path("minValues").path("customer_id").asText(),
                    stats.path("maxValues").path("customer_id").asText()});
        }
        ranges.sort(Comparator.comparing(r -> r[0]));
        for (int i = 1; i < ranges.size(); i++) {
            assertThat(ranges.get(i)[0]).as("file %d starts where file %d ended, or after", i, i - 1)
                    .isGreaterThanOrEqualTo(ranges.get(i - 1)[1]);
        }

        filesRead[0] = 0;
        List<Map<String, Object>> rows = KernelReader.readWhereEquals(dir.toString(), "customer_id", customer,
                filesRead).rows();
        assertThat(filesRead[0]).as("files Delta Kernel reads for one customer after sorting").isLessThanOrEqualTo(2);
        assertThat(rows.stream().filter(r -> customer.equals(r.get("customer_id"))).count())
                .isEqualTo(matchingBefore).isPositive();
        List<Map<String, Object>> all = KernelReader.read(dir.toString()).rows();
        assertThat(all).hasSize((int) id);
        assertThat(all.stream().map(r -> (Long) r.get("order_id")).distinct().count()).isEqualTo(id);
    }
}
