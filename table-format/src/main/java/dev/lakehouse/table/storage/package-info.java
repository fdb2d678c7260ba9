/**
 * Where tables are kept and who may write them: the S3 object store with conditional puts (and the probe that says
 * whether a store honours them), the log store that commits with {@code If-None-Match: *}, Hadoop configurations
 * shared per location, the local file system, the in-process commit lock, and the writer and instance leases that
 * fence a zombie writer. Knows nothing of Parquet files or of the Delta log's contents.
 */
package dev.lakehouse.table.storage;
