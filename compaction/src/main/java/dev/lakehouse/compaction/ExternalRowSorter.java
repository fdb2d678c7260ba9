package dev.lakehouse.compaction;

import dev.lakehouse.table.RowReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.PriorityQueue;
import org.apache.avro.Schema;
import org.apache.avro.file.DataFileReader;
import org.apache.avro.file.DataFileWriter;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;

/**
 * Sorts rows of one schema by columns in bounded memory: rows are held until their estimated size reaches the
 * budget, then sorted and spilled to a local run file (Avro, uncompressed); {@link #sorted()} merges the runs and
 * the rows still held. Rows that fit the budget are never written to disk.
 *
 * <p>Order: by each column in turn, ascending, nulls first, by Avro's ordering of the column's type (strings
 * by their UTF-8 bytes, numbers by value). Columns are dotted paths into nested records; a path through a null
 * record is null. Equal rows keep no particular order.
 *
 * <p>Run files live in a temporary directory that {@link #close()} deletes. Used by one thread.
 */
final class ExternalRowSorter implements AutoCloseable {

    /** In memory a decoded row takes several times its binary size (objects, headers, UTF-8 and char copies). */
    private static final int MEMORY_PER_BINARY_BYTE = 4;
    private static final int SAMPLE_EVERY = 256;

    private final Schema schema;
    private final Comparator<GenericRecord> order;
    private final long memoryBytes;
    private final List<Path> runs = new ArrayList<>();
    private final GenericDatumWriter<GenericRecord> sampleWriter;
    private List<GenericRecord> held = new ArrayList<>();
    private long heldBytes;
    private long estimatedRowBytes = -1;
    private Path spillDir;
    private int spilledRuns;

    /**
     * @param schema the rows' schema
     * @param columns the sort columns, dotted paths for nested ones
     * @param memoryBytes the rows held in memory before a run is spilled (estimated)
     * @throws IllegalArgumentException naming a column the schema lacks
     */
    ExternalRowSorter(Schema schema, List<String> columns, long memoryBytes) {
        this.schema = schema;
        this.order = ordering(schema, columns);
        this.memoryBytes = memoryBytes;
        this.sampleWriter = new GenericDatumWriter<>(schema);
    }

    /** How many runs went to disk so far. */
    int spilledRuns() {
        return spilledRuns;
    }

    /** Takes a row (of the sorter's schema). */
    void add(GenericRecord row) {
        if (estimatedRowBytes < 0 || held.size() % SAMPLE_EVERY == 0) {
            long sample = MEMORY_PER_BINARY_BYTE * binarySize(row);
            estimatedRowBytes = estimatedRowBytes < 0 ? sample : (estimatedRowBytes * 7 + sample) / 8;
        }
        held.add(row);
        heldBytes += estimatedRowBytes;
        if (heldBytes >= memoryBytes) {
            spill();
        }
    }

    /** The rows taken, in order. Call once, after the last {@link #add}. */
    RowReader sorted() {
        held.sort(order);
        if (runs.isEmpty()) {
            Iterator<GenericRecord> rows = held.iterator();
            held = new ArrayList<>();
            return new RowReader() {
                @Override
                public GenericRecord next() {
                    return rows.hasNext() ? rows.next() : null;
                }

                @Override
                public void close() {
                }
            };
        }
        if (!held.isEmpty()) {
            spill();
        }
        return new RunMerge(runs, schema, order);
    }

