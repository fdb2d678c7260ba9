package dev.lakehouse.table;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;

/** Several files' rows through several threads: every row once, the first failure thrown, closing stops all. */
class ParallelRowReaderTest {

    private static final Schema ROW = SchemaBuilder.record("Row").fields().requiredLong("id").endRecord();

    /** A "file" of {@code rows} ids starting at {@code file * 10_000}. */
    private static RowReader file(int file, int rows, AtomicInteger open) {
        open.incrementAndGet();
        return new RowReader() {
            int next;

            @Override
            public GenericRecord next() {
                if (next == rows) {
                    return null;
                }
                GenericRecord row = new GenericData.Record(ROW);
                row.put("id", file * 10_000L + next++);
                return row;
            }

            @Override
            public void close() {
                open.decrementAndGet();
            }
        };
    }

    @Test
    void everyRowOfEveryFileComesOnceAndEveryFileIsClosed() {
        AtomicInteger open = new AtomicInteger();
        List<Integer> files = IntStream.range(0, 40).boxed().toList();
        Set<Long> ids = new HashSet<>();
        try (RowReader reader = new ParallelRowReader(files, f -> file(f, 2_500 + f, open), 3)) {
            for (GenericRecord row = reader.next(); row != null; row = reader.next()) {
                assertThat(ids.add((Long) row.get("id"))).isTrue();
            }
            assertThat(reader.next()).as("stays at its end").isNull();
        }
        long expected = files.stream().mapToLong(f -> 2_500 + f).sum();
        assertThat(ids).hasSize((int) expected);
        assertThat(open).hasValue(0);
    }

    @Test
    void aFileThatCannotBeReadFailsTheReaderWithItsError() {
        AtomicInteger open = new AtomicInteger();
        List<Integer> files = List.of(0, 1, 2, 3);
        RowReader reader = new ParallelRowReader(files, f -> {
            if (f == 2) {
                throw new UncheckedIOException("cannot open data file part-2.parquet", new java.io.IOException("gone"));
            }
            return file(f, 5_000, open);
        }, 2);
        assertThatThrownBy(() -> {
            for (GenericRecord row = reader.next(); row != null; row = reader.next()) {
                // read until the failure
            }
        }).isInstanceOf(UncheckedIOException.class).hasMessageContaining("part-2.parquet");
        reader.close();
    }

    @Test
    void closingEarlyStopsTheThreads() throws Exception {
        AtomicInteger open = new AtomicInteger();
        List<Integer> files = new ArrayList<>(IntStream.range(0, 20).boxed().toList());
        RowReader reader = new ParallelRowReader(files, f -> file(f, 100_000, open), 2);
        assertThat(reader.next()).isNotNull();
        reader.close();
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (open.get() > 0 && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertThat(open).as("readers closed after close()").hasValue(0);
    }
}
