package dev.lakehouse.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.lakehouse.app.config.ApplianceYaml;
import dev.lakehouse.kafka.local.LocalKafkaBroker;
import dev.lakehouse.registry.server.SchemaRegistryServer;
import dev.lakehouse.table.KernelReader;
import dev.lakehouse.table.LakeTable;
import dev.lakehouse.table.TableOptions;
import dev.lakehouse.testkit.KafkaBrokerExtension;
import dev.lakehouse.testkit.PostgresServer;
import dev.lakehouse.testkit.SchemaRegistryExtension;
import dev.lakehouse.testkit.TestNames;
import java.io.File;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Array;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real thing: Debian's PostgreSQL, Debezium 3.6's embedded engine with its PostgreSQL connector (module
 * {@code peer-debezium}, a JVM of its own) writing the table's changes to the broker through Kafka Connect's JSON
 * converter, once with schemas (the converter's default: the table's columns come from the events, Debezium's
 * logical types included) and once without (the columns from {@code value-schema-file}), and once more in the Avro
 * converter's format through the registry (Kafka Connect's Avro mapping by Apicurio's {@code AvroData}, a port of
 * Confluent's; keys in Avro too, the table keyed by them), each stream into a
 * keyed table ({@code table.mode: upsert}, {@code source.envelope: debezium}) by {@code bin/lakehouse run} with
 * the shipped configuration. A snapshot, then inserts, updates, deletes, a primary-key update and a column added
 * by {@code ALTER TABLE}, with a SIGKILL of the appliance in the middle: both tables Delta Kernel reads must equal
 * the database table, row for row and value for value, as PostgreSQL itself returns it. A third table takes the
 * stream with schemas with {@code table.soft-deletes} and {@code table.change-metadata}, ordered by PostgreSQL's log
 * position ({@code version-column: _source_lsn}): its live rows equal the
 * database table, and every deleted key's row stays, marked, with Debezium's operation and the source time.
 * A fourth pipeline takes the whole database as Debezium writes it, a topic per table ({@code topic-pattern},
 * a {@code {topic}} table location) with no {@code table.key}: each table is keyed by its own primary key, as
 * Debezium's Kafka key gives it (a composite one for {@code order_lines}), and equals its database table.
 */
@ExtendWith({KafkaBrokerExtension.class, SchemaRegistryExtension.class})
class DebeziumPostgresIT {

    private static final int PARTITIONS = 3;
    private static final String COLUMNS = "id, name, email, balance, vip, born, updated_at, created, tags, profile, "
            + "token";

    /** The rows' columns for the stream without schemas: prepared with the column the test adds later. */
    private static final String CUSTOMER_AVSC = """
            {"type": "record", "name": "Customer", "namespace": "shop", "fields": [
              {"name": "id", "type": "int"},
              {"name": "name", "type": "string"},
              {"name": "email", "type": ["null", "string"], "default": null},
              {"name": "balance", "type": ["null", {"type": "bytes", "logicalType": "decimal", "precision": 12,
                "scale": 2}], "default": null},
              {"name": "vip", "type": ["null", "boolean"], "default": null},
              {"name": "born", "type": ["null", {"type": "int", "logicalType": "date"}], "default": null},
              {"name": "updated_at", "type": ["null", {"type": "long", "logicalType": "timestamp-micros"}],
                "default": null},
              {"name": "created", "type": ["null", {"type": "long", "logicalType": "timestamp-micros"}],
                "default": null},
              {"name": "tags", "type": ["null", {"type": "array", "items": ["null", "string"]}], "default": null},
              {"name": "profile", "type": ["null", "string"], "default": null},
              {"name": "token", "type": ["null", "string"], "default": null},
              {"name": "loyalty", "type": ["null", "int"], "default": null}]}""";

    @TempDir
    Path dir;

    private final Random random = new Random(42);
    private int nextId = 1;
    /** Keys the database no longer has: the soft-deleting table keeps their rows, marked. */
    private final java.util.Set<Integer> deletedIds = new java.util.TreeSet<>();

