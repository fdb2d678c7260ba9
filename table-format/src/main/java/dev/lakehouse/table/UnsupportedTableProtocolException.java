package dev.lakehouse.table;

/**
 * Another writer raised the table's Delta protocol beyond what the appliance writes (reader 1, writer 2): deletion
 * vectors, column mapping, row tracking or another table feature. Writing such a table without honouring the
 * feature would corrupt it for every reader, so the appliance stops. The message names the protocol and its
 * features and says what to do. Not retryable.
 */
public final class UnsupportedTableProtocolException extends TableException {

    public UnsupportedTableProtocolException(String location, String protocol, Throwable cause) {
        super("table " + location + " uses Delta protocol " + (protocol.isEmpty() ? "newer than reader 1 / writer 2"
                : protocol) + ": another writer raised it (for example Spark's ALTER TABLE ... SET TBLPROPERTIES "
                + "('delta.enableDeletionVectors' = true)). The appliance writes reader 1 / writer 2 tables only and "
                + "stops rather than write this one wrongly. To go on, remove the feature with that engine (Delta's "
                + "ALTER TABLE ... DROP FEATURE, for deletion vectors after they are purged) or point the pipeline "
                + "at a new table.", cause);
    }
}
