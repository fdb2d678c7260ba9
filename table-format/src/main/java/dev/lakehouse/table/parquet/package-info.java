/**
 * Data files: writing rows to Parquet (the file schema every engine reads with its defaults, column statistics,
 * partition values), reading them back into Avro records in the table schema whatever schema a file was written
 * with (including files other writers made), prefetching and decoding row groups ahead of a rewrite, and the
 * columnar rewrite that compaction uses. Knows data files and schemas only: nothing here reads or writes the
 * Delta log, locks or leases.
 */
package dev.lakehouse.table.parquet;
