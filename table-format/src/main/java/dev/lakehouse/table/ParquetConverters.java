package dev.lakehouse.table;

import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.HadoopReadOptions;
import org.apache.parquet.ParquetReadOptions;
import org.apache.parquet.avro.AvroReadSupport;
import org.apache.parquet.hadoop.api.InitContext;
import org.apache.parquet.hadoop.api.ReadSupport;
import org.apache.parquet.hadoop.metadata.FileMetaData;
import org.apache.parquet.io.ColumnIOFactory;
import org.apache.parquet.io.MessageColumnIO;
import org.apache.parquet.io.api.RecordMaterializer;
import org.apache.parquet.schema.MessageType;

/**
 * What turning a Parquet file's pages into Avro records needs, built once per file schema and reused for every
 * file of that schema: parquet-avro's record converters (from the Avro read schema in the configuration) and the
 * column I/O tree. Building these per file is what made compaction of many small files slow: a group's files
 * almost always share one schema. Also the read options (codec factory included), built once.
 *
 * <p>Not thread-safe: converters hold the record being assembled. One instance per reading thread.
 */
final class ParquetConverters {

    /** The converters and column I/O of one file schema. */
    record Prepared(MessageType requestedSchema, MessageColumnIO columnIO,
                    RecordMaterializer<GenericRecord> materializer) {
    }

    private final Configuration conf;
    private final ParquetReadOptions readOptions;
    private final Map<MessageType, Prepared> byFileSchema = new HashMap<>();

    /** @param conf a configuration from {@link ParquetRowReader#readConf}, carrying the Avro read schema */
    ParquetConverters(Configuration conf) {
        this.conf = conf;
        this.readOptions = HadoopReadOptions.builder(conf).build();
    }

    ParquetReadOptions readOptions() {
        return readOptions;
    }

    /** The converters for files with {@code metadata}'s schema, built on the first file of that schema. */
    Prepared forFile(FileMetaData metadata) {
        return byFileSchema.computeIfAbsent(metadata.getSchema(), fileSchema -> {
            Map<String, String> keyValues = metadata.getKeyValueMetaData();
            Map<String, Set<String>> keyValueSets = new HashMap<>();
            keyValues.forEach((k, v) -> keyValueSets.put(k, new LinkedHashSet<>(Set.of(v))));
            AvroReadSupport<GenericRecord> support = new AvroReadSupport<>(GenericData.get());
            ReadSupport.ReadContext context = support.init(new InitContext(conf, keyValueSets, fileSchema));
            RecordMaterializer<GenericRecord> materializer = support.prepareForRead(conf, keyValues, fileSchema,
                    context);
            MessageColumnIO columnIO = new ColumnIOFactory(metadata.getCreatedBy())
                    .getColumnIO(context.getRequestedSchema(), fileSchema, true);
            return new Prepared(context.getRequestedSchema(), columnIO, materializer);
        });
    }
}