    private void spill() {
        held.sort(order);
        try {
            if (spillDir == null) {
                spillDir = Files.createTempDirectory("lakehouse-sort-");
            }
            Path run = spillDir.resolve("run-" + runs.size() + ".avro");
            try (DataFileWriter<GenericRecord> writer = new DataFileWriter<>(new GenericDatumWriter<>(schema))) {
                writer.create(schema, run.toFile());
                for (GenericRecord row : held) {
                    writer.append(row);
                }
            }
            runs.add(run);
            spilledRuns++;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot spill sorted rows to local disk (" + spillDir + "): "
                    + e.getMessage(), e);
        }
        held = new ArrayList<>();
        heldBytes = 0;
    }

    private long binarySize(GenericRecord row) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
        try {
            sampleWriter.write(row, encoder);
            encoder.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.size();
    }

    @Override
    public void close() {
        if (spillDir == null) {
            return;
        }
        try (var files = Files.list(spillDir)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                Files.deleteIfExists(file);
            }
            Files.deleteIfExists(spillDir);
        } catch (IOException e) {
            // The temporary directory is left for the operating system's cleanup.
        }
    }

    /** Row order by the columns, nulls first. */
    static Comparator<GenericRecord> ordering(Schema schema, List<String> columns) {
        Comparator<GenericRecord> order = (a, b) -> 0;
        for (String column : columns) {
            String[] path = column.split("\\.");
            Schema type = fieldType(schema, path, column);
            order = order.thenComparing((a, b) -> GenericData.get().compare(value(a, path), value(b, path), type));
        }
        return order;
    }

    private static Schema fieldType(Schema schema, String[] path, String column) {
        Schema type = schema;
        for (String name : path) {
            Schema record = recordOf(type);
            Schema.Field field = record == null ? null : record.getField(name);
            if (field == null) {
                throw new IllegalArgumentException("sort column '" + column + "' is not a column of the table; "
                        + "fix compaction.sort-by");
            }
            type = field.schema();
        }
        if (path.length > 1) {
            // A null anywhere on the path makes the value null: compare as the nullable leaf type.
            type = nullable(type);
        }
        return type;
    }

    private static Object value(GenericRecord row, String[] path) {
        Object value = row;
        for (String name : path) {
            if (!(value instanceof GenericRecord record)) {
                return null;
            }
            value = record.get(name);
        }
        return value;
    }

    private static Schema recordOf(Schema type) {
        if (type.getType() == Schema.Type.RECORD) {
            return type;
        }
        if (type.getType() == Schema.Type.UNION) {
            for (Schema branch : type.getTypes()) {
                if (branch.getType() == Schema.Type.RECORD) {
                    return branch;
                }
            }
        }
        return null;
    }

    private static Schema nullable(Schema type) {
        if (type.getType() == Schema.Type.UNION && type.getTypes().get(0).getType() == Schema.Type.NULL) {
            return type;
        }
        List<Schema> branches = new ArrayList<>();
        branches.add(Schema.create(Schema.Type.NULL));
        if (type.getType() == Schema.Type.UNION) {
            type.getTypes().stream().filter(t -> t.getType() != Schema.Type.NULL).forEach(branches::add);
        } else {
            branches.add(type);
        }
        return Schema.createUnion(branches);
    }

    /** A k-way merge of sorted run files. */
    private static final class RunMerge implements RowReader {
        private record Head(GenericRecord row, DataFileReader<GenericRecord> run) {
        }

        private final PriorityQueue<Head> heads;
        private final List<DataFileReader<GenericRecord>> readers = new ArrayList<>();

        RunMerge(List<Path> runs, Schema schema, Comparator<GenericRecord> order) {
            this.heads = new PriorityQueue<>(Math.max(1, runs.size()), (x, y) -> order.compare(x.row(), y.row()));
            try {
                for (Path run : runs) {
                    DataFileReader<GenericRecord> reader = new DataFileReader<>(run.toFile(),
                            new GenericDatumReader<>(schema));
                    readers.add(reader);
                    if (reader.hasNext()) {
                        heads.add(new Head(reader.next(), reader));
                    }
                }
            } catch (IOException e) {
                close();
                throw new UncheckedIOException("cannot read a sorted run back: " + e.getMessage(), e);
            }
        }

        @Override
        public GenericRecord next() {
            Head head = heads.poll();
            if (head == null) {
                return null;
            }
            if (head.run().hasNext()) {
                heads.add(new Head(head.run().next(), head.run()));
            }
            return head.row();
        }

        @Override
        public void close() {
            for (DataFileReader<GenericRecord> reader : readers) {
                try {
                    reader.close();
                } catch (IOException e) {
                    // read-only temporary file: nothing to lose
                }
            }
        }
    }
}
