package dev.lakehouse.table;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.NanoTime;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.MessageTypeParser;
import org.apache.parquet.schema.PrimitiveType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Files the appliance did not write, in the layouts Spark and other engines write, added to a table beside the
 * appliance's own and compacted together: every value reads back unchanged by Delta Kernel, which reads each file by
 * its own types. Also the appliance's own layout: decimals stored as INT32, INT64 and fixed bytes, as Spark and
 * Delta store them, and files of the layout before that (BINARY decimals) compacted into it.
 */
class ForeignFilesIT {

    private static final long BASE_MICROS = 1_763_700_000_123_000L; // 2025-11-21T04:40:00.123Z

    @Test
    void sparkFilesWithInt96OrMicrosecondTimestampsAndThreeLevelListsCompactWithEveryValueUnchanged(
            @TempDir Path dir) throws IOException {
        LakeTable table = LakeTable.open(TestTables.options(dir).build());
        Schema schema = table.createIfAbsent(tableSchema()).avroSchema();
        table.commit(new BatchCommit("p", "i", 0, TestTables.write(table, ownRows(schema, 0, 500)), List.of(),
                Map.of()));
        // Spark's default: INT96 timestamps; with spark.sql.parquet.outputTimestampType=TIMESTAMP_MICROS: INT64 micros.
        DataFile int96 = sparkFile(dir, "part-int96.parquet", "int96", 500, 800);
        DataFile micros = sparkFile(dir, "part-micros.parquet", "TIMESTAMP(MICROS,true)", 800, 1_000);
        table.commit(new BatchCommit("p", "i", 1, List.of(int96, micros), List.of(), Map.of()));
        List<Map<String, Object>> before = byId(KernelReader.read(dir.toString()).rows());
        assertThat(before).hasSize(1_000);
        assertThat(before.get(600).get("created_at")).isEqualTo(BASE_MICROS + 600 * 1_000_000L);

        List<DataFile> files = table.snapshot().files();
        table.rewrite(new FileRewrite(files, table.copyRows(files, 2, 2), false, "OPTIMIZE", Map.of(), Map.of()));

        // Before, INT96 failed every compaction and microseconds were copied into the millisecond column unchanged
        // (1,000 times too large).
        assertThat(table.snapshot().files()).noneMatch(f -> f.path().startsWith("part-int96")
                || f.path().startsWith("part-micros"));
        assertThat(byId(KernelReader.read(dir.toString()).rows())).isEqualTo(before);
    }

    @Test
    void aTimestampFinerThanTheTablesColumnIsNeverTruncatedTheCopyFailsNamingFileAndColumn(@TempDir Path dir)
            throws IOException {
        LakeTable table = LakeTable.open(TestTables.options(dir).build());
        Schema schema = table.createIfAbsent(tableSchema()).avroSchema();
        table.commit(new BatchCommit("p", "i", 0, TestTables.write(table, ownRows(schema, 0, 10)), List.of(),
                Map.of()));
        DataFile micros = sparkFile(dir, "part-submillis.parquet", "TIMESTAMP(MICROS,true)", 10, 20, 456);
        table.commit(new BatchCommit("p", "i", 1, List.of(micros), List.of(), Map.of()));

        List<DataFile> files = table.snapshot().files();
        assertThatThrownBy(() -> table.copyRows(files, 1, 1))
                .isInstanceOf(FileColumnTypeException.class)
                .hasMessageContaining("part-submillis.parquet").hasMessageContaining("'created_at'")
                .hasMessageContaining("finer than millis");
    }

