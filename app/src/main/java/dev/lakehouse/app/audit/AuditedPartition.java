package dev.lakehouse.app.audit;

import java.time.Instant;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

/**
 * One source partition under a deep audit: the ranges the table's commits took of it (in offset order), and per
 * offset of the audited span what Kafka, the table's rows and the dead letters hold. Memory is four bits per offset
 * of the span (a span of 100 million offsets: 50 MB), so a deep audit of a long history is narrowed with
 * {@code --from-version}.
 */
final class AuditedPartition {

    /** The largest span one partition may have: offsets are indexed by int. */
    static final long MAX_SPAN = Integer.MAX_VALUE - 1L;

    final String topic;
    final int partition;
    /** The ranges of data commits after the last start-over, in offset order. */
    final List<CommitTally.Range> ranges = new ArrayList<>();
    /** Letters stored before this instant belong to a topic of the same name that was deleted. */
    Instant startedOverAt = Instant.MIN;
    long skippedOffsets;

    private long base;
    private BitSet inKafka;
    private BitSet asRow;
    private BitSet asRowTwice;
    private BitSet asLetter;
    private BitSet replayed;
    long deletedByRetention;
    long rowsOutsideTheSpan;

    AuditedPartition(String topic, int partition) {
        this.topic = topic;
        this.partition = partition;
    }

    String name() {
        return topic + "-" + partition;
    }

    /** The first offset of the audited span. */
    long from() {
        return ranges.isEmpty() ? 0 : ranges.get(0).start();
    }

    /** The offset after the audited span: where the table resumes. */
    long to() {
        return ranges.isEmpty() ? 0 : ranges.get(ranges.size() - 1).end();
    }

    /** Sizes the per-offset sets once the ranges are known. */
    void startTallies() {
        long span = to() - from();
        if (span > MAX_SPAN) {
            throw new IllegalArgumentException(name() + " spans " + span + " offsets (" + from() + " to " + to()
                    + "), more than a deep audit holds; narrow it with --from-version");
        }
        base = from();
        inKafka = new BitSet((int) span);
        asRow = new BitSet((int) span);
        asRowTwice = new BitSet((int) span);
        asLetter = new BitSet((int) span);
        replayed = new BitSet((int) span);
    }

    boolean covers(long offset) {
        return offset >= from() && offset < to();
    }

    /** The commit range holding {@code offset}, or null when it falls in no range (a skipped gap). */
    CommitTally.Range rangeOf(long offset) {
        int low = 0;
        int high = ranges.size() - 1;
        while (low <= high) {
            int mid = (low + high) >>> 1;
            CommitTally.Range range = ranges.get(mid);
            if (offset < range.start()) {
                high = mid - 1;
            } else if (offset >= range.end()) {
                low = mid + 1;
            } else {
                return range;
            }
        }
        return null;
    }

    /** A data record Kafka holds at {@code offset}: counted for the offset and for the commit that took it. */
    void kafkaRecord(long offset) {
        inKafka.set(index(offset));
        CommitTally.Range range = rangeOf(offset);
        if (range != null) {
            range.commit().kafkaRecords++;
        }
    }

    void row(long offset) {
        int i = index(offset);
        if (asRow.get(i)) {
            asRowTwice.set(i);
        }
        asRow.set(i);
    }

    /** A stored dead letter at {@code offset}: counted for the offset and for the commit whose range holds it. */
    void letter(long offset, boolean wasReplayed) {
        int i = index(offset);
        if (!asLetter.get(i)) {
            CommitTally.Range range = rangeOf(offset);
            if (range != null) {
                range.commit().lettersFound++;
            }
        }
        asLetter.set(i);
        if (wasReplayed) {
            replayed.set(i);
        }
    }

    private int index(long offset) {
        return (int) (offset - base);
    }

    long dataRecords() {
        return inKafka.cardinality();
    }

    long rows() {
        return asRow.cardinality();
    }

    long letters() {
        return asLetter.cardinality();
    }

    long replayedLetters() {
        return replayed.cardinality();
    }

    /**
     * Offsets of the commits' ranges, from {@code checkedFrom} on, at which Kafka holds no data record: transaction
     * markers, aborted records, offsets log compaction removed. Skipped gaps and what retention deleted are not in.
     */
    long controlOrAborted(long checkedFrom) {
        long offsets = 0;
        for (CommitTally.Range range : ranges) {
            offsets += Math.max(0, range.end() - Math.max(range.start(), checkedFrom));
        }
        return offsets - dataRecords();
    }

    /** Data records in Kafka that are neither a row nor a dead letter. */
    BitSet missing() {
        BitSet missing = (BitSet) inKafka.clone();
        missing.andNot(asRow);
        missing.andNot(asLetter);
        return missing;
    }

    /** Offsets that are a row more than once. */
    BitSet rowsTwice() {
        return (BitSet) asRowTwice.clone();
    }

    /** Offsets that are a row and a dead letter not replayed (a replayed letter becomes a row). */
    BitSet rowAndLetter() {
        BitSet both = (BitSet) asRow.clone();
        both.and(asLetter);
        both.andNot(replayed);
        return both;
    }

    /** Rows or letters at offsets where Kafka holds no data record (excluding what retention deleted). */
    BitSet notInKafka(long checkedFrom) {
        BitSet extra = (BitSet) asRow.clone();
        extra.or(asLetter);
        extra.andNot(inKafka);
        if (checkedFrom > base) {
            extra.clear(0, (int) (checkedFrom - base));
        }
        return extra;
    }

    long base() {
        return base;
    }
}
