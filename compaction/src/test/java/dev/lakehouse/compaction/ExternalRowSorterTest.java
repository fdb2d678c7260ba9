package dev.lakehouse.compaction;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lakehouse.table.RowReader;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;

/** Sorting in memory and with spilled runs gives the same order: by each column, nulls first. */
class ExternalRowSorterTest {

    private static final Schema ADDRESS = SchemaBuilder.record("Address").fields()
            .optionalString("city").endRecord();
    private static final Schema ORDER = SchemaBuilder.record("Order").fields()
            .optionalString("customer_id").optionalLong("order_id").optionalString("note")
            .name("address").type().optional().type(ADDRESS).endRecord();

    private static GenericRecord order(String customer, Long id, String city) {
        GenericRecord row = new GenericData.Record(ORDER);
        row.put("customer_id", customer);
        row.put("order_id", id);
        row.put("note", "some text to give the row a size of its own " + id);
        if (city != null) {
            GenericRecord address = new GenericData.Record(ADDRESS);
            address.put("city", city);
            row.put("address", address);
        }
        return row;
    }

    private static List<GenericRecord> drain(RowReader reader) {
        List<GenericRecord> rows = new ArrayList<>();
        for (GenericRecord row = reader.next(); row != null; row = reader.next()) {
            rows.add(row);
        }
        reader.close();
        return rows;
    }

    /** The rows' order ids, sorted (nulls first): equal for two lists that hold the same rows in any order. */
    private static List<Long> ids(List<GenericRecord> rows) {
        List<Long> ids = new ArrayList<>();
        rows.forEach(r -> ids.add((Long) r.get("order_id")));
        ids.sort(java.util.Comparator.nullsFirst(java.util.Comparator.naturalOrder()));
        return ids;
    }

    private static List<GenericRecord> randomOrders(int count) {
        Random random = new Random(3);
        List<GenericRecord> rows = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String customer = random.nextInt(50) == 0 ? null : "C" + (100_000 + random.nextInt(5_000));
            rows.add(order(customer, random.nextInt(40) == 0 ? null : (long) random.nextInt(1_000_000), null));
        }
        return rows;
    }

    private static void assertSortedByCustomerThenOrder(List<GenericRecord> rows) {
        for (int i = 1; i < rows.size(); i++) {
            GenericRecord a = rows.get(i - 1);
            GenericRecord b = rows.get(i);
            String ca = a.get("customer_id") == null ? null : a.get("customer_id").toString();
            String cb = b.get("customer_id") == null ? null : b.get("customer_id").toString();
            if (ca == null || cb == null) {
                assertThat(ca == null || cb != null).as("nulls first at row %d", i).isTrue();
                continue;
            }
            assertThat(ca.compareTo(cb)).as("customer order at row %d", i).isLessThanOrEqualTo(0);
            if (ca.equals(cb) && a.get("order_id") != null && b.get("order_id") != null) {
                assertThat((Long) a.get("order_id")).isLessThanOrEqualTo((Long) b.get("order_id"));
            }
            if (ca.equals(cb) && a.get("order_id") != null) {
                assertThat(b.get("order_id")).as("a null order id sorts first").isNotNull();
            }
        }
    }

    @Test
    void rowsThatFitTheBudgetAreSortedInMemory() {
        List<GenericRecord> input = randomOrders(5_000);
        try (ExternalRowSorter sorter = new ExternalRowSorter(ORDER, List.of("customer_id", "order_id"), 64L << 20)) {
            input.forEach(sorter::add);
            List<GenericRecord> sorted = drain(sorter.sorted());
            assertThat(sorter.spilledRuns()).isZero();
            assertThat(sorted).hasSize(5_000);
            assertThat(ids(sorted)).isEqualTo(ids(input));
            assertSortedByCustomerThenOrder(sorted);
        }
    }

    @Test
    void rowsBeyondTheBudgetAreSpilledToSortedRunsAndMerged() {
        List<GenericRecord> input = randomOrders(60_000);
        try (ExternalRowSorter sorter = new ExternalRowSorter(ORDER, List.of("customer_id", "order_id"), 1L << 20)) {
            input.forEach(sorter::add);
            List<GenericRecord> sorted = drain(sorter.sorted());
            assertThat(sorter.spilledRuns()).as("runs on disk").isGreaterThan(3);
            assertThat(sorted).hasSize(60_000);
            assertSortedByCustomerThenOrder(sorted);
            assertThat(ids(sorted)).isEqualTo(ids(input));
        }
    }

    @Test
    void aNestedColumnSortsWithNullRecordsFirstAndAnUnknownColumnIsNamed() {
        try (ExternalRowSorter sorter = new ExternalRowSorter(ORDER, List.of("address.city"), 64L << 20)) {
            sorter.add(order("a", 1L, "Oslo"));
            sorter.add(order("b", 2L, null));
            sorter.add(order("c", 3L, "Berlin"));
            assertThat(drain(sorter.sorted())).extracting(r -> r.get("order_id")).containsExactly(2L, 3L, 1L);
        }
        assertThatThrownBy(() -> new ExternalRowSorter(ORDER, List.of("address.zip"), 64L << 20))
                .hasMessageContaining("sort column 'address.zip' is not a column of the table");
    }
}
