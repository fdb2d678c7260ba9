/**
 * The table layer's contract: {@link dev.lakehouse.table.LakeTable} (open one with
 * {@link dev.lakehouse.table.LakeTable#open}), its snapshots and history, the operations a commit carries
 * ({@link dev.lakehouse.table.TableChange}: appends with their offsets, file rewrites, keyed merges, schema changes),
 * the values they exchange (data files, offset ranges, source facts, partition specs), the decorators that wrap
 * every commit in one place ({@link dev.lakehouse.table.ForwardingLakeTable}, the writer lease's
 * {@link dev.lakehouse.table.LeasedLakeTable}), and one {@link dev.lakehouse.table.TableException} subtype per
 * failure meaning. Everything above the table layer uses this package (and the leases of
 * {@link dev.lakehouse.table.storage}); how a table is kept is in the sub-packages:
 * {@code delta} (the Delta log), {@code parquet} (data files) and {@code storage} (object stores, locks, leases).
 */
package dev.lakehouse.table;
