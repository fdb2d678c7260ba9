package dev.lakehouse.app;

import dev.lakehouse.app.config.ApplianceYaml;
import dev.lakehouse.registry.client.SchemaRegistryClient;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.SoftAssertions;

/**
 * One table of the type-matrix test: a value format, records holding every type the product maps from it, and what
 * the engines must find in the table.
 */
interface TypeMatrixTable {

    /** The pipeline's {@code format}. */
    String format();

    /** Settings beyond the shipped pipeline's (a sort order for compaction, for instance). */
    void configure(ApplianceYaml.Pipeline pipeline);

    /** Record {@code i}'s value as a producer of the format frames it for {@code topic}. */
    byte[] value(SchemaRegistryClient registry, String topic, int i);

    /** Aggregates over records {@code 0 .. records - 1}, for Spark and DuckDB. */
    List<EngineAggregate> aggregates(int records);

    /** The name of the column holding the record number. */
    String idColumn();

    /** The row Delta Kernel read for record {@code i} holds its values (Kernel's rendering: see KernelReader). */
    void assertKernelRow(int i, Map<String, Object> row, SoftAssertions soft);
}
