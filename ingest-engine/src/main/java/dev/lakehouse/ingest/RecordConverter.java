package dev.lakehouse.ingest;

import dev.lakehouse.ingest.deadletter.DeadLetter;
import dev.lakehouse.ingest.deadletter.DeadLetterReason;
import dev.lakehouse.ingest.decode.DebeziumEnvelope;
import dev.lakehouse.ingest.decode.KafkaKeys;
import dev.lakehouse.ingest.decode.RecordDecodeException;
import dev.lakehouse.ingest.decode.RecordDecoder;
import dev.lakehouse.ingest.settings.Envelope;
import dev.lakehouse.ingest.settings.IncompatibleSchemaPolicy;
import dev.lakehouse.ingest.settings.PipelineSettings;
import dev.lakehouse.registry.client.SchemaRegistryException;
import dev.lakehouse.table.DecimalBounds;
import dev.lakehouse.table.IncompatibleSchemaChangeException;
import dev.lakehouse.table.LakeTable;
import dev.lakehouse.table.SchemaMappingException;
import dev.lakehouse.table.TableSchemas;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * Turns a consumed record into a table row or a dead letter, keeping the table's schema able to hold the rows:
 * a new writer schema is covered (table created, or new columns added in their own commit) before any of its
 * records is decoded, so the table never lacks a column that a committed file has.
 *
 * <p>Transient failures (the registry unreachable, storage errors) are thrown, never turned into dead letters. A
 * record that cannot be ingested is thrown as {@link RecordRejectedException} when the pipeline has no dead-letter
 * destination, or when its writer schema is incompatible under the {@code FAIL} policy.
 *
 * <p>Used by one thread.
 */
final class RecordConverter {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(RecordConverter.class);

    /** What became of a record. */
    sealed interface Outcome {
        /** A row of {@code schema}, the table schema at the time it was decoded. */
        record Row(Schema schema, GenericRecord row) implements Outcome {
        }

        /** A record for the dead-letter destination. */
        record Dead(DeadLetter letter) implements Outcome {
        }

        /** A record the dead-letter destination already holds (written before a crash): neither row nor letter. */
        record AlreadyDeadLettered() implements Outcome {
        }

        /**
         * A keyed table's deletion: {@code key} is a record of {@code schema} (the table schema) holding the key
         * columns of a tombstone's Kafka key.
         */
        record Delete(Schema schema, GenericRecord key) implements Outcome {
        }

        /** A record that changes nothing: a deletion before the keyed table exists. */
        record NoChange() implements Outcome {
        }
    }

    private final PipelineSettings settings;
    private final LakeTable table;
    private final RecordDecoder decoder;
    private final boolean deadLettersEnabled;
    private final boolean commitSchemaChanges;
    private final Map<Schema, Boolean> coveredWriterSchemas = new IdentityHashMap<>();
    private final Map<Schema, RuntimeException> incompatibleWriterSchemas = new IdentityHashMap<>();
    private final Map<TopicPartition, Set<Long>> alreadyDeadLettered = new HashMap<>();
    private Schema tableSchema;
    /** A keyed table's key ({@link TableKey}): configured, else known once the table exists. */
    private List<String> keyColumns;
    private final DecimalBounds decimalBounds = new DecimalBounds();
    private final EventTimes eventTimes;

    /**
     * @param deadLettersEnabled whether bad records become dead letters (else {@link RecordRejectedException})
     * @param commitSchemaChanges whether the table is created and evolved; false for a dry run, which only
     *        computes the schema the table would get
     */
    RecordConverter(PipelineSettings settings, LakeTable table, RecordDecoder decoder, boolean deadLettersEnabled,
                    boolean commitSchemaChanges) {
        this.settings = settings;
        this.table = table;
        this.decoder = decoder;
        this.deadLettersEnabled = deadLettersEnabled;
        this.commitSchemaChanges = commitSchemaChanges;
        this.keyColumns = settings.keys().columns();
        this.eventTimes = new EventTimes(settings.name(), settings.freshnessEventTime());
        adoptTableIfItExists();
    }

