package dev.lakehouse.table.delta;

import dev.lakehouse.table.LakeTable;
import dev.lakehouse.table.PartitioningMismatchException;
import dev.lakehouse.table.SchemaMappingException;
import dev.lakehouse.table.TableOptions;
import dev.lakehouse.table.TableSchemas;
import dev.lakehouse.table.TableSnapshot;
import dev.lakehouse.table.parquet.PartitionValues;
import io.delta.standalone.Operation;
import io.delta.standalone.OptimisticTransaction;
import io.delta.standalone.actions.Metadata;
import io.delta.standalone.types.StructType;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.apache.avro.Schema;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates a table and widens its schema, each as one {@link CommitLoop} change. Both are idempotent: every attempt
 * re-reads the table, so a creation or a change that landed although its commit call threw (or that a concurrent
 * writer made) is seen as done, and one that did not land is tried again.
 */
final class SchemaEvolver {

    private static final Logger LOG = LoggerFactory.getLogger(SchemaEvolver.class);

    private final CommitLoop commits;
    private final TableOptions options;
    private final String location;
    private final Supplier<TableSnapshot> snapshots;

    SchemaEvolver(CommitLoop commits, TableOptions options, String location, Supplier<TableSnapshot> snapshots) {
        this.commits = commits;
        this.options = options;
        this.location = location;
        this.snapshots = snapshots;
    }

    /** See {@link LakeTable#createIfAbsent(Schema, String, List)}. */
    TableSnapshot createIfAbsent(Schema avroSchema, String writerSchemaRef, List<String> keyColumns) {
        Schema normalized = TableSchemas.normalize(avroSchema);
        for (String column : keyColumns) {
            if (normalized.getField(column) == null) {
                throw new SchemaMappingException(column, "a key column must be a top-level column of the table; "
                        + "its columns are " + normalized.getFields().stream().map(Schema.Field::name).toList());
            }
        }
        return commits.run(new Creation(normalized, writerSchemaRef, keyColumns));
    }

    /** See {@link LakeTable#evolveSchema(Schema, String)}. */
    TableSnapshot evolve(Schema writerSchema, String writerSchemaRef) {
        return commits.run(new Widening(writerSchema, writerSchemaRef));
    }

    private TableSnapshot existing() {
        TableSnapshot existing = snapshots.get();
        if (!existing.partitionSpec().equals(options.partitionSpec())) {
            throw new PartitioningMismatchException(location, existing.partitionSpec(), options.partitionSpec());
        }
        return existing;
    }

    private static void putWriterSchema(Map<String, String> params, String writerSchemaRef) {
        if (writerSchemaRef != null && !writerSchemaRef.isEmpty()) {
            params.put(TableMetadata.WRITER_SCHEMA_PARAMETER, DeltaLogJson.parameter(writerSchemaRef));
        }
    }

    /** The first version: the schema, the partition spec and the table properties. */
    private final class Creation implements CommitLoop.Change<TableSnapshot> {
        private final Schema schema;
        private final String writerSchemaRef;
        private final List<String> keyColumns;

        Creation(Schema schema, String writerSchemaRef, List<String> keyColumns) {
            this.schema = schema;
            this.writerSchemaRef = writerSchemaRef;
            this.keyColumns = keyColumns;
        }

        @Override
        public String description() {
            return "creation of the table";
        }

        @Override
        public CommitLoop.Step<TableSnapshot> prepare(OptimisticTransaction txn) {
            if (txn.readVersion() >= 0) {
                // Another creator won the race, or an earlier attempt landed: its table is the table.
                return new CommitLoop.Step.Done<>(existing());
            }
            StructType deltaSchema = TableMetadata.deltaSchema(schema, options.partitionSpec());
            PartitionValues.validate(options.partitionSpec(), schema);
            Map<String, String> configuration = new LinkedHashMap<>(options.tableProperties());
            configuration.put(TableMetadata.AVRO_SCHEMA_PROPERTY, schema.toString());
            configuration.put(TableMetadata.PARTITION_SPEC_PROPERTY, PartitionSpecs.format(options.partitionSpec()));
            if (!keyColumns.isEmpty()) {
                configuration.put(TableMetadata.KEY_COLUMNS_PROPERTY, String.join(",", keyColumns));
            }
            txn.updateMetadata(Metadata.builder()
                    .schema(deltaSchema)
                    .partitionColumns(options.partitionSpec().columns())
                    .configuration(configuration)
                    .createdTime(options.clock().millis())
                    .build());
            Map<String, String> params = new LinkedHashMap<>();
            params.put("isManaged", DeltaLogJson.parameter("false"));
            params.put("partitionBy", DeltaLogJson.parameter(DeltaLogJson.json(options.partitionSpec().columns())));
            putWriterSchema(params, writerSchemaRef);
            return new CommitLoop.Step.Commit<>(List.of(), new Operation(Operation.Name.CREATE_TABLE, params));
        }

        @Override
        public TableSnapshot committed(long version) {
            LOG.info("created table {} partitioned by [{}]", location, PartitionSpecs.format(options.partitionSpec()));
            return snapshots.get();
        }

        @Override
        public Optional<TableSnapshot> landedDespite(Exception failure) {
            return Optional.empty(); // the next attempt finds the table if it exists
        }
    }

    /** {@code ADD COLUMNS}: the merge of the table schema and a writer schema. */
    private final class Widening implements CommitLoop.Change<TableSnapshot> {
        private final Schema writerSchema;
        private final String writerSchemaRef;

        Widening(Schema writerSchema, String writerSchemaRef) {
            this.writerSchema = writerSchema;
            this.writerSchemaRef = writerSchemaRef;
        }

        @Override
        public String description() {
            return "schema change for " + writerSchema.getFullName();
        }

        @Override
        public CommitLoop.Step<TableSnapshot> prepare(OptimisticTransaction txn) {
            Metadata current = txn.metadata();
            Schema table = TableMetadata.avroSchema(current, location);
            Schema merged = TableSchemas.merge(table, writerSchema);
            if (merged == table) {
                return new CommitLoop.Step.Done<>(snapshots.get());
            }
            StructType deltaSchema = TableMetadata.deltaSchema(merged, TableMetadata.partitionSpec(current));
            Map<String, String> configuration = new LinkedHashMap<>(current.getConfiguration());
            configuration.put(TableMetadata.AVRO_SCHEMA_PROPERTY, merged.toString());
            txn.updateMetadata(current.copyBuilder().schema(deltaSchema).configuration(configuration).build());
            List<String> added = TableMetadata.addedColumns(table, merged);
            Map<String, String> params = new LinkedHashMap<>();
            params.put("columns", DeltaLogJson.parameter(DeltaLogJson.json(added)));
            putWriterSchema(params, writerSchemaRef);
            LOG.info("table {}: evolving the schema, adding {}", location, added);
            return new CommitLoop.Step.Commit<>(List.of(), new Operation(Operation.Name.ADD_COLUMNS, params));
        }

        @Override
        public TableSnapshot committed(long version) {
            return snapshots.get();
        }

        @Override
        public Optional<TableSnapshot> landedDespite(Exception failure) {
            return Optional.empty(); // the next attempt re-reads the table schema: a landed change is "nothing to do"
        }
    }
}
