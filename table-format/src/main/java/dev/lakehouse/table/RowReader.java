package dev.lakehouse.table;

import org.apache.avro.generic.GenericRecord;

/**
 * Reads the rows of one data file as records of the table's current Avro schema: columns the file predates are
 * null, identity partition columns carry the file's partition values. Not thread-safe; close it.
 */
public interface RowReader extends AutoCloseable {

    /**
     * The next row, or null at the end of the file.
     *
     * @throws java.io.UncheckedIOException if the file cannot be read
     */
    GenericRecord next();

    @Override
    void close();
}
