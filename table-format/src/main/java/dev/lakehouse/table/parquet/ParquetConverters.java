package dev.lakehouse.table.parquet;

import dev.lakehouse.table.FileColumnTypeException;
import java.util.HashMap;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.HadoopReadOptions;
import org.apache.parquet.ParquetReadOptions;
import org.apache.parquet.hadoop.metadata.FileMetaData;
import org.apache.parquet.io.ColumnIOFactory;
import org.apache.parquet.io.MessageColumnIO;
import org.apache.parquet.schema.MessageType;

/**
 * What turning a Parquet file's pages into Avro records needs, built once per file schema and reused for every
 * file of that schema: the record converters ({@link TypedRecordMaterializer}, which read each column by the
 * file's own types into the read schema's) and the column I/O tree. Building these per file is what made
 * compaction of many small files slow: a group's files almost always share one schema. Also the read options
 * (codec factory included), built once.
 *
 * <p>Not thread-safe: converters hold the record being assembled. One instance per reading thread.
 */
public final class ParquetConverters {

    /** The converters and column I/O of one file schema. */
    record Prepared(MessageType requestedSchema, MessageColumnIO columnIO,
                    TypedRecordMaterializer materializer) {
    }

    private final Schema readSchema;
    private final ParquetReadOptions readOptions;
    private final Map<MessageType, Prepared> byFileSchema = new HashMap<>();

    /** @param readSchema the Avro record schema records are read into (the table's file schema or a projection) */
    public ParquetConverters(Configuration conf, Schema readSchema) {
        this.readSchema = readSchema;
        this.readOptions = HadoopReadOptions.builder(conf).build();
    }

    ParquetReadOptions readOptions() {
        return readOptions;
    }

    /**
     * The converters for files with {@code metadata}'s schema, built on the first file of that schema.
     *
     * @param file names the file in errors
     * @throws FileColumnTypeException if a column of the file cannot be read into the read schema's
     */
    Prepared forFile(FileMetaData metadata, String file) {
        Prepared prepared = byFileSchema.get(metadata.getSchema());
        if (prepared == null) {
            MessageType fileSchema = metadata.getSchema();
            TypedRecordMaterializer materializer = new TypedRecordMaterializer(fileSchema, readSchema, file);
            MessageColumnIO columnIO = new ColumnIOFactory(metadata.getCreatedBy())
                    .getColumnIO(materializer.requestedSchema(), fileSchema, true);
            prepared = new Prepared(materializer.requestedSchema(), columnIO, materializer);
            byFileSchema.put(fileSchema, prepared);
        }
        prepared.materializer().reading(file);
        return prepared;
    }
}
