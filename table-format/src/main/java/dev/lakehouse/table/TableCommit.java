package dev.lakehouse.table;

import java.time.Instant;
import java.util.Map;

/**
 * One entry of a table's history.
 *
 * @param version the table version
 * @param timestamp when it was committed
 * @param operation the operation name (e.g. {@code STREAMING UPDATE}, {@code CREATE TABLE}, {@code ADD COLUMNS})
 * @param parameters operation parameters, JSON string values unquoted
 * @param metrics operation metrics (e.g. {@code numOutputRows})
 * @param engineInfo the writer's engine info
 */
public record TableCommit(long version, Instant timestamp, String operation, Map<String, String> parameters,
                          Map<String, String> metrics, String engineInfo) {
}