    @Test
    void decimalsAreStoredAsSparkStoresThemAndOldBinaryDecimalsAreRewrittenSo(@TempDir Path dir)
            throws IOException {
        LakeTable table = LakeTable.open(TestTables.options(dir).build());
        Schema schema = table.createIfAbsent(tableSchema()).avroSchema();
        table.commit(new BatchCommit("p", "i", 0, TestTables.write(table, ownRows(schema, 0, 300)), List.of(),
                Map.of()));
        // A file of the previous layout: every decimal BINARY, as parquet-avro writes bytes decimals.
        DataFile legacy = legacyBinaryDecimalFile(dir, 300, 400);
        table.commit(new BatchCommit("p", "i", 1, List.of(legacy), List.of(), Map.of()));

        DataFile own = table.snapshot().files().stream().filter(f -> !f.path().equals(legacy.path())).findFirst()
                .orElseThrow();
        assertThat(decimalColumns(dir.resolve(own.path()))).containsExactly(
                "small:INT32", "amount:INT64", "wide:FIXED_LEN_BYTE_ARRAY(9)");
        List<Map<String, Object>> before = byId(KernelReader.read(dir.toString()).rows());
        assertThat(before.get(351).get("wide")).isEqualTo(new BigDecimal("-123456789012345.6789"));

        List<DataFile> files = table.snapshot().files();
        table.rewrite(new FileRewrite(files, table.copyRows(files, 1, 2), false, "OPTIMIZE", Map.of(), Map.of()));

        DataFile compacted = table.snapshot().files().get(0);
        assertThat(decimalColumns(dir.resolve(compacted.path()))).containsExactly(
                "small:INT32", "amount:INT64", "wide:FIXED_LEN_BYTE_ARRAY(9)");
        assertThat(byId(KernelReader.read(dir.toString()).rows())).isEqualTo(before);
        // Statistics of the new layout: a filter beyond every amount skips the file.
        assertThat(compacted.statsJson()).contains("\"amount\":", "\"small\":");
    }

