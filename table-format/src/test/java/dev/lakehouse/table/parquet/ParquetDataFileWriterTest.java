package dev.lakehouse.table.parquet;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ParquetDataFileWriterTest {

    private static final long MIB = 1L << 20;

    @Test
    void aRowGroupIsBoundedByTheTargetFileSizeTheHeapAnd128MiB() {
        long heapShare = Math.max(8 * MIB, Runtime.getRuntime().maxMemory() / 8);
        assertThat(ParquetDataFileWriter.rowGroupBytes(4 * MIB)).isEqualTo(Math.min(4 * MIB, heapShare));
        assertThat(ParquetDataFileWriter.rowGroupBytes(1024 * MIB))
                .isEqualTo(Math.min(128 * MIB, heapShare))
                .isLessThanOrEqualTo(Math.max(8 * MIB, Runtime.getRuntime().maxMemory() / 8));
    }
}