    @Test
    void aPostgresTableStreamedByDebeziumBecomesTheSameDeltaTable(LocalKafkaBroker kafka,
                                                                 SchemaRegistryServer registry) throws Exception {
        Path pgLog = Path.of("target", "debezium-postgres.log").toAbsolutePath();
        Files.deleteIfExists(pgLog);
        try (PostgresServer postgres = PostgresServer.start(pgLog)) {
            try (Connection admin = DriverManager.getConnection(postgres.jdbcUrl("postgres"));
                 Statement statement = admin.createStatement()) {
                statement.execute("CREATE DATABASE shop");
            }
            try (Connection db = DriverManager.getConnection(postgres.jdbcUrl("shop"))) {
                run(db, "CREATE TABLE customers (id integer PRIMARY KEY, name text NOT NULL, email varchar(120), "
                        + "balance numeric(12,2), vip boolean, born date, updated_at timestamp(6), "
                        + "created timestamptz, tags text[], profile jsonb, token uuid)");
                run(db, "CREATE TABLE order_lines (order_id integer, line integer, sku text NOT NULL, "
                        + "quantity integer, price numeric(10,2), PRIMARY KEY (order_id, line))");
                for (int i = 0; i < 300; i++) {
                    insert(db); // the snapshot's rows
                    changeLine(db);
                }
                streamInto(kafka, registry, postgres, db);
            }
        }
    }