    /** The time a converted record is judged by for freshness ({@link EventTimes}); negative for none. */
    long eventTime(Outcome outcome, long kafkaTimestamp) {
        return eventTimes.of(outcome, kafkaTimestamp);
    }

    /**
     * Takes the table's schema and recorded key if the table exists, and says whether it does. Called at
     * construction and again, while this converter has no table yet, before a record whose meaning depends on the
     * table: another instance (or this one before a rebalance) may have created it since, and a delete or tombstone
     * must then delete its row rather than be skipped as the deletion of a row that cannot exist, and the key must
     * be the one the table recorded rather than one derived from this record's Kafka key.
     */
    private boolean adoptTableIfItExists() {
        if (tableSchema != null) {
            return true;
        }
        if (!table.exists()) {
            return false;
        }
        dev.lakehouse.table.TableSnapshot snapshot = table.snapshot();
        tableSchema = snapshot.avroSchema();
        if (settings.keys().keyed()) {
            keyColumns = TableKey.of(settings, snapshot, table.location());
        }
        RequiredColumns.checkExist(settings, keyColumns, table.location(), tableSchema);
        addMissingChangeColumns();
        return true;
    }

    /** A table created before its change columns were configured gets them before any row or deletion needs them. */
    private void addMissingChangeColumns() {
        Schema withThem = ChangeColumns.missingFrom(tableSchema, settings);
        if (withThem != null) {
            tableSchema = commitSchemaChanges ? table.evolveSchema(withThem, "").avroSchema()
                    : TableSchemas.merge(tableSchema, withThem);
        }
    }

    /** The table schema rows are decoded into; null until the table exists. */
    Schema tableSchema() {
        return tableSchema;
    }

    /** Records of a partition at these offsets are dead letters already (from the destination after a seek). */
    void alreadyDeadLettered(TopicPartition partition, Set<Long> offsets) {
        if (offsets.isEmpty()) {
            alreadyDeadLettered.remove(partition);
        } else {
            alreadyDeadLettered.put(partition, new java.util.HashSet<>(offsets));
        }
    }

    /** Whether a record may create the table: it did not exist when last looked at, and tables are created. */
    boolean mayCreateTable() {
        return tableSchema == null && commitSchemaChanges;
    }

    /**
     * Does what {@link #convert} of this record would do to the table (create it, keyed as it would be, with the
     * columns the record needs) and forgets the record: a fan-in creates the tables of many new topics side by
     * side this way before its poll thread converts their records one by one. Whatever goes wrong (a bad record,
     * an unreachable registry or store, a key the configuration contradicts) is left for {@link #convert} of the
     * same record, which meets it again and reports it as it always does. Not to be called while another thread
     * uses this converter.
     */
    void createTableFor(ConsumerRecord<byte[], byte[]> record) {
        try {
            decode(record);
        } catch (RuntimeException | StackOverflowError e) {
            LOG.debug("{}: creating the table ahead of conversion failed; conversion will meet it: {}", where(record),
                    e.toString());
        }
    }

    Outcome convert(ConsumerRecord<byte[], byte[]> record) {
        Set<Long> known = alreadyDeadLettered.isEmpty() ? null
                : alreadyDeadLettered.get(new TopicPartition(record.topic(), record.partition()));
        if (known != null && known.contains(record.offset())) {
            return new Outcome.AlreadyDeadLettered();
        }
        try {
            return decode(record);
        } catch (RecordDecodeException e) {
            if (!deadLettersEnabled) {
                throw new RecordRejectedException(e.getMessage() + ". The pipeline has no dead-letter destination, "
                        + "so it stops rather than lose the record; configure one or fix the record.", e);
            }
            return new Outcome.Dead(DeadLetter.of(record, e.reason(), e.getMessage(), decoder.writerSchemaRef(record)));
        }
    }

