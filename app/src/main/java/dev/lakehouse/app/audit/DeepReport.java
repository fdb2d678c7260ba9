package dev.lakehouse.app.audit;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.util.List;
import java.util.stream.Stream;

/**
 * What {@link DeepAudit} found.
 *
 * @param byOffset whether rows were matched to Kafka offset by offset (the {@code _kafka} column on an append table)
 * @param keyed whether the table merges by key (then rows are not counted against records)
 * @param lettersByOffset whether dead letters were matched by offset (a dead-letter table)
 * @param rowsWithoutOffset rows whose {@code _kafka} is null (written before the column was turned on)
 * @param partitions per source partition
 * @param commitProblems commits whose counts disagree with what Kafka holds in their ranges
 */
public record DeepReport(String location, boolean byOffset, boolean keyed, boolean lettersByOffset,
                         long rowsWithoutOffset, List<Partition> partitions, List<String> commitProblems) {

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * One source partition.
     *
     * @param from the first offset the audited commits took
     * @param to where the table resumes
     * @param checkedFrom the first offset Kafka still held (above {@code from} when retention deleted some)
     * @param deletedByRetention offsets of the span Kafka no longer holds: not checked
     * @param dataRecords data records Kafka holds in the commits' ranges (read_committed)
     * @param rows rows at those offsets, -1 when not matched by offset
     * @param letters dead letters at those offsets, -1 when not matched by offset
     * @param replayedLetters of the letters, those replayed into the table
     * @param controlOrAborted offsets of the ranges without a data record: transaction markers and aborted records
     * @param skippedOffsets offsets skipped under {@code on-offset-gap: skip} (deleted before they were read)
     */
    public record Partition(String topic, int partition, long from, long to, long checkedFrom,
                            long deletedByRetention, long dataRecords, long rows, long letters,
                            long replayedLetters, long controlOrAborted, long skippedOffsets,
                            List<String> problems) {
    }

    public DeepReport {
        partitions = List.copyOf(partitions);
        commitProblems = List.copyOf(commitProblems);
    }

    public boolean ok() {
        return problems().isEmpty();
    }

    public List<String> problems() {
        return Stream.concat(partitions.stream().flatMap(p -> p.problems().stream()), commitProblems.stream())
                .toList();
    }

    /** A line per partition and every problem, as {@code lakehouse audit --deep} prints them. */
    public void print(PrintWriter out, String name) {
        out.printf("%s: deep audit against Kafka (read_committed): %s%n", name, keyed
                ? "a keyed table: each commit's records read checked against Kafka's"
                : byOffset ? "rows matched to offsets by their _kafka column"
                : "no _kafka column: each commit's rows and dead letters counted against Kafka's records");
        for (Partition p : partitions) {
            out.printf("  %s-%d: offsets %d to %d: %,d data records%s%s, %,d control or aborted%s%s%n", p.topic(),
                    p.partition(), p.checkedFrom(), p.to() - 1, p.dataRecords(),
                    p.rows() >= 0 ? ", " + String.format("%,d", p.rows()) + " rows" : "",
                    p.letters() >= 0 ? ", " + String.format("%,d", p.letters()) + " dead letters"
                            + (p.replayedLetters() > 0 ? " (" + p.replayedLetters() + " replayed)" : "") : "",
                    p.controlOrAborted(),
                    p.deletedByRetention() > 0 ? ", " + p.deletedByRetention() + " deleted by retention (not checked)"
                            : "",
                    p.skippedOffsets() > 0 ? ", " + p.skippedOffsets() + " skipped" : "");
            p.problems().forEach(problem -> out.println("    " + problem));
        }
        commitProblems.forEach(problem -> out.println("  " + problem));
        if (rowsWithoutOffset > 0) {
            out.printf("  %,d rows have no _kafka value (written before the column was on): not matched%n",
                    rowsWithoutOffset);
        }
        out.printf("%s: %s%n", name, ok() ? "OK: every data record in Kafka is in the table exactly once"
                : "NOT WHOLE against Kafka: " + problems().size() + " problems");
    }

    /** The report as JSON, for tools. */
    public ObjectNode toJson() {
        ObjectNode root = JSON.createObjectNode();
        root.put("table", location);
        root.put("ok", ok());
        root.put("byOffset", byOffset);
        root.put("keyed", keyed);
        root.put("lettersByOffset", lettersByOffset);
        root.put("rowsWithoutOffset", rowsWithoutOffset);
        ArrayNode parts = root.putArray("partitions");
        for (Partition p : partitions) {
            ObjectNode node = parts.addObject();
            node.put("topic", p.topic());
            node.put("partition", p.partition());
            node.put("from", p.from());
            node.put("to", p.to());
            node.put("checkedFrom", p.checkedFrom());
            node.put("deletedByRetention", p.deletedByRetention());
            node.put("dataRecords", p.dataRecords());
            node.put("rows", p.rows());
            node.put("letters", p.letters());
            node.put("replayedLetters", p.replayedLetters());
            node.put("controlOrAborted", p.controlOrAborted());
            node.put("skippedOffsets", p.skippedOffsets());
            p.problems().forEach(node.putArray("problems")::add);
        }
        commitProblems.forEach(root.putArray("commitProblems")::add);
        return root;
    }
}