    private void streamInto(LocalKafkaBroker kafka, SchemaRegistryServer registry, PostgresServer postgres,
                            Connection db) throws Exception {
        String run = TestNames.unique("cdc").replace('-', '_');
        String withSchemas = run + "_schemas";
        String withoutSchemas = run + "_plain";
        String avro = run + "_avro";
        for (String table : List.of("customers", "order_lines")) {
            kafka.createTopic(withSchemas + ".public." + table, PARTITIONS);
            kafka.createTopic(withoutSchemas + ".public." + table, PARTITIONS);
        }
        kafka.createTopic(avro + ".public.customers", PARTITIONS);
        String schemasTable = dir.resolve("customers_schemas").toUri().toString();
        String plainTable = dir.resolve("customers_plain").toUri().toString();
        String historyTable = dir.resolve("customers_history").toUri().toString();
        String avroTable = dir.resolve("customers_avro").toUri().toString();
        Path database = dir.resolve("shop");
        String databaseCustomers = database.resolve(withSchemas + ".public.customers").toUri().toString();
        String databaseLines = database.resolve(withSchemas + ".public.order_lines").toUri().toString();
        Files.writeString(dir.resolve("customer.avsc"), CUSTOMER_AVSC);
        ApplianceYaml yaml = new ApplianceYaml();
        ShippedConfig.pipeline(yaml, "customers_schemas", kafka, registry, withSchemas + ".public.customers",
                        schemasTable, "appliance-1")
                .set("format", "json").set("source.envelope", "debezium").set("table.mode", "upsert")
                .set("table.key", List.of("id"));
        // The same change stream into a table that keeps deleted rows, marked, with each row's change metadata.
        ShippedConfig.pipeline(yaml, "customers_history", kafka, registry, withSchemas + ".public.customers",
                        historyTable, "appliance-1")
                .set("format", "json").set("source.envelope", "debezium").set("table.mode", "upsert")
                .set("table.key", List.of("id")).set("table.soft-deletes", true).set("table.change-metadata", true)
                .set("table.version-column", "_source_lsn"); // PostgreSQL's log position orders the changes
        ShippedConfig.pipeline(yaml, "customers_plain", kafka, registry, withoutSchemas + ".public.customers",
                        plainTable, "appliance-1")
                .set("format", "json").set("value-schema-file", "customer.avsc").set("source.envelope", "debezium")
                .set("table.mode", "upsert").set("table.key", List.of("id"));
        // The stream in the Avro converter's format through the registry, keyed by its Avro key (no table.key).
        ShippedConfig.pipeline(yaml, "customers_avro", kafka, registry, avro + ".public.customers", avroTable,
                        "appliance-1")
                .set("format", "avro").set("source.envelope", "debezium").set("table.mode", "upsert");
        // The whole database: a table per topic, each keyed by its primary key from Debezium's Kafka key.
        ShippedConfig.pipeline(yaml, "shop", kafka, registry, "unused", database.toUri() + "/{topic}", "appliance-1")
                .set("source.topics", null)
                .set("source.topic-pattern", withSchemas + "\\.public\\..*")
                .set("source.group-id", "lakehouse-shop-" + withSchemas)
                .set("format", "json").set("source.envelope", "debezium").set("table.mode", "upsert");
        Path config = yaml.console("host", "127.0.0.1").console("port", 0).write(dir.resolve("lakehouse.yaml"));
        Path log = Path.of("target", "debezium-appliance.log").toAbsolutePath();
        Files.deleteIfExists(log);

        Process appliance = ApplianceProcess.startInstalled(config, log);
        Process debezium = startDebezium(kafka, registry, postgres, withSchemas, withoutSchemas, avro);
        try {
            for (int i = 0; i < 400; i++) {
                change(db, false);
                changeLine(db);
            }
            // A primary-key update: Debezium writes a delete of the old key (and its tombstone) and a create.
            int moved = anyId(db);
            run(db, "UPDATE customers SET id = " + (100_000 + moved) + " WHERE id = " + moved);
            deletedIds.add(moved);
            awaitSame(db, List.of(schemasTable, plainTable, avroTable, historyTable, databaseCustomers), log);
            awaitSameLines(db, databaseLines, log);

            // SIGKILL, then on with a restarted appliance: nothing applied twice, nothing lost.
            appliance.destroyForcibly();
            assertThat(appliance.waitFor(30, TimeUnit.SECONDS)).isTrue();
            appliance = ApplianceProcess.startInstalled(config, log);
            run(db, "ALTER TABLE customers ADD COLUMN loyalty integer");
            for (int i = 0; i < 300; i++) {
                change(db, true);
                changeLine(db);
            }
            awaitSame(db, List.of(schemasTable, plainTable, avroTable, historyTable, databaseCustomers), log);
            awaitSameLines(db, databaseLines, log);
        } finally {
            debezium.destroy();
            debezium.waitFor(30, TimeUnit.SECONDS);
            appliance.destroy();
            assertThat(appliance.waitFor(60, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(Files.readString(log)).doesNotContain("FAILED").doesNotContain("OutOfMemoryError");
        // The soft-deleting table: every deleted key's row is there, marked, with the delete's operation; every
        // row says which change made it and when the database made it.
        java.util.Set<Integer> marked = new java.util.TreeSet<>();
        for (Map<String, Object> row : KernelReader.read(historyTable).rows()) {
            assertThat(row.get("_source_ts")).as("source time of %s", row).isNotNull();
            assertThat(row.get("_source_lsn")).as("source log position of %s", row).isNotNull();
            if (Boolean.TRUE.equals(row.get("_deleted"))) {
                marked.add((Integer) row.get("id"));
                assertThat(row.get("_op")).as("operation of deleted %s", row).isEqualTo("d");
                assertThat(row.get("name")).as("a deleted row keeps its last values").isNotNull();
            } else {
                assertThat(row.get("_deleted")).isEqualTo(Boolean.FALSE);
                assertThat(row.get("_op")).as("operation of %s", row).isIn("r", "c", "u");
            }
        }
        assertThat(marked).as("the keys deleted in the database").isEqualTo(deletedIds).isNotEmpty();
        assertThat(LakeTable.open(TableOptions.builder(databaseLines).build()).snapshot().keyColumns())
                .as("the key recorded in the order lines' table: the primary key, from Debezium's Kafka key")
                .containsExactly("order_id", "line");
        assertThat(LakeTable.open(TableOptions.builder(databaseCustomers).build()).snapshot().keyColumns())
                .containsExactly("id");
        assertThat(LakeTable.open(TableOptions.builder(avroTable).build()).snapshot().keyColumns())
                .as("the Avro stream's table is keyed by Debezium's Avro key").containsExactly("id");
        for (String table : List.of(schemasTable, plainTable, avroTable)) {
            assertThat(LakeTable.open(TableOptions.builder(table).build()).history(10_000))
                    .as("merges with deletes in %s", table)
                    .anyMatch(c -> c.operation().equals("MERGE")
                            && Long.parseLong(c.metrics().getOrDefault("numTargetRowsDeleted", "0")) > 0);
            assertThat(Files.exists(Path.of(java.net.URI.create(table + "_dead_letters"))))
                    .as("no dead letters for %s", table).isFalse();
        }
    }

    private Process startDebezium(LocalKafkaBroker kafka, SchemaRegistryServer registry, PostgresServer postgres,
                                  String withSchemas, String withoutSchemas, String avro) throws Exception {
        Path peer = Path.of("..", "peer-debezium", "target").toAbsolutePath().normalize();
        assertThat(peer.resolve("peer-debezium.jar")).as("the peer-debezium module is built before app").exists();
        Path out = Path.of("target", "debezium-peer.log").toAbsolutePath();
        Files.deleteIfExists(out);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process process = new ProcessBuilder(java, "-Xmx512m",
                "-cp", peer.resolve("peer-debezium.jar") + File.pathSeparator + peer.resolve("lib") + "/*",
                "dev.lakehouse.peer.debezium.DebeziumPostgresPeer",
                "bootstrap=" + kafka.bootstrapServers(), "host=127.0.0.1", "port=" + postgres.port(),
                "database=shop", "user=postgres", "table=public.customers,public.order_lines",
                "state=" + dir.resolve("debezium"),
                "streams=" + withSchemas + ":true," + withoutSchemas + ":false," + avro + ":avro",
                "registry=" + registry.url(),
                // Without schemas nothing says a decimal's scale: Debezium writes them as text then, as
                // schemaless users configure it.
                "stream." + withoutSchemas + ".decimal.handling.mode=string")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.to(out.toFile())).start();
        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(200)).until(() -> {
            assertThat(process.isAlive()).as("Debezium runs (see %s)", out).isTrue();
            String text = Files.readString(out);
            return text.contains("STARTED " + withSchemas) && text.contains("STARTED " + withoutSchemas)
                    && text.contains("STARTED " + avro);
        });
        return process;
    }

    /** One random change in its own transaction: mostly updates, some inserts and deletes. */
    private void change(Connection db, boolean withLoyalty) throws SQLException {
        int dice = random.nextInt(100);
        if (dice < 20) {
            insert(db);
        } else if (dice < 35) {
            int id = anyId(db);
            run(db, "DELETE FROM customers WHERE id = " + id);
            deletedIds.add(id);
        } else {
            int id = anyId(db);
            switch (random.nextInt(withLoyalty ? 5 : 4)) {
                case 0 -> update(db, "UPDATE customers SET balance = ?, updated_at = ? WHERE id = ?",
                        balance(), LocalDateTime.now().truncatedTo(ChronoUnit.MICROS), id);
                case 1 -> update(db, "UPDATE customers SET email = ?, vip = ? WHERE id = ?",
                        random.nextBoolean() ? null : "c" + id + "@example.com", random.nextBoolean(), id);
                case 2 -> update(db, "UPDATE customers SET tags = ?, profile = ?::jsonb WHERE id = ?",
                        db.createArrayOf("text", new String[] {"t" + random.nextInt(5), null}),
                        "{\"level\": " + random.nextInt(9) + ", \"notes\": [\"a\", \"ü\"]}", id);
                case 3 -> update(db, "UPDATE customers SET name = ?, born = ? WHERE id = ?",
                        "renamed " + random.nextInt(1_000), LocalDate.of(1950 + random.nextInt(60), 1, 1)
                                .plusDays(random.nextInt(365)), id);
                default -> update(db, "UPDATE customers SET loyalty = ? WHERE id = ?", random.nextInt(10_000), id);
            }
        }
    }

    /** One random change of an order line: a new line, a quantity or price changed, or a line removed. */
    private void changeLine(Connection db) throws SQLException {
        int order = random.nextInt(60);
        int line = random.nextInt(5);
        int dice = random.nextInt(10);
        if (dice < 2) {
            update(db, "DELETE FROM order_lines WHERE order_id = ? AND line = ?", order, line);
        } else {
            update(db, "INSERT INTO order_lines VALUES (?, ?, ?, ?, ?) ON CONFLICT (order_id, line) DO UPDATE SET "
                            + "quantity = EXCLUDED.quantity, price = EXCLUDED.price",
                    order, line, "sku-" + order + "-" + line, random.nextInt(50), balance().movePointLeft(3));
        }
    }

    /** Waits until the table holds exactly the database's order lines, keyed by (order_id, line). */
    private static void awaitSameLines(Connection db, String table, Path log) throws Exception {
        Map<String, String> expected = new TreeMap<>();
        try (Statement statement = db.createStatement();
             ResultSet row = statement.executeQuery("SELECT order_id, line, sku, quantity, price FROM order_lines")) {
            while (row.next()) {
                expected.put(row.getInt(1) + "/" + row.getInt(2), canonical(row.getString(3), row.getObject(4),
                        row.getBigDecimal(5)));
            }
        }
        java.util.concurrent.atomic.AtomicReference<Map<String, String>> seen =
                new java.util.concurrent.atomic.AtomicReference<>();
        try {
            await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(2)).until(() -> {
                Map<String, String> rows = new TreeMap<>();
                if (committed(table)) {
                    for (Map<String, Object> row : KernelReader.read(table).rows()) {
                        String key = row.get("order_id") + "/" + row.get("line");
                        assertThat(rows.put(key, canonical(row.get("sku"), row.get("quantity"), row.get("price"))))
                                .as("one row for order line %s", key).isNull();
                    }
                }
                seen.set(rows);
                return rows.equals(expected);
            });
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError(table + " does not equal the order_lines table (see " + log + "): table "
                    + seen.get() + " / database " + expected, e);
        }
    }

