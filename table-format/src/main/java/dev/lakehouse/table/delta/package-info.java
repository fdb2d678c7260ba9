/**
 * The Delta Lake implementation of {@link dev.lakehouse.table.LakeTable} on delta-standalone: one committer per kind
 * of commit (batches with their offsets, file rewrites, merges, schema changes), the commit loop that retries
 * conflicts and settles unknown outcomes, the table's metadata and protocol checks (a table another writer raised
 * beyond reader 1 / writer 2 is refused), the log relisting that survives listings which miss entries, source facts,
 * schema history and vacuum. Only the table layer itself uses this package; modules above use
 * {@link dev.lakehouse.table}.
 */
package dev.lakehouse.table.delta;
