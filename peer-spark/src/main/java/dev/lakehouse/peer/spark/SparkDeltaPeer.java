package dev.lakehouse.peer.spark;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeoutException;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.avro.functions;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.apache.spark.sql.streaming.StreamingQueryException;
import org.apache.spark.sql.streaming.StreamingQueryProgress;
import org.apache.spark.sql.streaming.Trigger;
import org.apache.spark.sql.types.StructField;

/**
 * Spark Structured Streaming with delta-spark, as a Spark user would drain a topic of Confluent-framed Avro into a
 * Delta table: {@code local[2]}, the Kafka source from the earliest offsets, {@code from_avro} on the value after
 * its 5-byte Confluent header (magic byte and schema id), the Delta sink, {@code Trigger.AvailableNow}.
 *
 * <p>Commands (arguments after the command):
 * <ul>
 *   <li>{@code drain BOOTSTRAP TOPIC SCHEMA_FILE TABLE CHECKPOINT}: drains the topic as it is now into {@code TABLE}
 *       and prints {@code session-seconds=S query-seconds=Q rows=N} on one line (building the session, then the
 *       query from start to termination).</li>
 *   <li>{@code upsert BOOTSTRAP TOPIC SCHEMA_FILE TABLE CHECKPOINT KEY START_OFFSETS MAX_OFFSETS_PER_TRIGGER}: a
 *       keyed table as Spark users build one. First, not timed, a batch read of the topic up to
 *       {@code START_OFFSETS} (Spark's JSON form, {@code {"topic":{"0":n,...}}}) becomes the table: the last event of
 *       each key (its Kafka key is the key as text), a null value deleting it. Then the changes from there with
 *       Structured Streaming, {@code Trigger.AvailableNow} and {@code maxOffsetsPerTrigger}, each micro-batch
 *       applied by {@code foreachBatch} as delta-spark's {@code MERGE}: the last event per key, deletes for null
 *       values, updates, inserts of new keys. Prints {@code load-seconds=L session-seconds=S query-seconds=Q
 *       rows=N batches=B}.</li>
 *   <li>{@code compare EXPECTED ACTUAL}: reads both Delta tables, takes {@code EXPECTED}'s columns from both (cast to
 *       {@code EXPECTED}'s types), and prints their row counts, the rows each has that the other lacks, and one
 *       aggregate query on each. Exits with 0 when the tables hold the same rows, 3 when they do not.</li>
 *   <li>{@code query TABLE SQL}: runs {@code SQL} with Spark's default settings (the vectorized Parquet reader),
 *       {@code {table}} standing for the Delta table {@code TABLE}, and prints each result row as JSON on a line of
 *       its own after {@code ROW }: what a Spark user reading the table gets.</li>
 * </ul>
 */
public final class SparkDeltaPeer {

    /** The Confluent wire format's header before the Avro body: a magic byte and a 4-byte schema id. */
    private static final int CONFLUENT_HEADER_BYTES = 5;

