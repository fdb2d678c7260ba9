package dev.lakehouse.table.storage;

import dev.lakehouse.table.TableException;

/**
 * Another live process runs the same pipeline instance ({@code <pipeline>@<instance>}) on a table. Permanent for
 * this process: it must not start, and it has written nothing. The message names the other process.
 */
public final class InstanceIdInUseException extends TableException {

    public InstanceIdInUseException(String message) {
        super(message, null);
    }
}
