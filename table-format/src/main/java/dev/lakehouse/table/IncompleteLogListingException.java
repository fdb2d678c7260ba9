package dev.lakehouse.table;

/**
 * The store listed the table's log without some of its files, every time it was asked within the relisting budget
 * (a store whose listing misses objects written during it, with writers committing back to back). The log itself
 * is whole, so this is transient: retry the operation later, with backoff. The cause is delta-standalone's refusal.
 */
public final class IncompleteLogListingException extends TableException {

    public IncompleteLogListingException(String logPath, int listings, Throwable cause) {
        super("the log " + logPath + " was listed " + listings + " times without all its files (" + cause.getMessage()
                + "); the store lists objects incompletely while others are written: retried later", cause);
    }
}
