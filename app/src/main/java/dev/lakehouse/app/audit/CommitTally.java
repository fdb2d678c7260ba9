package dev.lakehouse.app.audit;

import dev.lakehouse.table.TableCommit;

/**
 * One data commit under a deep audit: what it says it took and wrote (its history's parameters and metrics), and
 * what the audit found for its offset ranges in Kafka, in the table's rows and in the dead letters.
 */
final class CommitTally {

    /** One range of source offsets the commit took. */
    record Range(long start, long end, CommitTally commit) {
    }

    final long version;
    /** Whether the commit merged by key (rows replace or delete others, so rows do not count records). */
    final boolean merge;
    /** Records the batch read (rows and dead letters), or -1 when the commit does not say. */
    final long inputRecords;
    /** Rows the commit appended, or -1 when it does not say (or merged). */
    final long rowsWritten;
    /** Dead letters of the batch, or -1 when the commit does not say. */
    final long lettersWritten;
    long kafkaRecords;
    /** Dead letters stored at offsets of the commit's ranges, found in the dead-letter table. */
    long lettersFound;

    CommitTally(TableCommit commit) {
        this.version = commit.version();
        this.merge = commit.operation().equalsIgnoreCase("MERGE");
        this.inputRecords = number(commit.parameters().get("inputRows"));
        this.rowsWritten = merge ? -1 : number(commit.metrics().get("numOutputRows"));
        this.lettersWritten = number(commit.parameters().get("deadLetters"));
    }

    /**
     * What is wrong with the commit's counts against the records Kafka holds in its ranges, or null when they
     * agree: the batch must have read every data record of its ranges, and (when it appended) written each as a
     * row or a dead letter.
     *
     * @param lettersByOffset whether the dead letters were found by offset in the dead-letter table: then those at
     *     the commit's offsets count, also letters an earlier attempt of the batch stored before a crash (which the
     *     commit's own count leaves out); else the commit's count
     */
    String countProblem(boolean lettersByOffset) {
        long letters = lettersByOffset ? lettersFound : lettersWritten;
        if (inputRecords >= 0 && inputRecords != kafkaRecords) {
            return "version " + version + ": Kafka holds " + kafkaRecords + " data records in its ranges, the "
                    + "batch says it read " + inputRecords;
        }
        if (rowsWritten >= 0 && letters >= 0 && rowsWritten + letters != kafkaRecords) {
            return "version " + version + ": Kafka holds " + kafkaRecords + " data records in its ranges, the "
                    + "commit wrote " + rowsWritten + " rows and " + letters + " dead letters are stored for them";
        }
        return null;
    }

    private static long number(String text) {
        if (text == null) {
            return -1;
        }
        try {
            return Long.parseLong(text.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
