package dev.lakehouse.table.delta;

import dev.lakehouse.table.PartitionField;
import dev.lakehouse.table.PartitionSpec;
import dev.lakehouse.table.PartitionTransform;
import io.delta.standalone.actions.Metadata;
import java.util.ArrayList;
import java.util.List;

/** The partition spec's text form kept in the table properties: {@code column:transform:source,...}. */
public final class PartitionSpecs {

    private PartitionSpecs() {
    }

    public static String format(PartitionSpec spec) {
        List<String> parts = new ArrayList<>();
        for (PartitionField f : spec.fields()) {
            parts.add(f.column() + ":" + f.transform().name().toLowerCase() + ":" + f.sourceField());
        }
        return String.join(",", parts);
    }

    /** Parses the property; a table without it (not created here) is read as identity partitions. */
    static PartitionSpec parse(String text, Metadata metadata) {
        if (text == null) {
            return new PartitionSpec(metadata.getPartitionColumns().stream().map(PartitionField::identity).toList());
        }
        if (text.isBlank()) {
            return PartitionSpec.unpartitioned();
        }
        List<PartitionField> fields = new ArrayList<>();
        for (String part : text.split(",")) {
            String[] pieces = part.split(":");
            if (pieces.length != 3) {
                throw new IllegalStateException("malformed partition spec property '" + text + "'");
            }
            fields.add(new PartitionField(pieces[2], PartitionTransform.parse(pieces[1]), pieces[0]));
        }
        return new PartitionSpec(fields);
    }
}
