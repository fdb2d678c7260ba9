package dev.lakehouse.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lakehouse.table.KernelReader;
import java.util.BitSet;
import java.util.Map;

/** Checks of an orders table, read by Delta Kernel (an independent reader). */
final class OrderTable {

    private OrderTable() {
    }

    /**
     * Asserts that the table holds orders 0 to {@code count - 1}, each exactly once, and nothing else.
     *
     * @return the number of rows read
     */
    static long assertEveryOrderExactlyOnce(String location, long count) {
        BitSet seen = new BitSet((int) count);
        long rows = 0;
        long duplicates = 0;
        for (Map<String, Object> row : KernelReader.read(location).rows()) {
            int id = Math.toIntExact((Long) row.get("order_id"));
            if (seen.get(id)) {
                duplicates++;
            }
            seen.set(id);
            rows++;
        }
        assertThat(duplicates).as("duplicate order ids in %s", location).isZero();
        assertThat(seen.cardinality()).as("distinct order ids in %s", location).isEqualTo((int) count);
        assertThat(seen.nextSetBit((int) count)).as("order ids beyond those produced").isEqualTo(-1);
        assertThat(rows).isEqualTo(count);
        return rows;
    }
}