    private Outcome decode(ConsumerRecord<byte[], byte[]> record) {
        long size = Math.max(0, record.serializedKeySize()) + Math.max(0, record.serializedValueSize());
        if (size > settings.limits().maxRecordBytes()) {
            throw new RecordDecodeException(DeadLetterReason.RECORD_TOO_LARGE, where(record) + ": key and value are "
                    + size + " bytes, above the pipeline's maximum record size of " + settings.limits().maxRecordBytes()
                    + " bytes; raise max-record-size or make the producer send smaller records", null);
        }
        if (settings.keys().deletesOnTombstones() && record.value() == null) {
            // A tombstone: in a keyed table, the deletion of its key's row.
            if (!adoptTableIfItExists()) {
                return new Outcome.NoChange();
            }
            GenericRecord key = KafkaKeys.keyRow(record, decoder, tableSchema, keyColumns);
            ChangeColumns.set(key, settings, true, settings.keys().changeMetadata() ? "d" : null, null, null);
            return new Outcome.Delete(tableSchema, key);
        }
        DebeziumEnvelope.Change change = null;
        if (settings.keys().envelope() == Envelope.DEBEZIUM) {
            change = decoder.changeEvent(record);
            if (!change.upserts()) {
                if (!adoptTableIfItExists()) {
                    return new Outcome.NoChange();
                }
                GenericRecord key = KafkaKeys.keyRow(change.before(), tableSchema, keyColumns, where(record));
                key = key != null ? key : KafkaKeys.keyRow(record, decoder, tableSchema, keyColumns);
                ChangeColumns.set(key, settings, true, change.op(), change.sourceTimeMillis(), change.sourceLsn());
                return new Outcome.Delete(tableSchema, key);
            }
            // The row is the event's 'after': decoded as the value would be.
            record = withValue(record, change.rowValue());
        }
        Schema writerSchema = decoder.writerSchema(record);
        if (settings.keys().keyed() && !adoptTableIfItExists() && keyColumns.isEmpty()) {
            keyColumns = keyFromKafkaKey(record, writerSchema);
        }
        if (!coveredWriterSchemas.containsKey(writerSchema) && !incompatibleWriterSchemas.containsKey(writerSchema)) {
            cover(writerSchema, decoder.writerSchemaRef(record));
        }
        if (tableSchema == null) {
            keyColumns = settings.keys().columns(); // not created: the next record's key may say otherwise
        }
        RuntimeException incompatible = incompatibleWriterSchemas.get(writerSchema);
        if (incompatible != null) {
            String message = where(record) + ": the writer schema " + describe(writerSchema, record) + " does not fit table "
                    + table.location() + ": " + incompatible.getMessage();
            if (settings.failures().onIncompatibleSchema() == IncompatibleSchemaPolicy.FAIL) {
                throw new RecordRejectedException(message + ". The pipeline's on-incompatible-schema policy is "
                        + "'fail'; fix the producer's schema, or set it to 'dead-letter' to route such records aside.",
                        incompatible);
            }
            throw new RecordDecodeException(DeadLetterReason.INCOMPATIBLE_SCHEMA, message, incompatible);
        }
        GenericRecord row;
        try {
            row = decoder.decode(record, tableSchema);
        } catch (RecordDecodeException | SchemaRegistryException e) {
            throw e; // a bad record, or the registry out of reach (transient): each handled as such
        } catch (RuntimeException | StackOverflowError e) {
            // Decoding is pure computation on the value's bytes: whatever else it throws, the value provoked it.
            throw new RecordDecodeException(decoder.undecodableReason(), where(record) + ": the value cannot be "
                    + "decoded: " + e, e);
        }
        if (settings.kafkaMetadata()) {
            KafkaMetadataColumn.set(row, record);
        }
        if (settings.keys().kafkaKeyColumn() != null) {
            row.put(settings.keys().kafkaKeyColumn(), KafkaKeys.text(record, decoder));
        }
        if (ChangeColumns.any(settings)) {
            ChangeColumns.set(row, settings, false, change == null ? null : change.op(),
                    change == null ? null : change.sourceTimeMillis(), change == null ? null : change.sourceLsn());
        }
        if (decimalBounds.hasDecimals(tableSchema)) {
            String tooWide = decimalBounds.firstOutOfRange(row);
            if (tooWide != null) {
                throw new RecordDecodeException(DeadLetterReason.VALUE_OUT_OF_RANGE, where(record) + ": field "
                        + tooWide + " has more digits; fix the producer, or widen the column's precision", null);
            }
        }
        for (String column : keyColumns) {
            if (row.get(column) == null) {
                throw new RecordDecodeException(DeadLetterReason.MISSING_KEY, where(record) + ": key column '" + column
                        + "' is null; a keyed table's row needs its key (table.key)", null);
            }
        }
        String missing = RequiredColumns.firstNull(settings, row);
        if (missing != null) {
            throw new RecordDecodeException(DeadLetterReason.NULL_IN_REQUIRED_COLUMN, where(record) + ": column '"
                    + missing + "' is null, but the pipeline requires it (required-columns, table.dedupe-time-column)",
                    null);
        }
        return new Outcome.Row(tableSchema, row);
    }