    private SparkDeltaPeer() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 6 && args[0].equals("drain")) {
            drain(args[1], args[2], Files.readString(Path.of(args[3])), args[4], args[5]);
        } else if (args.length == 9 && args[0].equals("upsert")) {
            upsert(args[1], args[2], Files.readString(Path.of(args[3])), args[4], args[5], args[6], args[7],
                    Long.parseLong(args[8]));
        } else if (args.length == 3 && args[0].equals("compare")) {
            System.exit(compare(args[1], args[2]) ? 0 : 3);
        } else if (args.length == 3 && args[0].equals("query")) {
            query(args[1], args[2]);
        } else {
            System.err.println("usage: drain BOOTSTRAP TOPIC SCHEMA_FILE TABLE CHECKPOINT | upsert BOOTSTRAP TOPIC "
                    + "SCHEMA_FILE TABLE CHECKPOINT KEY START_OFFSETS MAX_OFFSETS_PER_TRIGGER | compare EXPECTED "
                    + "ACTUAL | query TABLE SQL");
            System.exit(2);
        }
    }

    private static SparkSession session() {
        return SparkSession.builder()
                .master("local[2]")
                .appName("peer-spark")
                .config("spark.sql.extensions", "io.delta.sql.DeltaSparkSessionExtension")
                .config("spark.sql.catalog.spark_catalog", "org.apache.spark.sql.delta.catalog.DeltaCatalog")
                // No web UI: the appliance's console is also off the measured path's critical work.
                .config("spark.ui.enabled", "false")
                .getOrCreate();
    }

    private static void query(String table, String sql) {
        SparkSession spark = session();
        try {
            for (String row : spark.sql(sql.replace("{table}", "delta.`" + table + "`")).toJSON().collectAsList()) {
                System.out.println("ROW " + row);
            }
        } finally {
            spark.stop();
        }
    }

    private static void drain(String bootstrap, String topic, String avroSchema, String table, String checkpoint)
            throws StreamingQueryException, TimeoutException {
        long start = System.nanoTime();
        SparkSession spark = session();
        long sessionBuilt = System.nanoTime();
        Column body = org.apache.spark.sql.functions.expr(
                "substring(value, " + (CONFLUENT_HEADER_BYTES + 1) + ", length(value) - " + CONFLUENT_HEADER_BYTES
                        + ")");
        StreamingQuery query = spark.readStream().format("kafka")
                .option("kafka.bootstrap.servers", bootstrap)
                .option("subscribe", topic)
                .option("startingOffsets", "earliest")
                .load()
                .select(functions.from_avro(body, avroSchema).as("record"))
                .select("record.*")
                .writeStream()
                .format("delta")
                .option("checkpointLocation", checkpoint)
                .trigger(Trigger.AvailableNow())
                .start(table);
        query.awaitTermination();
        long done = System.nanoTime();
        long rows = 0;
        for (StreamingQueryProgress progress : query.recentProgress()) {
            rows += progress.numInputRows();
        }
        System.out.printf("session-seconds=%.2f query-seconds=%.2f rows=%d%n", (sessionBuilt - start) / 1e9,
                (done - sessionBuilt) / 1e9, rows);
        spark.stop();
    }

    private static void upsert(String bootstrap, String topic, String avroSchema, String table, String checkpoint,
                               String key, String startOffsets, long maxOffsetsPerTrigger)
            throws StreamingQueryException, TimeoutException {
        long start = System.nanoTime();
        SparkSession spark = session();
        long sessionBuilt = System.nanoTime();
        // The table as the events before START_OFFSETS leave it: the last event of each key, deletes dropped.
        Dataset<Row> loaded = latestPerKey(spark.read().format("kafka")
                .option("kafka.bootstrap.servers", bootstrap)
                .option("subscribe", topic)
                .option("startingOffsets", "earliest")
                .option("endingOffsets", startOffsets)
                .load(), avroSchema, key);
        loaded.where("NOT __deleted").drop("__deleted").write().format("delta").mode("overwrite").save(table);
        long loadedAt = System.nanoTime();
        List<String> columns = List.of(spark.read().format("delta").load(table).columns());
        java.util.Map<String, String> assignments = new java.util.LinkedHashMap<>();
        for (String column : columns) {
            assignments.put(column, "s." + column);
        }
        long[] batches = {0};
        StreamingQuery query = spark.readStream().format("kafka")
                .option("kafka.bootstrap.servers", bootstrap)
                .option("subscribe", topic)
                .option("startingOffsets", startOffsets)
                .option("maxOffsetsPerTrigger", maxOffsetsPerTrigger)
                .load()
                .writeStream()
                .option("checkpointLocation", checkpoint)
                .trigger(Trigger.AvailableNow())
                .foreachBatch((org.apache.spark.api.java.function.VoidFunction2<Dataset<Row>, Long>) (batch, id) -> {
                    Dataset<Row> changes = latestPerKey(batch, avroSchema, key);
                    io.delta.tables.DeltaTable.forPath(batch.sparkSession(), table).as("t")
                            .merge(changes.as("s"), "t." + key + " = s." + key)
                            .whenMatched("s.__deleted").delete()
                            .whenMatched().updateExpr(assignments)
                            .whenNotMatched("NOT s.__deleted").insertExpr(assignments)
                            .execute();
                    batches[0]++;
                })
                .start();
        query.awaitTermination();
        long done = System.nanoTime();
        long rows = 0;
        for (StreamingQueryProgress progress : query.recentProgress()) {
            rows += progress.numInputRows();
        }
        System.out.printf("load-seconds=%.2f session-seconds=%.2f query-seconds=%.2f rows=%d batches=%d%n",
                (loadedAt - sessionBuilt) / 1e9, (sessionBuilt - start) / 1e9, (done - loadedAt) / 1e9, rows,
                batches[0]);
        spark.stop();
    }

    /**
     * Kafka rows as the last event of each key: the key column from the Kafka key's text, the value's fields, and
     * {@code __deleted} for a null value. One key's events are in one partition, so the highest offset is its last.
     */
    private static Dataset<Row> latestPerKey(Dataset<Row> kafka, String avroSchema, String key) {
        Column body = org.apache.spark.sql.functions.expr(
                "substring(value, " + (CONFLUENT_HEADER_BYTES + 1) + ", length(value) - " + CONFLUENT_HEADER_BYTES
                        + ")");
        Dataset<Row> events = kafka.select(
                org.apache.spark.sql.functions.expr("cast(cast(key AS string) AS long)").as("__key"),
                org.apache.spark.sql.functions.col("offset"),
                org.apache.spark.sql.functions.col("value").isNull().as("__deleted"),
                functions.from_avro(body, avroSchema).as("record"));
        Dataset<Row> last = events.withColumn("__rank", org.apache.spark.sql.functions.row_number().over(
                        org.apache.spark.sql.expressions.Window.partitionBy("__key")
                                .orderBy(org.apache.spark.sql.functions.col("offset").desc())))
                .where("__rank = 1");
        List<Column> columns = new ArrayList<>();
        for (String field : last.select("record.*").columns()) {
            columns.add(field.equals(key) ? org.apache.spark.sql.functions.col("__key").as(key)
                    : org.apache.spark.sql.functions.col("record." + field).as(field));
        }
        columns.add(org.apache.spark.sql.functions.col("__deleted"));
        return last.select(columns.toArray(new Column[0]));
    }

    private static boolean compare(String expectedTable, String actualTable) {
        SparkSession spark = session();
        Dataset<Row> expected = spark.read().format("delta").load(expectedTable);
        Dataset<Row> actualAll = spark.read().format("delta").load(actualTable);
        List<Column> columns = new ArrayList<>();
        for (StructField field : expected.schema().fields()) {
            columns.add(actualAll.col(field.name()).cast(field.dataType()).as(field.name()));
        }
        Dataset<Row> actual = actualAll.select(columns.toArray(new Column[0]));
        long expectedRows = expected.count();
        long actualRows = actual.count();
        long missing = expected.exceptAll(actual).count();
        long extra = actual.exceptAll(expected).count();
        System.out.printf("rows: %,d in %s, %,d in %s; %,d missing from the second, %,d extra in it%n", expectedRows,
                expectedTable, actualRows, actualTable, missing, extra);
        String query = "SELECT country, count(*) AS orders, round(sum(quantity * unit_price), 2) AS revenue,"
                + " count(DISTINCT customer_id) AS customers FROM %s GROUP BY country ORDER BY country";
        expected.createOrReplaceTempView("expected");
        actual.createOrReplaceTempView("actual");
        List<Row> expectedResult = spark.sql(String.format(query, "expected")).collectAsList();
        List<Row> actualResult = spark.sql(String.format(query, "actual")).collectAsList();
        System.out.println("query: " + String.format(query, "<table>"));
        System.out.println("  first:  " + Arrays.toString(expectedResult.toArray()));
        System.out.println("  second: " + Arrays.toString(actualResult.toArray()));
        boolean same = expectedRows == actualRows && missing == 0 && extra == 0 && expectedResult.equals(actualResult);
        System.out.println(same ? "the tables hold the same rows" : "THE TABLES DIFFER");
        spark.stop();
        return same;
    }
}
