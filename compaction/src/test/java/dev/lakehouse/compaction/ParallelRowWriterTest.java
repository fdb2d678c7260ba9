package dev.lakehouse.compaction;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lakehouse.table.DataFile;
import dev.lakehouse.table.DataFileWriter;
import dev.lakehouse.table.RowReader;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;

/** The hand-over of rows to several writers and the all-or-nothing outcome, with in-memory readers and writers. */
class ParallelRowWriterTest {

    private static final Schema ROW = SchemaBuilder.record("Row").fields().requiredLong("id").endRecord();

    @Test
    void everyRowIsWrittenExactlyOnceAndEveryWritersFilesAreReturned() {
        List<RecordingWriter> writers = Collections.synchronizedList(new ArrayList<>());
        List<DataFile> files = new ParallelRowWriter(3,
                () -> add(writers, new RecordingWriter("file-" + writers.size(), -1))).writeAll(rows(10_000));

        assertThat(writers).hasSize(3);
        Set<Long> seen = new HashSet<>();
        writers.forEach(w -> w.ids.forEach(id -> assertThat(seen.add(id)).isTrue()));
        assertThat(seen).hasSize(10_000);
        assertThat(files).extracting(DataFile::path).containsExactlyInAnyOrder("file-0", "file-1", "file-2");
        assertThat(writers).allSatisfy(w -> assertThat(w.aborted).isFalse());
    }

    @Test
    void aFailingWriterStopsTheOthersAbortsEveryWriterAndThrowsItsError() {
        List<RecordingWriter> writers = Collections.synchronizedList(new ArrayList<>());
        int[] created = {0};
        ParallelRowWriter parallel = new ParallelRowWriter(2,
                () -> add(writers, new RecordingWriter("w", created[0]++ == 1 ? 1_500 : -1)));

        assertThatThrownBy(() -> parallel.writeAll(rows(100_000)))
                .isInstanceOf(UncheckedIOException.class).hasMessageContaining("disk full");
        assertThat(writers).hasSize(2).allSatisfy(w -> assertThat(w.aborted).isTrue());
        long written = writers.stream().mapToLong(w -> w.ids.size()).sum();
        assertThat(written).isLessThan(100_000); // the healthy writer stopped early
    }

    @Test
    void aReadErrorAbortsEveryWriter() {
        List<RecordingWriter> writers = Collections.synchronizedList(new ArrayList<>());
        RowReader broken = new RowReader() {
            private long next;

            @Override
            public GenericRecord next() {
                if (next == 5_000) {
                    throw new UncheckedIOException("cannot read data file part-7", new java.io.IOException("gone"));
                }
                return row(next++);
            }

            @Override
            public void close() {
            }
        };
        assertThatThrownBy(() -> new ParallelRowWriter(2, () -> add(writers, new RecordingWriter("w", -1)))
                .writeAll(broken)).hasMessageContaining("part-7");
        assertThat(writers).allSatisfy(w -> assertThat(w.aborted).isTrue());
    }

    private static RecordingWriter add(List<RecordingWriter> writers, RecordingWriter writer) {
        writers.add(writer);
        return writer;
    }

    private static RowReader rows(long count) {
        return new RowReader() {
            private long next;

            @Override
            public GenericRecord next() {
                return next < count ? row(next++) : null;
            }

            @Override
            public void close() {
            }
        };
    }

    private static GenericRecord row(long id) {
        GenericRecord row = new GenericData.Record(ROW);
        row.put("id", id);
        return row;
    }

    /**
     * Keeps the ids it was given and returns one file named {@code file}; fails with "disk full" on its
     * {@code failAt}-th row (never when negative).
     */
    private static final class RecordingWriter implements DataFileWriter {
        final List<Long> ids = new ArrayList<>();
        private final String file;
        private final int failAt;
        volatile boolean aborted;

        RecordingWriter(String file, int failAt) {
            this.file = file;
            this.failAt = failAt;
        }

        @Override
        public void write(GenericRecord record) {
            if (ids.size() == failAt) {
                throw new UncheckedIOException("disk full", new java.io.IOException("no space left on device"));
            }
            ids.add((Long) record.get("id"));
        }

        @Override
        public long recordCount() {
            return ids.size();
        }

        @Override
        public long estimatedBytes() {
            return ids.size() * 8L;
        }

        @Override
        public List<DataFile> finish() {
            return List.of(new DataFile(file, Map.of(), ids.size() * 8L, ids.size(), "{}", 0));
        }

        @Override
        public void abort() {
            aborted = true;
        }

        @Override
        public void close() {
        }
    }
}