    private void insert(Connection db) throws SQLException {
        update(db, "INSERT INTO customers (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?)",
                nextId, "customer " + nextId, nextId % 4 == 0 ? null : "c" + nextId + "@example.com", balance(),
                nextId % 3 == 0, LocalDate.of(1970, 1, 1).plusDays(random.nextInt(20_000)),
                LocalDateTime.of(2026, 1, 1, 0, 0).plusNanos(random.nextLong(1L << 50) / 1_000 * 1_000),
                OffsetDateTime.of(2025, 6, 1, 12, 0, 0, 0, ZoneOffset.ofHours(2)).plusSeconds(random.nextInt(1 << 24)),
                db.createArrayOf("text", new String[] {"new", "n" + nextId}), "{\"level\": 1}",
                UUID.nameUUIDFromBytes(new byte[] {(byte) nextId, (byte) (nextId >> 8)}));
        nextId++;
    }

    private BigDecimal balance() {
        return BigDecimal.valueOf(random.nextLong(2_000_000_000L) - 1_000_000_000L, 2);
    }

    private int anyId(Connection db) throws SQLException {
        try (Statement statement = db.createStatement();
             ResultSet rows = statement.executeQuery("SELECT id FROM customers ORDER BY random() LIMIT 1")) {
            assertThat(rows.next()).isTrue();
            return rows.getInt(1);
        }
    }

