package dev.lakehouse.app.config;

import dev.lakehouse.table.PartitionField;
import dev.lakehouse.table.PartitionSpec;
import dev.lakehouse.table.PartitionTransform;
import java.util.List;

/** Turns the configuration's {@code partition-by} entries into the table's partition spec. */
public final class PartitionByParser {

    private PartitionByParser() {
    }

    /**
     * @param entries {@code field} (identity) or {@code year|month|day|hour(field) [as column]}; a derived column
     *                without a name is called {@code <field>_<transform>}
     */
    public static PartitionSpec parse(List<String> entries) {
        PartitionField[] fields = new PartitionField[entries.size()];
        for (int i = 0; i < fields.length; i++) {
            String[] parts = TableSection.partitionParts(entries.get(i));
            fields[i] = parts[0].equals("identity") ? PartitionField.identity(parts[1])
                    : PartitionField.derived(parts[1], PartitionTransform.parse(parts[0]), parts[2]);
        }
        return fields.length == 0 ? PartitionSpec.unpartitioned() : PartitionSpec.of(fields);
    }
}
