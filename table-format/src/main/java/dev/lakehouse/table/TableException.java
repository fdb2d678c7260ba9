package dev.lakehouse.table;

/**
 * Base of the table layer's failures. Each subclass has one meaning; the Javadoc of each says whether the
 * operation may be retried.
 */
public class TableException extends RuntimeException {

    protected TableException(String message) {
        super(message);
    }

    protected TableException(String message, Throwable cause) {
        super(message, cause);
    }
}
