package dev.lakehouse.table.parquet;

import dev.lakehouse.table.DataFile;
import dev.lakehouse.table.DataFileWriter;
import dev.lakehouse.table.PartitionSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.hadoop.util.HadoopOutputFile;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link DataFileWriter} on parquet-avro. One open Parquet file per partition; a file is closed and a new one
 * started once its size reaches the target. Statistics come from each file's footer ({@link ParquetFileStats}).
 *
 * <p>Identity partition columns are left out of the files (Delta keeps them in the log), so records are written
 * with a <em>file schema</em>; a data model that reads fields by name bridges table records to it.
 */
public final class ParquetDataFileWriter implements DataFileWriter {

    private static final Logger LOG = LoggerFactory.getLogger(ParquetDataFileWriter.class);
    /** How often (in records) a file's size is checked against the target: the check is not free. */
    private static final int SIZE_CHECK_INTERVAL = 1_000;

    /**
     * Writer settings derived once per table schema.
     *
     * @param keyColumns a keyed table's key columns, which get bloom filters ({@link KeyBloomFilters}); empty for
     *                   other tables
     */
    public record Layout(Path tableRoot, Configuration conf, Schema tableSchema, Schema fileSchema, PartitionSpec spec,
                  CompressionCodecName codec, long targetFileBytes, Clock clock, List<String> keyColumns) {
        public Layout {
            keyColumns = List.copyOf(keyColumns);
        }

        /** The columns whose values the files' bloom filters hold. */
        List<String> bloomFilterColumns() {
            return KeyBloomFilters.columns(fileSchema, keyColumns);
        }
    }

    private static final class OpenFile {
        final Path path;
        final String relativePath;
        final Map<String, String> partitionValues;
        final ParquetWriter<GenericRecord> writer;
        long records;

        OpenFile(Path path, String relativePath, Map<String, String> partitionValues, ParquetWriter<GenericRecord> writer) {
            this.path = path;
            this.relativePath = relativePath;
            this.partitionValues = partitionValues;
            this.writer = writer;
        }
    }

    private final Layout layout;
    private final PartitionValues partitions;
    private final GenericData model;
    /** Whether records are written by {@link FlatRecordWriteSupport} rather than parquet-avro's writer. */
    private final boolean flat;
    private final List<String> bloomFilterColumns;
    private final String batchTag = UUID.randomUUID().toString();
    private final Map<List<String>, OpenFile> open = new HashMap<>();
    private final List<DataFile> finished = new ArrayList<>();
    private final List<Path> written = new ArrayList<>();
    private OpenFile unpartitioned;
    private int fileSequence;
    private long records;
    private long closedBytes;
    private boolean done;

    public ParquetDataFileWriter(Layout layout) {
        this.layout = layout;
        this.partitions = layout.spec().isPartitioned() ? new PartitionValues(layout.spec(), layout.tableSchema()) : null;
        this.model = layout.fileSchema() == layout.tableSchema() ? GenericData.get() : new ByNameData();
        this.flat = FlatRecordWriteSupport.supports(layout.fileSchema(), model);
        this.bloomFilterColumns = layout.bloomFilterColumns();
    }

    @Override
    public void write(GenericRecord record) {
        if (done) {
            throw new IllegalStateException("this data file writer is finished or aborted");
        }
        OpenFile file;
        if (partitions == null) {
            if (unpartitioned == null) {
                unpartitioned = openFile(List.of());
            }
            file = unpartitioned;
        } else {
            List<String> values = partitions.of(record);
            file = open.get(values);
            if (file == null) {
                file = openFile(values);
                open.put(values, file);
            }
        }
        try {
            file.writer.write(record);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write to " + file.path, e);
        }
        file.records++;
        records++;
        if (file.records % SIZE_CHECK_INTERVAL == 0 && file.writer.getDataSize() >= layout.targetFileBytes()) {
            roll(file);
        }
    }

    private void roll(OpenFile file) {
        closeFile(file);
        if (file == unpartitioned) {
            unpartitioned = null;
        } else {
            open.values().remove(file);
        }
    }

    @Override
    public long recordCount() {
        return records;
    }

    @Override
    public long estimatedBytes() {
        return closedBytes + openFileBytes();
    }

    @Override
    public long openFileBytes() {
        long openBytes = 0;
        if (unpartitioned != null) {
            openBytes += unpartitioned.writer.getDataSize();
        }
        for (OpenFile f : open.values()) {
            openBytes += f.writer.getDataSize();
        }
        return openBytes;
    }

