package dev.lakehouse.table;

/**
 * A data file's column, or one of its values, cannot be read as the table's column without changing what it holds:
 * another writer (Spark, a user's job) wrote the file with a type the table's column does not take (a decimal of a
 * larger scale, a timestamp into a number, an enum symbol the table lacks, ...). Nothing is converted silently. The
 * message names the file, the column and both types. Not retryable: the file stays as it is, readable by engines
 * that read it by its own types; compaction leaves it out and says so.
 */
public final class FileColumnTypeException extends TableException {

    private final String file;
    private final String column;

    public FileColumnTypeException(String file, String column, String fileType, String tableType) {
        super("data file " + file + ", column '" + column + "': " + fileType.strip()
                + " cannot be read as the table's " + tableType + " without changing values");
        this.file = file;
        this.column = column;
    }

    /** The data file, as the table's log names it. */
    public String file() {
        return file;
    }

    /** The dotted path of the column. */
    public String column() {
        return column;
    }
}
