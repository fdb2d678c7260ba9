package dev.lakehouse.ingest;

import dev.lakehouse.ingest.deadletter.DeadLetter;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;

/**
 * What the poll thread holds of a table's open batch: the chunk of converted rows (and a keyed table's deletions)
 * not yet handed to the writer, all of one schema, and the batch's dead letters, which travel with its seal. Poll
 * thread only.
 */
final class OpenRows {

    /**
     * Rows handed to the writer at once: large enough to amortize the queue, small enough that few decoded rows wait
     * (see {@link WriterHandOff}: rows kept waiting across young collections cost copying and old-generation space).
     */
    static final int CHUNK_ROWS = 1024;

    private List<GenericRecord> chunk = new ArrayList<>(CHUNK_ROWS);
    /** Which rows of the chunk are a keyed table's deletions (their key columns only); null while none is. */
    private BitSet deletes;
    private long chunkBytes;
    /** Whether rows are charged by their decoded size ({@link RowHeapSize}): a keyed table's, which stay decoded. */
    private final boolean chargeDecoded;
    /** What the open batch's rows were charged, since its last seal. */
    private long batchBytes;
    private Schema schema;
    private List<DeadLetter> letters = new ArrayList<>();
    private long letterBytes;

    /**
     * @param chargeDecoded whether rows are charged by their decoded size rather than their serialized one: for a
     *                      keyed table, whose writer holds the batch's rows decoded until it merges them
     */
    OpenRows(boolean chargeDecoded) {
        this.chargeDecoded = chargeDecoded;
    }

    /** Whether {@code schema} differs from the chunk's while the chunk holds rows: the chunk must go first. */
    boolean schemaChanges(Schema schema) {
        return this.schema != schema && !chunk.isEmpty();
    }

    /** A row of {@code schema}, {@code bytes} its record's serialized size. */
    void addRow(Schema schema, GenericRecord row, long bytes) {
        long charged = chargeDecoded ? Math.max(bytes, RowHeapSize.of(row)) : bytes;
        chunk.add(row);
        chunkBytes += charged;
        batchBytes += charged;
        this.schema = schema;
    }

    /** What the rows of the open batch were charged (decoded or serialized sizes); back to 0 at {@link #sealed}. */
    long batchBytes() {
        return batchBytes;
    }

    /** The open batch was sealed: the next rows are the next batch's. */
    void sealed() {
        batchBytes = 0;
    }

    /** A keyed table's deletion of {@code key} (its key columns only). */
    void addDeletion(Schema schema, GenericRecord key, long bytes) {
        if (deletes == null) {
            deletes = new BitSet();
        }
        deletes.set(chunk.size());
        addRow(schema, key, bytes);
    }

    void addLetter(DeadLetter letter) {
        letters.add(letter);
        letterBytes += letter.sizeBytes() + 2L * letter.message().length();
    }

    /** Whether the chunk is full by rows, or by bytes against a writer budget of {@code budgetBytes}. */
    boolean chunkFull(long budgetBytes) {
        return chunk.size() >= CHUNK_ROWS || chunkBytes >= budgetBytes / 8;
    }

    /** The chunk as the writer's task, or null when it is empty; the chunk starts again empty. */
    BatchWriter.Task.Rows takeChunk() {
        if (chunk.isEmpty()) {
            return null;
        }
        BatchWriter.Task.Rows rows = new BatchWriter.Task.Rows(schema, chunk, chunkBytes, deletes);
        chunk = new ArrayList<>(CHUNK_ROWS);
        deletes = null;
        chunkBytes = 0;
        return rows;
    }

    /** The bytes of the dead letters held (with their messages). */
    long letterBytes() {
        return letterBytes;
    }

    /** The batch's dead letters, for its seal; none are held after this. */
    List<DeadLetter> takeLetters() {
        List<DeadLetter> taken = letters;
        letters = new ArrayList<>();
        letterBytes = 0;
        return taken;
    }

    /** Drops everything held: the open batch is dropped. */
    void clear() {
        chunk = new ArrayList<>(CHUNK_ROWS);
        deletes = null;
        chunkBytes = 0;
        schema = null;
        letters = new ArrayList<>();
        letterBytes = 0;
    }
}