    @Test
    void aDecimalWithMoreDigitsThanItsColumnIsRefusedNamingTheColumn(@TempDir Path dir) {
        LakeTable table = LakeTable.open(TestTables.options(dir).build());
        Schema schema = table.createIfAbsent(tableSchema()).avroSchema();
        GenericRecord row = ownRows(schema, 0, 1).get(0);
        row.put("small", java.nio.ByteBuffer.wrap(new BigDecimal("12345.67").unscaledValue().toByteArray()));
        assertThatThrownBy(() -> TestTables.write(table, List.of(row)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'small'")
                .hasMessageContaining("at most 5 digits");
    }

    @Test
    void aColumnThatCannotBeReadWithoutChangingValuesFailsTheCopyNamingFileAndColumn(@TempDir Path dir)
            throws IOException {
        LakeTable table = LakeTable.open(TestTables.options(dir).build());
        Schema schema = table.createIfAbsent(tableSchema()).avroSchema();
        table.commit(new BatchCommit("p", "i", 0, TestTables.write(table, ownRows(schema, 0, 10)), List.of(),
                Map.of()));
        // amount with scale 4 into the table's scale 2: every value would be rounded.
        MessageType type = MessageTypeParser.parseMessageType("""
                message spark_schema {
                  optional int64 id;
                  optional int64 amount (DECIMAL(14,4));
                }""");
        Path file = dir.resolve("part-scale4.parquet");
        try (ParquetWriter<Group> writer = ExampleParquetWriter.builder(
                new org.apache.hadoop.fs.Path(file.toUri())).withType(type).build()) {
            writer.write(new SimpleGroupFactory(type).newGroup().append("id", 10L).append("amount", 123_456L));
        }
        DataFile foreign = new DataFile("part-scale4.parquet", Map.of(), Files.size(file), 1, null, 0);
        table.commit(new BatchCommit("p", "i", 1, List.of(foreign), List.of(), Map.of()));

        List<DataFile> files = table.snapshot().files();
        assertThatThrownBy(() -> table.copyRows(files, 1, 1))
                .isInstanceOf(FileColumnTypeException.class)
                .hasMessageContaining("part-scale4.parquet").hasMessageContaining("'amount'")
                .hasMessageContaining("without changing values");
    }

    static Schema tableSchema() {
        Schema millis = LogicalTypes.timestampMillis().addToSchema(Schema.create(Schema.Type.LONG));
        Schema customer = SchemaBuilder.record("Customer").namespace("test").fields()
                .optionalString("email").optionalInt("tier").endRecord();
        return SchemaBuilder.record("Event").namespace("test").fields()
                .requiredLong("id")
                .name("created_at").type(millis).noDefault()
                .name("small").type(decimal(5, 2)).noDefault()
                .name("amount").type(decimal(12, 2)).noDefault()
                .name("wide").type(decimal(20, 4)).noDefault()
                .name("day").type(LogicalTypes.date().addToSchema(Schema.create(Schema.Type.INT))).noDefault()
                .name("tags").type().array().items().stringType().noDefault()
                .name("attrs").type().map().values().longType().noDefault()
                .name("customer").type(customer).noDefault()
                .endRecord();
    }

    private static Schema decimal(int precision, int scale) {
        return LogicalTypes.decimal(precision, scale).addToSchema(Schema.create(Schema.Type.BYTES));
    }

    private static BigDecimal small(long id) {
        return BigDecimal.valueOf(id % 1000 - 500, 2);
    }

    private static BigDecimal amount(long id) {
        return BigDecimal.valueOf(id * 1_000_003L - 100_000_000L, 2);
    }

    private static BigDecimal wide(long id) {
        return new BigDecimal(id % 2 == 0 ? "123456789012345.6789" : "-123456789012345.6789");
    }

    private static List<GenericRecord> ownRows(Schema schema, long from, long to) {
        List<GenericRecord> rows = new ArrayList<>();
        Schema customer = TableSchemas.nonNullBranches(schema.getField("customer").schema()).get(0);
        for (long id = from; id < to; id++) {
            GenericRecord r = new GenericData.Record(schema);
            r.put("id", id);
            r.put("created_at", Math.floorDiv(BASE_MICROS + id * 1_000_000L, 1_000L));
            r.put("small", unscaled(small(id)));
            r.put("amount", unscaled(amount(id)));
            r.put("wide", unscaled(wide(id)));
            r.put("day", (int) (20_000 + id % 3));
            r.put("tags", id % 5 == 0 ? null : List.of("t" + id % 4, "all"));
            r.put("attrs", Map.of("k", id));
            GenericRecord c = new GenericData.Record(customer);
            c.put("email", "c" + id + "@example.com");
            c.put("tier", id % 4 == 0 ? null : (int) (id % 4));
            r.put("customer", id % 7 == 0 ? null : c);
            rows.add(r);
        }
        return rows;
    }

    private static java.nio.ByteBuffer unscaled(BigDecimal value) {
        return java.nio.ByteBuffer.wrap(value.unscaledValue().toByteArray());
    }

    /** A file as Spark 4 writes one of the table's rows: three-level lists, INT32/INT64/FLBA decimals. */
    private static DataFile sparkFile(Path dir, String name, String timestampType, long from, long to)
            throws IOException {
        return sparkFile(dir, name, timestampType, from, to, 0);
    }

    private static DataFile sparkFile(Path dir, String name, String timestampType, long from, long to,
                                      long extraMicros) throws IOException {
        MessageType type = MessageTypeParser.parseMessageType("""
                message spark_schema {
                  optional int64 id;
                  optional %s;
                  optional int32 small (DECIMAL(5,2));
                  optional int64 amount (DECIMAL(12,2));
                  optional fixed_len_byte_array(9) wide (DECIMAL(20,4));
                  optional int32 day (DATE);
                  optional group tags (LIST) {
                    repeated group list {
                      optional binary element (STRING);
                    }
                  }
                  optional group attrs (MAP) {
                    repeated group key_value {
                      required binary key (STRING);
                      optional int64 value;
                    }
                  }
                  optional group customer {
                    optional binary email (STRING);
                    optional int32 tier;
                  }
                }""".formatted(timestampType.equals("int96") ? "int96 created_at"
                : "int64 created_at (" + timestampType + ")"));
        Path file = dir.resolve(name);
        SimpleGroupFactory groups = new SimpleGroupFactory(type);
        try (ParquetWriter<Group> writer = ExampleParquetWriter.builder(new org.apache.hadoop.fs.Path(file.toUri()))
                .withType(type).withConf(new Configuration()).build()) {
            for (long id = from; id < to; id++) {
                Group g = groups.newGroup().append("id", id);
                long micros = BASE_MICROS + id * 1_000_000L + extraMicros;
                if (timestampType.equals("int96")) {
                    Instant at = Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L),
                            Math.floorMod(micros, 1_000_000L) * 1_000L);
                    LocalDate day = at.atZone(ZoneOffset.UTC).toLocalDate();
                    long nanosOfDay = at.atZone(ZoneOffset.UTC).toLocalTime().toNanoOfDay();
                    g.append("created_at", new NanoTime((int) (day.toEpochDay() + 2_440_588L), nanosOfDay));
                } else {
                    g.append("created_at", micros);
                }
                g.append("small", small(id).unscaledValue().intValueExact());
                g.append("amount", amount(id).unscaledValue().longValueExact());
                g.append("wide", org.apache.parquet.io.api.Binary.fromConstantByteArray(fixed(wide(id), 9)));
                g.append("day", (int) (20_000 + id % 3));
                appendNested(g, id);
                writer.write(g);
            }
        }
        return new DataFile(name, Map.of(), Files.size(file), to - from, null, 0);
    }