    /**
     * The key of a keyed table that neither its configuration nor (not existing yet) the table names: the fields
     * of the Kafka key of the record that creates it, each of which must be a field of the row.
     */
    private List<String> keyFromKafkaKey(ConsumerRecord<byte[], byte[]> record, Schema writerSchema) {
        List<String> fields = KafkaKeys.fieldNames(record, decoder);
        for (String field : fields) {
            if (writerSchema.getType() != Schema.Type.RECORD || writerSchema.getField(field) == null) {
                throw new RecordDecodeException(DeadLetterReason.UNDECODABLE_KEY, where(record) + ": the Kafka key's "
                        + "field '" + field + "' is not a field of the row (" + describe(writerSchema, record) + "), so "
                        + "it cannot be the table's key; set table.key to the row's columns that identify it", null);
            }
        }
        return fields;
    }

    /** The record with another value (a change event's row), the rest as it was. */
    private static ConsumerRecord<byte[], byte[]> withValue(ConsumerRecord<byte[], byte[]> record, byte[] value) {
        return new ConsumerRecord<>(record.topic(), record.partition(), record.offset(), record.timestamp(),
                record.timestampType(), record.serializedKeySize(), value.length, record.key(), value,
                record.headers(), record.leaderEpoch());
    }

    /** Where a record is, for messages: built only when one is needed, as it costs a string per record. */
    private static String where(ConsumerRecord<byte[], byte[]> record) {
        return record.topic() + "-" + record.partition() + "@" + record.offset();
    }

    /** Makes the table able to hold records of a writer schema: creates it, or adds the new columns first. */
    private void cover(Schema producerSchema, String writerSchemaRef) {
        try {
            Schema writerSchema = OwnColumns.addTo(producerSchema, settings); // what the table must hold
            if (!commitSchemaChanges) {
                tableSchema = tableSchema == null ? TableSchemas.normalize(writerSchema)
                        : TableSchemas.merge(tableSchema, writerSchema);
                coveredWriterSchemas.put(producerSchema, Boolean.TRUE);
                return;
            }
            if (tableSchema == null) {
                // before a table that lacks them
                RequiredColumns.checkExist(settings, keyColumns, table.location(), TableSchemas.normalize(writerSchema));
                dev.lakehouse.table.TableSnapshot created = table.createIfAbsent(writerSchema, writerSchemaRef,
                        keyColumns);
                tableSchema = created.avroSchema();
                if (settings.keys().keyed()) {
                    // Another writer may have created it first, keyed by what its first record said.
                    keyColumns = TableKey.of(settings, created, table.location());
                }
                RequiredColumns.checkExist(settings, keyColumns, table.location(), tableSchema);
            }
            if (TableSchemas.merge(tableSchema, writerSchema) != tableSchema) {
                // Columns are added in their own commit before any file that has them. Files already written keep
                // the older schema, which readers fill with nulls.
                tableSchema = table.evolveSchema(writerSchema, writerSchemaRef).avroSchema();
            }
            coveredWriterSchemas.put(producerSchema, Boolean.TRUE);
        } catch (IncompatibleSchemaChangeException | SchemaMappingException
                 | KafkaMetadataColumn.NameTakenException e) {
            incompatibleWriterSchemas.put(producerSchema, e);
        }
    }

    private String describe(Schema writerSchema, ConsumerRecord<byte[], byte[]> record) {
        String ref = decoder.writerSchemaRef(record);
        return writerSchema.getFullName() + (ref.isEmpty() ? "" : " (" + ref + ")");
    }
}
