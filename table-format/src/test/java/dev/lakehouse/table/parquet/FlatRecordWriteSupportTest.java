package dev.lakehouse.table.parquet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.util.Utf8;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.avro.AvroParquetReader;
import org.apache.parquet.avro.AvroParquetWriter;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.metadata.ColumnChunkMetaData;
import org.apache.parquet.hadoop.metadata.ParquetMetadata;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.apache.parquet.hadoop.util.HadoopOutputFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FlatRecordWriteSupportTest {

    private static final Schema FLAT = new Schema.Parser().parse("""
            {"type": "record", "name": "Order", "namespace": "shop", "fields": [
              {"name": "id", "type": "long"},
              {"name": "customer", "type": ["null", "string"], "default": null},
              {"name": "note", "type": ["string", "null"], "default": ""},
              {"name": "quantity", "type": "int"},
              {"name": "price", "type": ["null", "double"], "default": null},
              {"name": "discount", "type": ["null", "float"], "default": null},
              {"name": "express", "type": ["null", "boolean"], "default": null},
              {"name": "created_at", "type": {"type": "long", "logicalType": "timestamp-millis"}},
              {"name": "day", "type": ["null", {"type": "int", "logicalType": "date"}], "default": null}
            ]}""");

    @TempDir
    Path dir;

    @Test
    void writesTheFileParquetAvroWritesForAFlatSchema() throws IOException {
        List<GenericRecord> rows = new ArrayList<>();
        for (int i = 0; i < 5_000; i++) {
            GenericRecord row = new GenericData.Record(FLAT);
            // Numbers of another box than the field's (an Integer in a long field) are written as parquet-avro does.
            row.put("id", i % 10 == 0 ? (Object) (i * 7) : (Object) ((long) i * 7));
            // Avro's decoder yields Utf8, records built in code yield String: both are written as UTF-8 text.
            row.put("customer", i % 5 == 0 ? null : i % 2 == 0 ? new Utf8("c-" + i % 97) : "c-é-" + i % 89);
            row.put("note", i % 3 == 0 ? null : "");
            row.put("quantity", i % 11 - 5);
            row.put("price", i % 7 == 0 ? null : i % 3 == 0 ? (Object) (float) (i * 0.25) : (Object) (i * 0.25));
            row.put("discount", i % 4 == 0 ? null : (float) (i % 13) / 3);
            row.put("express", i % 6 == 0 ? null : i % 2 == 0);
            row.put("created_at", 1_700_000_000_000L + i);
            row.put("day", i % 9 == 0 ? null : 19_000 + i % 30);
            rows.add(row);
        }
        assertThat(FlatRecordWriteSupport.supports(FLAT, GenericData.get())).isTrue();

        Path byParquetAvro = dir.resolve("parquet-avro.parquet");
        Path flat = dir.resolve("flat.parquet");
        write(AvroParquetWriter.<GenericRecord>builder(output(byParquetAvro)).withSchema(FLAT)
                .withDataModel(GenericData.get()), rows);
        write(FlatRecordWriteSupport.builder(output(flat), FLAT), rows);

        ParquetMetadata expected = footer(byParquetAvro);
        ParquetMetadata actual = footer(flat);
        assertThat(actual.getFileMetaData().getSchema()).isEqualTo(expected.getFileMetaData().getSchema());
        assertThat(actual.getFileMetaData().getKeyValueMetaData())
                .containsEntry("parquet.avro.schema", FLAT.toString())
                .isEqualTo(expected.getFileMetaData().getKeyValueMetaData());
        List<ColumnChunkMetaData> expectedColumns = expected.getBlocks().get(0).getColumns();
        List<ColumnChunkMetaData> actualColumns = actual.getBlocks().get(0).getColumns();
        assertThat(actualColumns).hasSameSizeAs(expectedColumns);
        for (int i = 0; i < expectedColumns.size(); i++) {
            assertThat(actualColumns.get(i).getStatistics()).as("statistics of %s", expectedColumns.get(i).getPath())
                    .isEqualTo(expectedColumns.get(i).getStatistics());
        }
        assertThat(read(flat)).isEqualTo(read(byParquetAvro)).hasSize(rows.size());
    }

    @Test
    void aRequiredFieldHoldingNullFailsNamingIt() throws IOException {
        GenericRecord row = new GenericData.Record(FLAT);
        row.put("customer", "c");
        try (ParquetWriter<GenericRecord> writer = FlatRecordWriteSupport.builder(output(dir.resolve("bad.parquet")),
                FLAT).withConf(new Configuration()).build()) {
            assertThatThrownBy(() -> writer.write(row)).hasMessageContaining("required field 'id'");
        }
    }

    @Test
    void onlyFlatSchemasOfPrimitiveFieldsInPlainGenericDataQualify() {
        Schema nested = SchemaBuilder.record("N").fields().name("inner").type(SchemaBuilder.record("I").fields()
                .requiredLong("x").endRecord()).noDefault().endRecord();
        Schema array = SchemaBuilder.record("A").fields().name("xs").type().array().items().longType().noDefault()
                .endRecord();
        Schema bytes = SchemaBuilder.record("B").fields().requiredBytes("b").endRecord();
        Schema decimal = new Schema.Parser().parse("""
                {"type": "record", "name": "D", "fields": [{"name": "amount", "type":
                  {"type": "bytes", "logicalType": "decimal", "precision": 9, "scale": 2}}]}""");
        Schema uuid = new Schema.Parser().parse("""
                {"type": "record", "name": "U", "fields": [{"name": "id", "type":
                  {"type": "string", "logicalType": "uuid"}}]}""");
        Schema threeWayUnion = SchemaBuilder.record("T").fields().name("v").type().unionOf().nullType().and()
                .longType().and().stringType().endUnion().noDefault().endRecord();
        Schema enumeration = SchemaBuilder.record("E").fields().name("e").type().enumeration("Color")
                .symbols("RED").noDefault().endRecord();

        assertThat(List.of(nested, array, bytes, decimal, uuid, threeWayUnion, enumeration))
                .noneMatch(schema -> FlatRecordWriteSupport.supports(schema, GenericData.get()));
        assertThat(FlatRecordWriteSupport.supports(FLAT, new ParquetDataFileWriter.ByNameData()))
                .as("records read by field name keep parquet-avro's writer").isFalse();
    }

    private static void write(ParquetWriter.Builder<GenericRecord, ?> builder, List<GenericRecord> rows)
            throws IOException {
        try (ParquetWriter<GenericRecord> writer = builder.withConf(new Configuration()).build()) {
            for (GenericRecord row : rows) {
                writer.write(row);
            }
        }
    }

    private static HadoopOutputFile output(Path file) throws IOException {
        return HadoopOutputFile.fromPath(new org.apache.hadoop.fs.Path(file.toUri()), new Configuration());
    }

    private static ParquetMetadata footer(Path file) throws IOException {
        try (ParquetFileReader reader = ParquetFileReader.open(HadoopInputFile.fromPath(
                new org.apache.hadoop.fs.Path(file.toUri()), new Configuration()))) {
            return reader.getFooter();
        }
    }

    private static List<String> read(Path file) throws IOException {
        List<String> rows = new ArrayList<>();
        try (ParquetReader<GenericRecord> reader = AvroParquetReader.<GenericRecord>builder(HadoopInputFile.fromPath(
                new org.apache.hadoop.fs.Path(file.toUri()), new Configuration())).withDataModel(GenericData.get())
                .build()) {
            for (GenericRecord row = reader.read(); row != null; row = reader.read()) {
                rows.add(row.toString());
            }
        }
        return rows;
    }
}
