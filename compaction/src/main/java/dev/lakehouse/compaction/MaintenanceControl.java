package dev.lakehouse.compaction;

import java.util.List;
import java.util.function.BiConsumer;

/**
 * What the console may see and do of table maintenance: the runs so far and a compaction on demand. Implemented
 * by {@link MaintenanceScheduler}.
 */
public interface MaintenanceControl {

    /**
     * Asks for a compaction of the table now; it runs as soon as no other compaction of the table is running.
     *
     * @throws IllegalArgumentException if the table is unknown
     */
    void compactNow(String table);

    /** The table's latest runs, newest first. */
    List<MaintenanceRun> recentRuns(String table);

    /** Calls {@code listener} with the table's name and the run after every run; quick, must not throw. */
    void addRunListener(BiConsumer<String, MaintenanceRun> listener);
}