    /** A file of the appliance's previous layout: parquet-avro's, every decimal BINARY. */
    private static DataFile legacyBinaryDecimalFile(Path dir, long from, long to) throws IOException {
        MessageType type = MessageTypeParser.parseMessageType("""
                message test.Event {
                  required int64 id;
                  optional int64 created_at (TIMESTAMP(MILLIS,true));
                  optional binary small (DECIMAL(5,2));
                  optional binary amount (DECIMAL(12,2));
                  optional binary wide (DECIMAL(20,4));
                  optional int32 day (DATE);
                  optional group tags (LIST) {
                    repeated group list {
                      required binary element (STRING);
                    }
                  }
                  optional group attrs (MAP) {
                    repeated group key_value (MAP_KEY_VALUE) {
                      required binary key (STRING);
                      required int64 value;
                    }
                  }
                  optional group customer {
                    optional binary email (STRING);
                    optional int32 tier;
                  }
                }""");
        Path file = dir.resolve("part-legacy.parquet");
        SimpleGroupFactory groups = new SimpleGroupFactory(type);
        try (ParquetWriter<Group> writer = ExampleParquetWriter.builder(new org.apache.hadoop.fs.Path(file.toUri()))
                .withType(type).build()) {
            for (long id = from; id < to; id++) {
                Group g = groups.newGroup().append("id", id)
                        .append("created_at", Math.floorDiv(BASE_MICROS + id * 1_000_000L, 1_000L))
                        .append("small", binary(small(id))).append("amount", binary(amount(id)))
                        .append("wide", binary(wide(id))).append("day", (int) (20_000 + id % 3));
                appendNested(g, id);
                writer.write(g);
            }
        }
        return new DataFile("part-legacy.parquet", Map.of(), Files.size(file), to - from, null, 0);
    }

    /** The nested columns of row {@code id} (three-level list, map, struct), as {@link #ownRows} has them. */
    private static void appendNested(Group g, long id) {
        if (id % 5 != 0) {
            Group tags = g.addGroup("tags");
            tags.addGroup("list").append("element", "t" + id % 4);
            tags.addGroup("list").append("element", "all");
        }
        g.addGroup("attrs").addGroup("key_value").append("key", "k").append("value", id);
        if (id % 7 != 0) {
            Group c = g.addGroup("customer").append("email", "c" + id + "@example.com");
            if (id % 4 != 0) {
                c.append("tier", (int) (id % 4));
            }
        }
    }

    private static org.apache.parquet.io.api.Binary binary(BigDecimal value) {
        return org.apache.parquet.io.api.Binary.fromConstantByteArray(value.unscaledValue().toByteArray());
    }

    private static byte[] fixed(BigDecimal value, int length) {
        byte[] bytes = value.unscaledValue().toByteArray();
        byte[] out = new byte[length];
        java.util.Arrays.fill(out, 0, length - bytes.length, bytes[0] < 0 ? (byte) -1 : 0);
        System.arraycopy(bytes, 0, out, length - bytes.length, bytes.length);
        return out;
    }

    /** The decimal columns of a data file as name:physical type. */
    private static List<String> decimalColumns(Path file) throws IOException {
        try (ParquetFileReader reader = ParquetFileReader.open(HadoopInputFile.fromPath(
                new org.apache.hadoop.fs.Path(file.toUri()), new Configuration()))) {
            List<String> out = new ArrayList<>();
            for (org.apache.parquet.schema.Type field : reader.getFooter().getFileMetaData().getSchema().getFields()) {
                if (field.isPrimitive() && field.getLogicalTypeAnnotation()
                        instanceof org.apache.parquet.schema.LogicalTypeAnnotation.DecimalLogicalTypeAnnotation) {
                    PrimitiveType primitive = field.asPrimitiveType();
                    out.add(field.getName() + ":" + primitive.getPrimitiveTypeName()
                            + (primitive.getPrimitiveTypeName() == PrimitiveTypeName.FIXED_LEN_BYTE_ARRAY
                            ? "(" + primitive.getTypeLength() + ")" : ""));
                }
            }
            return out;
        }
    }

    private static List<Map<String, Object>> byId(List<Map<String, Object>> rows) {
        return rows.stream().sorted(Comparator.comparingLong(r -> (Long) r.get("id")))
                .map(r -> (Map<String, Object>) new java.util.TreeMap<>(r)).toList();
    }
}