    private static void update(Connection db, String sql, Object... values) throws SQLException {
        try (PreparedStatement statement = db.prepareStatement(sql)) {
            for (int i = 0; i < values.length; i++) {
                statement.setObject(i + 1, values[i]);
            }
            statement.executeUpdate();
        }
    }

    private static void run(Connection db, String sql) throws SQLException {
        try (Statement statement = db.createStatement()) {
            statement.execute(sql);
        }
    }

    /** Waits until every table holds exactly the database table's rows. */
    private void awaitSame(Connection db, List<String> tables, Path log) throws Exception {
        Map<Integer, String> expected = databaseRows(db);
        for (String table : tables) {
            java.util.concurrent.atomic.AtomicReference<Map<Integer, String>> seen =
                    new java.util.concurrent.atomic.AtomicReference<>();
            try {
                await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(2)).until(() -> {
                    seen.set(tableRows(table));
                    return seen.get().equals(expected);
                });
            } catch (org.awaitility.core.ConditionTimeoutException e) {
                Map<Integer, String> last = seen.get();
                Map<Integer, String> differences = new TreeMap<>();
                for (Integer id : new TreeSet<>(Stream.concat(expected.keySet().stream(),
                        last == null ? Stream.<Integer>empty() : last.keySet().stream()).toList())) {
                    String actual = last == null ? null : last.get(id);
                    if (!java.util.Objects.equals(actual, expected.get(id))) {
                        differences.put(id, "table " + actual + " / database " + expected.get(id));
                        if (differences.size() == 10) {
                            break;
                        }
                    }
                }
                throw new AssertionError(table + " does not equal the database table (see " + log + "); first keys "
                        + "that differ: " + differences, e);
            }
        }
    }

    /** The database table's rows as PostgreSQL returns them, each value in a canonical text. */
    private static Map<Integer, String> databaseRows(Connection db) throws SQLException {
        Map<Integer, String> rows = new TreeMap<>();
        boolean loyalty;
        try (Statement statement = db.createStatement();
             ResultSet columns = statement.executeQuery("SELECT count(*) FROM information_schema.columns "
                     + "WHERE table_name = 'customers' AND column_name = 'loyalty'")) {
            columns.next();
            loyalty = columns.getInt(1) == 1;
        }
        try (Statement statement = db.createStatement();
             ResultSet row = statement.executeQuery("SELECT " + COLUMNS + (loyalty ? ", loyalty" : "")
                     + " FROM customers")) {
            while (row.next()) {
                LocalDate born = row.getObject("born", LocalDate.class);
                LocalDateTime updated = row.getObject("updated_at", LocalDateTime.class);
                OffsetDateTime created = row.getObject("created", OffsetDateTime.class);
                Array tags = row.getArray("tags");
                rows.put(row.getInt("id"), canonical(row.getString("name"), row.getString("email"),
                        row.getBigDecimal("balance"), row.getObject("vip"),
                        born == null ? null : born.toEpochDay(),
                        updated == null ? null : micros(updated.toInstant(ZoneOffset.UTC)),
                        created == null ? null : micros(created.toInstant()),
                        tags == null ? null : Arrays.asList((Object[]) tags.getArray()),
                        row.getString("profile"), row.getString("token"),
                        loyalty ? (Object) row.getObject("loyalty") : null));
            }
        }
        return rows;
    }

    /** A Delta table's rows as Delta Kernel reads them, in the same canonical text. */
    private static Map<Integer, String> tableRows(String location) {
        Map<Integer, String> rows = new TreeMap<>();
        if (!committed(location)) {
            return rows;
        }
        for (Map<String, Object> row : KernelReader.read(location).rows()) {
            if (Boolean.TRUE.equals(row.get("_deleted"))) {
                continue; // a soft-deleted row: the database has none
            }
            String previous = rows.put((Integer) row.get("id"), canonical(row.get("name"), row.get("email"),
                    row.get("balance"), row.get("vip"), row.get("born") == null ? null
                            : ((Integer) row.get("born")).longValue(), row.get("updated_at"), row.get("created"),
                    row.get("tags"), row.get("profile"), row.get("token"), row.get("loyalty")));
            assertThat(previous).as("one row for key %s in %s", row.get("id"), location).isNull();
        }
        return rows;
    }

    /** Whether the table has a committed version: its log's directory exists a moment before. */
    private static boolean committed(String location) {
        Path log = Path.of(java.net.URI.create(location)).resolve("_delta_log");
        try (Stream<Path> files = Files.exists(log) ? Files.list(log) : Stream.empty()) {
            return files.anyMatch(file -> file.getFileName().toString().matches("\\d{20}\\.json"));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static String canonical(Object... values) {
        List<String> out = new ArrayList<>();
        for (Object value : values) {
            if (value instanceof BigDecimal decimal) {
                out.add(decimal.stripTrailingZeros().toPlainString());
            } else if (value instanceof List<?> list) {
                out.add(list.stream().map(String::valueOf).toList().toString());
            } else {
                out.add(String.valueOf(value));
            }
        }
        return String.join("|", out);
    }

    private static long micros(java.time.Instant instant) {
        return instant.getEpochSecond() * 1_000_000L + instant.getNano() / 1_000;
    }
}
