package dev.lakehouse.app.config;

import dev.lakehouse.ingest.status.FreshnessObjective;
import static org.assertj.core.api.Assertions.assertThat;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lakehouse.console.ConsoleRole;
import dev.lakehouse.console.PasswordHash;
import dev.lakehouse.ingest.settings.Envelope;
import dev.lakehouse.ingest.settings.IncompatibleSchemaPolicy;
import dev.lakehouse.ingest.settings.OffsetGapPolicy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfigLoaderTest {

    private static final String MINIMAL = """
            pipelines:
              - name: orders
                source:
                  bootstrap-servers: localhost:9092
                  topics: [orders]
                registry:
                  url: http://localhost:8081
                table:
                  location: data/orders
            """;

    @Test
    void fillsDefaultsAndResolvesRelativeLocations() {
        ApplianceConfig config = ConfigLoader.parse(MINIMAL, "test.yaml", Path.of("/srv/lakehouse"));
        ApplianceConfig.PipelineConfig p = config.pipelines().get(0);
        assertThat(p.format()).isEqualTo(ApplianceConfig.Format.AVRO);
        assertThat(p.table().location()).isEqualTo("file:///srv/lakehouse/data/orders");
        assertThat(p.table().codec()).isEqualTo("zstd");
        assertThat(p.table().targetFileSize()).isEqualTo(128L * 1024 * 1024);
        assertThat(p.trigger().interval()).isEqualTo(Duration.ofSeconds(30));
        assertThat(p.trigger().maxRecords()).isEqualTo(1_000_000);
        assertThat(p.trigger().maxBytes()).isEqualTo(256L * 1024 * 1024);
        assertThat(p.source().startingPosition()).isEqualTo("earliest");
        assertThat(p.onIncompatibleSchema()).isEqualTo(IncompatibleSchemaPolicy.DEAD_LETTER);
        assertThat(p.deadLetters().tableLocation()).isEqualTo("file:///srv/lakehouse/data/orders_dead_letters");
        assertThat(p.deadLetters().topic()).isNull();
        assertThat(p.source().onOffsetGap()).isEqualTo(OffsetGapPolicy.FAIL);
        assertThat(p.source().maxRecordSize()).isEqualTo(16L * 1024 * 1024);
        assertThat(p.table().requiredColumns()).isEmpty();
        assertThat(p.table().kafkaMetadata()).as("no _kafka column by default").isFalse();
        assertThat(p.table().commitCoordination()).isEqualTo(ApplianceConfig.CommitCoordinationMode.AUTO);
    }

    @Test
    void theConsoleDefaultsToReadOnlyOnLocalhostAndTakesHashedUsers() {
        ApplianceConfig.ConsoleConfig defaults = ConfigLoader.parse(MINIMAL, "x.yaml", null).console();
        assertThat(defaults).isEqualTo(ApplianceConfig.ConsoleConfig.defaults());
        assertThat(defaults.host()).isEqualTo("127.0.0.1");
        assertThat(defaults.port()).isEqualTo(8080);

        String hash = PasswordHash.hash("operator-pw".toCharArray());
        ApplianceConfig.ConsoleConfig console = ConfigLoader.parse(MINIMAL + """
                console:
                  host: 0.0.0.0
                  port: 0
                  session-timeout: 30m
                  ready-max-commit-age: 2m
                  ready-max-freshness: 90s
                  ready-on-objective: true
                  users:
                    - name: ann
                      password-hash: "%s"
                      role: operator
                    - name: bob
                      password-hash: "%s"
                """.formatted(hash, hash), "x.yaml", null).console();
        assertThat(console.port()).isZero();
        assertThat(console.readyMaxFreshness()).isEqualTo(Duration.ofSeconds(90));
        assertThat(console.readyOnObjective()).isTrue();
        assertThat(ApplianceConfig.ConsoleConfig.defaults().readyOnObjective()).as("off by default").isFalse();
        assertThat(ApplianceConfig.ConsoleConfig.defaults().readyMaxFreshness()).as("no freshness rule by default")
                .isNull();
        assertThat(console.users()).extracting(ApplianceConfig.UserConfig::role)
                .containsExactly(ConsoleRole.OPERATOR, ConsoleRole.VIEWER);
        assertThat(console.sessionTimeout()).isEqualTo(Duration.ofMinutes(30));
        assertThat(console.users().toString()).doesNotContain(hash);

        assertThatThrownBy(() -> ConfigLoader.parse(MINIMAL + "console:\n  host: 0.0.0.0\n", "x.yaml", null))
                .hasMessageContaining("console.host: is 0.0.0.0 but console.users is empty");
        assertThatThrownBy(() -> ConfigLoader.parse(MINIMAL + """
                console:
                  port: 99999
                  users:
                    - name: ann
                      password-hash: my-password
                      role: admin
                """, "x.yaml", null))
                .hasMessageContaining("console.port: '99999' is not a port")
                .hasMessageContaining("console.users[0].password-hash: is not a hash made by `lakehouse hash-password`")
                .hasMessageContaining("console.users[0].role")
                .hasMessageNotContaining("my-password");
    }

    @Test
    void everyKeyCanComeFromTheEnvironment() {
        String yaml = MINIMAL.replace("bootstrap-servers: localhost:9092", "bootstrap-servers: ${KAFKA:-localhost:9092}")
                + "console:\n  users:\n    - name: ann\n      password-hash: ${ANN_HASH}\n      role: operator\n";
        String hash = PasswordHash.hash("pw".toCharArray());
        Map<String, String> env = Map.of(
                "KAFKA", "kafka:29092",
                "ANN_HASH", hash,
                "LAKEHOUSE__CONSOLE__HOST", "0.0.0.0",
                "LAKEHOUSE__CONSOLE__PORT", "9090",
                "LAKEHOUSE__PIPELINES__ORDERS__TRIGGER__INTERVAL", "5s",
                "LAKEHOUSE__PIPELINES__0__SOURCE__TOPICS", "[orders, returns]",
                "LAKEHOUSE__PIPELINES__ORDERS__SOURCE__CONSUMER_PROPERTIES__SASL_MECHANISM", "PLAIN",
                "LAKEHOUSE__PIPELINES__ORDERS__TABLE__HADOOP__FS_S3A_ENDPOINT", "http://minio:9000",
                "LAKEHOUSE__PIPELINES__ORDERS__TABLE__TARGET_FILE_SIZE", "64MB",
                "UNRELATED", "x");
        ApplianceConfig config = ConfigLoader.parse(yaml, "x.yaml", null, env);
        ApplianceConfig.PipelineConfig p = config.pipelines().get(0);
        assertThat(p.source().bootstrapServers()).isEqualTo("kafka:29092");
        assertThat(p.source().topics()).containsExactly("orders", "returns");
        assertThat(p.source().consumerProperties()).containsEntry("sasl.mechanism", "PLAIN");
        assertThat(p.table().hadoop()).containsEntry("fs.s3a.endpoint", "http://minio:9000");
        assertThat(p.table().targetFileSize()).isEqualTo(64L * 1024 * 1024);
        assertThat(p.trigger().interval()).isEqualTo(Duration.ofSeconds(5));
        assertThat(config.console().host()).isEqualTo("0.0.0.0");
        assertThat(config.console().port()).isEqualTo(9090);
        assertThat(config.console().users().get(0).passwordHash()).isEqualTo(hash);

        assertThatThrownBy(() -> ConfigLoader.parse(yaml, "x.yaml", null, Map.of("LAKEHOUSE__PIPELINES__NOPE__NAME", "x")))
                .hasMessageContaining("environment variable ANN_HASH is not set (used as ${ANN_HASH} at line 13)")
                .hasMessageContaining("LAKEHOUSE__PIPELINES__NOPE__NAME: no list element named 'nope'");
        assertThatThrownBy(() -> ConfigLoader.parse(MINIMAL, "x.yaml", null,
                Map.of("LAKEHOUSE__PIPELINES__ORDERS__SOURCE__BOOTSTRAP_SERVERZ", "k:1")))
                .hasMessageContaining("pipelines[0].source.bootstrap-serverz: unknown key (did you mean 'bootstrap-servers'?)");
    }

    @Test
    void readsTheBadInputSettings() {
        ApplianceConfig config = ConfigLoader.parse(MINIMAL.replace("    table:\n", """
                    on-incompatible-schema: fail
                    dead-letters:
                      table: none
                      topic: orders-dead-letters
                      producer-properties:
                        max.request.size: "4194304"
                    table:
                      required-columns: [id, customer.email]
                """).replace("      topics: [orders]\n", """
                      topics: [orders]
                      on-offset-gap: skip
                      max-record-size: 2MiB
                """), "test.yaml", Path.of("/srv"));
        ApplianceConfig.PipelineConfig p = config.pipelines().get(0);
        assertThat(p.onIncompatibleSchema()).isEqualTo(IncompatibleSchemaPolicy.FAIL);
        assertThat(p.deadLetters().tableLocation()).isNull();
        assertThat(p.deadLetters().topic()).isEqualTo("orders-dead-letters");
        assertThat(p.deadLetters().producerProperties()).containsEntry("max.request.size", "4194304");
        assertThatThrownBy(() -> ConfigLoader.parse(MINIMAL.replace("    table:\n", """
                    dead-letters: {topic: dlq, producer-properties: {acks: "1"}}
                    table:
                """), "test.yaml", Path.of("/srv")))
                .hasMessageContaining("dead-letters.producer-properties.acks");
        assertThat(p.source().onOffsetGap()).isEqualTo(OffsetGapPolicy.SKIP);
        assertThat(p.source().maxRecordSize()).isEqualTo(2L * 1024 * 1024);
        assertThat(p.table().requiredColumns()).containsExactly("id", "customer.email");

        assertThatThrownBy(() -> ConfigLoader.parse(MINIMAL.replace("    table:\n", """
                    dead-letters: {table: none}
                    on-offset-gap: sometimes
                    table:
                      required-columns: ["a b"]
                """), "x.yaml", null))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("pipelines[0].on-incompatible-schema: is dead-letter but dead-letters has neither")
                .hasMessageContaining("pipelines[0].on-offset-gap: unknown key")
                .hasMessageContaining("pipelines[0].table.required-columns: 'a b' is not a column name");
    }

    @Test
    void readsEveryKey() {
        ApplianceConfig config = ConfigLoader.parse("""
                pipelines:
                  - name: clicks
                    instance-id: host-1
                    source:
                      bootstrap-servers: k1:9092,k2:9092
                      topic-pattern: "clicks\\\\..*"
                      group-id: my-group
                      starting-position: 2026-01-01T00:00:00Z
                      consumer-properties: {security.protocol: SASL_SSL}
                    format: json
                    value-schema-file: /dev/null
                    table:
                      location: s3a://bucket/clicks
                      partition-by: [country, "hour(at) as at_hour"]
                      properties: {delta.appendOnly: "true"}
                      target-file-size: 64MB
                      codec: snappy
                      hadoop: {fs.s3a.endpoint: "http://minio:9000"}
                      kafka-metadata: true
                      commit-coordination: conditional-put
                    trigger: {interval: 500ms, max-records: 10, max-bytes: 1KB}
                """, "test.yaml", null);
        ApplianceConfig.PipelineConfig p = config.pipelines().get(0);
        assertThat(p.instanceId()).isEqualTo("host-1");
        assertThat(p.source().topicPattern()).isEqualTo("clicks\\..*");
        assertThat(p.source().startingPosition()).isEqualTo("2026-01-01T00:00:00Z");
        assertThat(p.table().partitionBy()).containsExactly("country", "hour(at) as at_hour");
        assertThat(PartitionByParser.parse(p.table().partitionBy()).columns()).containsExactly("country", "at_hour");
        assertThat(p.table().targetFileSize()).isEqualTo(64L * 1024 * 1024);
        assertThat(p.trigger().interval()).isEqualTo(Duration.ofMillis(500));
        assertThat(p.trigger().maxBytes()).isEqualTo(1024);
        assertThat(p.table().kafkaMetadata()).isTrue();
        assertThat(p.table().commitCoordination()).isEqualTo(ApplianceConfig.CommitCoordinationMode.CONDITIONAL_PUT);
    }

    @Test
    void reportsEveryProblemWithItsKeyPath() {
        assertThatThrownBy(() -> ConfigLoader.parse("""
                pipelines:
                  - name: orders
                    source:
                      bootstrap-servers: localhost:9092
                      topik: orders
                      consumer-properties: {enable.auto.commit: "true"}
                    registry: {url: localhost:8081}
                    table: {location: "hdfs://nn/orders", codec: lzo}
                    trigger: {interval: soon, max-records: 0}
                    extra: 1
                """, "bad.yaml", null))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("bad.yaml")
                .hasMessageContaining("pipelines[0].source.topik: unknown key (did you mean 'topics'?)")
                .hasMessageContaining("pipelines[0].source.topics: give either topics")
                .hasMessageContaining("pipelines[0].source.consumer-properties.enable.auto.commit: is managed")
                .hasMessageContaining("pipelines[0].registry.url: 'localhost:8081' must start with http://")
                .hasMessageContaining("pipelines[0].table.location: 'hdfs://nn/orders': the scheme is not supported")
                .hasMessageContaining("pipelines[0].table.codec: 'lzo' is not one of")
                .hasMessageContaining("pipelines[0].trigger.interval: 'soon' is not a duration")
                .hasMessageContaining("pipelines[0].trigger.max-records: must be at least 1")
                .hasMessageContaining("pipelines[0].extra: unknown key");
    }

    @Test
    void requiresPipelinesWithUniqueNamesAndTheSettingsTheirFormatNeeds() {
        assertThatThrownBy(() -> ConfigLoader.parse("pipelines: []", "x.yaml", null))
                .hasMessageContaining("at least one pipeline");
        assertThatThrownBy(() -> ConfigLoader.parse(MINIMAL + MINIMAL.substring("pipelines:\n".length()), "x.yaml", null))
                .hasMessageContaining("pipelines[1].name: 'orders' is used by another pipeline");
        // JSON without value-schema-file: the values carry Kafka Connect's schema (read per record).
        assertThat(ConfigLoader.parse(MINIMAL.replace("registry:\n      url: http://localhost:8081\n",
                "format: json\n"), "x.yaml", null).pipelines().get(0).valueSchemaFile()).isNull();
        assertThatThrownBy(() -> ConfigLoader.parse(MINIMAL.replace("registry:\n      url: http://localhost:8081\n",
                "format: json-schema\n"), "x.yaml", null))
                .hasMessageContaining("pipelines[0].registry: is required for format json-schema");
        assertThat(ConfigLoader.parse(MINIMAL.replace("registry:", "format: json-schema\n    registry:"), "x.yaml",
                null).pipelines().get(0).format()).isEqualTo(ApplianceConfig.Format.JSON_SCHEMA);
        assertThatThrownBy(() -> ConfigLoader.parse(MINIMAL.replace("registry:\n      url: http://localhost:8081\n",
                "format: protobuf\n"), "x.yaml", null))
                .hasMessageContaining("pipelines[0].registry: is required for format protobuf");
        assertThat(ConfigLoader.parse(MINIMAL.replace("registry:", "format: protobuf\n    registry:"), "x.yaml",
                null).pipelines().get(0).format()).isEqualTo(ApplianceConfig.Format.PROTOBUF);
        assertThatThrownBy(() -> ConfigLoader.parse("pipelines: [ {name: a", "x.yaml", null))
                .hasMessageContaining("not valid YAML");
    }

    @Test
    void unitsAcceptTheDocumentedForms() {
        assertThat(Units.parseDuration("250ms")).isEqualTo(Duration.ofMillis(250));
        assertThat(Units.parseDuration("7d")).isEqualTo(Duration.ofDays(7));
        assertThat(Units.parseDuration("PT1M")).isEqualTo(Duration.ofMinutes(1));
        assertThat(Units.parseSize("1048576")).isEqualTo(1_048_576);
        assertThat(Units.parseSize("2GB")).isEqualTo(2L * 1024 * 1024 * 1024);
        assertThatThrownBy(() -> Units.parseSize("lots")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aKeyedTableTakesItsKeyFromTheConfigOrTheKafkaKeyAndAnAppendTableRefusesOne() {
        ApplianceConfig keyed = ConfigLoader.parse(MINIMAL.replace("      location: data/orders",
                "      location: data/orders\n      mode: upsert\n      key: [order_id]"), "x.yaml", null);
        assertThat(keyed.pipelines().get(0).table().mode()).isEqualTo(ApplianceConfig.TableMode.UPSERT);
        assertThat(keyed.pipelines().get(0).table().key()).containsExactly("order_id");
        assertThat(keyed.pipelines().get(0).compaction().sortBy()).as("clustered by the key by default")
                .containsExactly("order_id");
        assertThat(ConfigLoader.parse(MINIMAL, "x.yaml", null).pipelines().get(0).table().mode())
                .isEqualTo(ApplianceConfig.TableMode.APPEND);

        ApplianceConfig byKafkaKey = ConfigLoader.parse(MINIMAL.replace("      location: data/orders",
                "      location: data/orders\n      mode: upsert"), "x.yaml", null);
        assertThat(byKafkaKey.pipelines().get(0).table().key()).as("the key comes from the Kafka key").isEmpty();
        assertThat(byKafkaKey.pipelines().get(0).table().mode()).isEqualTo(ApplianceConfig.TableMode.UPSERT);
        assertThat(byKafkaKey.pipelines().get(0).compaction().sortByTableKey()).as("sorted by the table's recorded "
                + "key, which the compaction job reads from the table").isTrue();
        assertThat(keyed.pipelines().get(0).compaction().sortByTableKey()).as("sorted by the configured key").isFalse();
        assertThatThrownBy(() -> ConfigLoader.parse(MINIMAL.replace("      location: data/orders",
                "      location: data/orders\n      key: [order_id]"), "x.yaml", null))
                .isInstanceOf(ConfigException.class).hasMessageContaining("pipelines[0].table.key: is set but "
                        + "table.mode is append");
        assertThatThrownBy(() -> ConfigLoader.parse(MINIMAL.replace("      location: data/orders",
                "      location: data/orders\n      mode: merge"), "x.yaml", null))
                .isInstanceOf(ConfigException.class).hasMessageContaining("'merge' is not one of append, upsert, dedupe");
        ApplianceConfig versioned = ConfigLoader.parse(MINIMAL.replace("      location: data/orders",
                "      location: data/orders\n      mode: upsert\n      key: [order_id]\n      version-column: updated_at"),
                "x.yaml", null);
        assertThat(versioned.pipelines().get(0).table().versionColumn()).isEqualTo("updated_at");
        assertThatThrownBy(() -> ConfigLoader.parse(MINIMAL.replace("      location: data/orders",
                "      location: data/orders\n      mode: dedupe\n      key: [order_id]\n      version-column: v"),
                "x.yaml", null)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("pipelines[0].table.version-column: is set but table.mode is dedupe");
        assertThat(ConfigLoader.parse(MINIMAL.replace("      location: data/orders",
                "      location: data/orders\n      mode: dedupe"), "x.yaml", null).pipelines().get(0).table().mode())
                .isEqualTo(ApplianceConfig.TableMode.DEDUPE);
        ApplianceConfig byKeyColumn = ConfigLoader.parse(MINIMAL.replace("      location: data/orders",
                "      location: data/orders\n      mode: upsert\n      kafka-key-column: sku"), "x.yaml", null);
        assertThat(byKeyColumn.pipelines().get(0).table().kafkaKeyColumn()).isEqualTo("sku");
        assertThat(byKeyColumn.pipelines().get(0).compaction().sortBy()).as("clustered by it").containsExactly("sku");
        assertThatThrownBy(() -> ConfigLoader.parse(MINIMAL.replace("      location: data/orders",
                "      location: data/orders\n      mode: upsert\n      key: [sku]\n      kafka-key-column: sku"),
                "x.yaml", null)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("table.kafka-key-column: and table.key are both set");
        assertThatThrownBy(() -> ConfigLoader.parse(MINIMAL.replace("      location: data/orders",
                "      location: data/orders\n      kafka-key-column: sku"), "x.yaml", null))
                .isInstanceOf(ConfigException.class).hasMessageContaining("table.kafka-key-column: is set but "
                        + "table.mode is append");
        assertThatThrownBy(() -> ConfigLoader.parse(MINIMAL.replace("      location: data/orders",
                "      location: data/orders\n      mode: upsert\n      key: [customer.id]"), "x.yaml", null))
                .isInstanceOf(ConfigException.class).hasMessageContaining("'customer.id' is not the name of a "
                        + "top-level column");
    }

    @Test
    void aFreshnessObjectiveIsReadWithItsWindowAndABadOneIsRefusedSayingHowToWriteIt() throws Exception {
        ApplianceConfig config = ConfigLoader.parse(MINIMAL.replace("      location: data/orders",
                "      location: data/orders\n      freshness-objective: \"99.5% within 30s\"\n      freshness-window: 6h"),
                "x.yaml", null);
        FreshnessObjective objective = config.pipelines().get(0).table().freshnessObjective();
        assertThat(objective.percent()).isEqualTo(99.5);
        assertThat(objective.within()).isEqualTo(Duration.ofSeconds(30));
        assertThat(objective.window()).isEqualTo(Duration.ofHours(6));
        assertThat(ConfigLoader.parse(MINIMAL, "x.yaml", null).pipelines().get(0).table().freshnessObjective())
                .as("none by default").isNull();
        assertThatThrownBy(() -> ConfigLoader.parse(MINIMAL.replace("      location: data/orders",
                "      location: data/orders\n      freshness-objective: fast"), "x.yaml", null))
                .isInstanceOf(ConfigException.class).hasMessageContaining("pipelines[0].table.freshness-objective: "
                        + "'fast' is not a freshness objective; write it as \"95% within 10s\"");
        assertThatThrownBy(() -> ConfigLoader.parse(MINIMAL.replace("      location: data/orders",
                "      location: data/orders\n      freshness-objective: \"95% within 2h\""), "x.yaml", null))
                .isInstanceOf(ConfigException.class).hasMessageContaining("must be longer than 'within'");
    }

    @Test
    void anEventTimeColumnForFreshnessIsATopLevelColumnName() throws Exception {
        ApplianceConfig config = ConfigLoader.parse(MINIMAL.replace("      location: data/orders",
                "      location: data/orders\n      freshness-event-time: created_at"), "x.yaml", null);
        assertThat(config.pipelines().get(0).table().freshnessEventTime()).isEqualTo("created_at");
        assertThat(ConfigLoader.parse(MINIMAL, "x.yaml", null).pipelines().get(0).table().freshnessEventTime())
                .as("the Kafka timestamp by default").isNull();
        assertThatThrownBy(() -> ConfigLoader.parse(MINIMAL.replace("      location: data/orders",
                "      location: data/orders\n      freshness-event-time: order.created_at"), "x.yaml", null))
                .isInstanceOf(ConfigException.class).hasMessageContaining("pipelines[0].table.freshness-event-time: "
                        + "'order.created_at' is not a top-level column name");
    }

    @Test
    void aDebeziumEnvelopeNeedsJsonOrAvroValuesAndAKeyedTable() {
        String debezium = MINIMAL.replace("      topics: [orders]", "      topics: [orders]\n      envelope: debezium");
        assertThatThrownBy(() -> ConfigLoader.parse(debezium, "x.yaml", null)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("set table.mode: upsert");
        assertThatThrownBy(() -> ConfigLoader.parse(debezium.replace("registry:", "format: protobuf\n    registry:"),
                "x.yaml", null)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("pipelines[0].source.envelope: is debezium, which is read as Kafka Connect's "
                        + "JSON converter or an Avro converter writes it: set format: json or avro");
        String upsert = debezium.replace("      location: data/orders", "      location: data/orders\n      mode: upsert");
        assertThat(ConfigLoader.parse(upsert, "x.yaml", null).pipelines().get(0).source().envelope())
                .as("Avro, the default format, takes Debezium's Avro converter")
                .isEqualTo(dev.lakehouse.ingest.settings.Envelope.DEBEZIUM);
        assertThat(ConfigLoader.parse(MINIMAL, "x.yaml", null).pipelines().get(0).source().envelope())
                .isEqualTo(dev.lakehouse.ingest.settings.Envelope.NONE);
    }

    @Test
    void aDedupeHorizonNeedsADedupeTableAndATimeColumn() {
        String dedupe = MINIMAL.replace("      location: data/orders", "      location: data/orders\n      mode: dedupe"
                + "\n      key: [event_id]");
        ApplianceConfig config = ConfigLoader.parse(dedupe + "      dedupe-horizon: 7d\n      dedupe-time-column: at\n",
                "x.yaml", null);
        assertThat(config.pipelines().get(0).table().dedupeHorizon())
                .isEqualTo(new dev.lakehouse.table.DedupeHorizon("at", Duration.ofDays(7)));
        assertThat(ConfigLoader.parse(dedupe, "x.yaml", null).pipelines().get(0).table().dedupeHorizon())
                .as("none: the whole table").isNull();
        assertThatThrownBy(() -> ConfigLoader.parse(dedupe.replace("mode: dedupe", "mode: upsert")
                + "      dedupe-horizon: 7d\n      dedupe-time-column: at\n", "x.yaml", null))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("pipelines[0].table.dedupe-horizon: is set but table.mode is upsert");
        assertThatThrownBy(() -> ConfigLoader.parse(dedupe + "      dedupe-horizon: 7d\n", "x.yaml", null))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("pipelines[0].table.dedupe-time-column: is missing");
        assertThatThrownBy(() -> ConfigLoader.parse(dedupe + "      dedupe-horizon: 0s\n      dedupe-time-column: at\n",
                "x.yaml", null)).isInstanceOf(ConfigException.class).hasMessageContaining("must be positive");
    }

    @Test
    void softDeletesNeedAnUpsertTableAndChangeMetadataTheDebeziumEnvelope() {
        assertThatThrownBy(() -> ConfigLoader.parse(MINIMAL.replace("      location: data/orders",
                "      location: data/orders\n      soft-deletes: true"), "x.yaml", null))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("pipelines[0].table.soft-deletes: is true but table.mode is append");
        assertThatThrownBy(() -> ConfigLoader.parse(MINIMAL.replace("      location: data/orders",
                "      location: data/orders\n      mode: upsert\n      key: [id]\n      change-metadata: true"),
                "x.yaml", null))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("pipelines[0].table.change-metadata: is true, but its columns (_op, _source_ts, _source_lsn)"
                        + " come from Debezium's change events");
        ApplianceConfig.TableConfig table = ConfigLoader.parse(MINIMAL.replace("      location: data/orders",
                "      location: data/orders\n      mode: upsert\n      key: [id]\n      soft-deletes: true"),
                "x.yaml", null).pipelines().get(0).table();
        assertThat(table.softDeletes()).isTrue();
        assertThat(table.changeMetadata()).isFalse();
    }
}