    @Override
    public List<DataFile> finish() {
        if (done) {
            throw new IllegalStateException("this data file writer is finished or aborted");
        }
        if (unpartitioned != null) {
            closeFile(unpartitioned);
            unpartitioned = null;
        }
        for (OpenFile f : new ArrayList<>(open.values())) {
            closeFile(f);
        }
        open.clear();
        done = true;
        return List.copyOf(finished);
    }

    @Override
    public void abort() {
        if (done && finished.isEmpty() && written.isEmpty()) {
            return;
        }
        done = true;
        List<OpenFile> still = new ArrayList<>(open.values());
        if (unpartitioned != null) {
            still.add(unpartitioned);
        }
        for (OpenFile f : still) {
            try {
                f.writer.close();
            } catch (IOException | RuntimeException e) {
                LOG.debug("closing {} while aborting: {}", f.path, e.toString());
            }
        }
        open.clear();
        unpartitioned = null;
        deleteBestEffort(written, layout.conf(), "an aborted batch");
        written.clear();
        finished.clear();
    }

    /** Deletes files a writer wrote and will not complete; a file left behind is an orphan for vacuum. */
    static void deleteBestEffort(List<Path> files, Configuration conf, String of) {
        for (Path p : files) {
            try {
                p.getFileSystem(conf).delete(p, false);
            } catch (IOException e) {
                LOG.warn("could not delete {} of {}; vacuum will remove it: {}", p, of, e.toString());
            }
        }
    }

    @Override
    public void close() {
        if (!done) {
            abort();
        }
    }

    private OpenFile openFile(List<String> values) {
        String directory = partitions == null ? "" : partitions.directory(values) + "/";
        String name = fileName(fileSequence++, batchTag, layout.codec());
        String relative = directory + name;
        Path path = new Path(layout.tableRoot(), relative);
        Map<String, String> partitionValues = new LinkedHashMap<>();
        for (int i = 0; i < values.size(); i++) {
            partitionValues.put(layout.spec().fields().get(i).column(), values.get(i));
        }
        try {
            HadoopOutputFile output = HadoopOutputFile.fromPath(path, layout.conf());
            // Flat schemas (most topics) skip parquet-avro's per-value schema inspection; the file is the same.
            ParquetWriter.Builder<GenericRecord, ?> builder = flat
                    ? FlatRecordWriteSupport.builder(output, layout.fileSchema())
                    : AvroFileWriteSupport.builder(output, layout.fileSchema(), model);
            KeyBloomFilters.configure(builder, bloomFilterColumns);
            ParquetWriter<GenericRecord> writer = builder
                    .withConf(layout.conf())
                    .withCompressionCodec(layout.codec())
                    .withRowGroupSize(rowGroupBytes(layout.targetFileBytes()))
                    .withWriteMode(ParquetFileWriter.Mode.CREATE)
                    .build();
            written.add(path);
            return new OpenFile(path, encode(relative), partitionValues, writer);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create data file " + path, e);
        }
    }

    private void closeFile(OpenFile file) {
        try {
            file.writer.close();
            FileSystem fs = file.path.getFileSystem(layout.conf());
            long size = fs.getFileStatus(file.path).getLen();
            String stats = ParquetFileStats.toDeltaJson(file.writer.getFooter(), layout.fileSchema());
            finished.add(new DataFile(file.relativePath, file.partitionValues, size, file.records, stats,
                    layout.clock().millis()));
            closedBytes += size;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot complete data file " + file.path, e);
        }
    }

    /** A data file's name: its writer's sequence number and tag (unique per writer), codec and extension. */
    static String fileName(int sequence, String writerTag, CompressionCodecName codec) {
        return String.format("part-%05d-%s.c000.%s.parquet", sequence, writerTag, codec.name().toLowerCase());
    }

    /** Delta's {@code add.path} is a relative URI: escape what a URI path cannot hold (including Hive's %XX). */
    static String encode(String relative) {
        try {
            return new URI(null, null, relative, null).getRawPath();
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("cannot encode data file path " + relative, e);
        }
    }

    /**
     * Reads record fields by name instead of position: table records carry the identity partition columns, the
     * file schema does not, so positions differ. Used only for tables with identity partitions.
     */
    static final class ByNameData extends GenericData {
        @Override
        public Object getField(Object record, String name, int position) {
            return ((GenericRecord) record).get(name);
        }
    }

    /**
     * Parquet buffers a whole row group in memory before writing it, once per open file (a batch over several
     * partitions has several open), so the row group is bounded by the heap as well as by the target file size:
     * at most 128 MiB and an eighth of the maximum heap (at least 8 MiB).
     */
    static long rowGroupBytes(long targetFileBytes) {
        long heapShare = Math.max(8L << 20, Runtime.getRuntime().maxMemory() / 8);
        return Math.min(targetFileBytes, Math.min(128L << 20, heapShare));
    }
}
