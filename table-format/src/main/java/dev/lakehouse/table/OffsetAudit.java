package dev.lakehouse.table;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Proves from a table's own log that every Kafka offset it took is covered exactly once: each commit that moved a
 * partition's offsets records the range it took ({@code offsets} in its history parameters: topic, partition,
 * start and next offset), and per partition, in version order, every range must start where the previous one ended.
 * A range that starts above is a <em>gap</em> (records never ingested), one that starts below an <em>overlap</em>
 * (records ingested twice), unless the commit explains it: a skip of offsets Kafka's retention deleted
 * ({@code skippedOffsets}, under {@code on-offset-gap: skip}) or a start-over of a topic deleted and created again
 * ({@code resetReason}). At the end each partition's last range must end at the table's transaction version for it
 * (the offset the engine resumes from). Overlaps are checked across pipeline names too: two pipelines taking one
 * partition into one table duplicate its rows whatever they are called.
 *
 * <p>Reads the log only (each version's commit info, and the snapshot's transaction versions), never a data file.
 * Versions that log retention removed are not audited: the report says where the retained log begins.
 */
public final class OffsetAudit {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** One partition's audit. */
    public record PartitionReport(String topic, int partition, Set<String> pipelines, long firstOffset,
                                  long nextOffset, long tableNextOffset, int commits, long skippedOffsets,
                                  int startOvers, List<String> problems) {
        public boolean ok() {
            return problems.isEmpty();
        }
    }

    /**
     * A table's audit.
     *
     * @param fromVersion the oldest version audited (the oldest the log retains, or the one asked for)
     * @param toVersion the newest version audited
     * @param logTruncated whether versions before {@code fromVersion} exist but were not audited
     */
    public record Report(String location, long fromVersion, long toVersion, boolean logTruncated, int commits,
                         List<PartitionReport> partitions) {
        public boolean ok() {
            return partitions.stream().allMatch(PartitionReport::ok);
        }

        /** Every problem found, each naming its partition and offsets. */
        public List<String> problems() {
            return partitions.stream().flatMap(p -> p.problems().stream()).toList();
        }

        /** The report as JSON, for tools. */
        public String toJson() {
            ObjectNode root = JSON.createObjectNode();
            root.put("table", location);
            root.put("ok", ok());
            root.put("fromVersion", fromVersion);
            root.put("toVersion", toVersion);
            root.put("logTruncated", logTruncated);
            root.put("commitsAudited", commits);
            ArrayNode parts = root.putArray("partitions");
            for (PartitionReport p : partitions) {
                ObjectNode node = parts.addObject();
                node.put("topic", p.topic());
                node.put("partition", p.partition());
                p.pipelines().forEach(node.putArray("pipelines")::add);
                node.put("firstOffset", p.firstOffset());
                node.put("nextOffset", p.nextOffset());
                node.put("tableNextOffset", p.tableNextOffset());
                node.put("commits", p.commits());
                node.put("skippedOffsets", p.skippedOffsets());
                node.put("startOvers", p.startOvers());
                p.problems().forEach(node.putArray("problems")::add);
            }
            try {
                return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root);
            } catch (IOException e) {
                throw new IllegalStateException("a JSON tree is always written", e);
            }
        }
    }

    private OffsetAudit() {
    }

    /**
     * Audits {@code table} from {@code fromVersion} (or the oldest retained version, whichever is later).
     *
     * @throws IllegalArgumentException if the table does not exist
     */
    public static Report audit(LakeTable table, long fromVersion) {
        if (!table.exists()) {
            throw new IllegalArgumentException("table " + table.location() + " does not exist");
        }
        List<TableCommit> commits = table.historySince(fromVersion); // oldest first, by its contract
        long oldest = commits.isEmpty() ? fromVersion : commits.get(0).version();
        long from = Math.max(fromVersion, oldest);
        Map<String, Partition> partitions = new TreeMap<>();
        int audited = 0;
        for (TableCommit commit : commits) {
            if (commit.version() < from) {
                continue;
            }
            audited++;
            String offsets = commit.parameters().get("offsets");
            if (offsets == null || offsets.isEmpty()) {
                continue; // compaction, schema change, vacuum, replay: no offsets taken
            }
            String pipeline = commit.parameters().getOrDefault("pipeline", "");
            Kind kind = kind(commit);
            for (TakenRange range : rangesTaken(commit)) {
                partitions.computeIfAbsent(range.topic() + "\u0000" + range.partition(),
                        k -> new Partition(range.topic(), range.partition()))
                        .take(commit.version(), pipeline, kind, range.start(), range.next());
            }
        }
        List<PartitionReport> reports = new ArrayList<>();
        for (Partition p : partitions.values()) {
            long tableNext = -1;
            for (Map.Entry<String, Long> end : p.endByPipeline.entrySet()) {
                // Each pipeline resumes from its own transaction version: it must be where its last range ended.
                String appId = new OffsetRange(p.topic, p.partition, 0, 0).appId(end.getKey());
                long resumesAt = table.txnVersion(appId);
                if (resumesAt != end.getValue()) {
                    p.problems.add(p.name() + ": the table resumes pipeline " + end.getKey() + " at offset "
                            + resumesAt + " (" + appId + ") but its last range ends at " + end.getValue());
                }
                if (end.getKey().equals(p.lastPipeline)) {
                    tableNext = resumesAt;
                }
            }
            reports.add(new PartitionReport(p.topic, p.partition, p.pipelines, p.first, p.next, tableNext, p.commits,
                    p.skipped, p.startOvers, List.copyOf(p.problems)));
        }
        long to = commits.isEmpty() ? -1 : commits.get(commits.size() - 1).version();
        return new Report(table.location(), from, to, from > 0, audited, reports);
    }

    /**
     * One range a commit records having taken ({@code offsets} in its history parameters), as recorded: unlike an
     * {@link OffsetRange}, it may be malformed (a range that ends before it starts), which the audit reports.
     */
    public record TakenRange(String topic, int partition, long start, long next) {
    }

    /**
     * The ranges {@code commit} records having taken, empty when it took none (compaction, schema change, vacuum,
     * replay).
     *
     * @throws IllegalStateException if its {@code offsets} parameter is not a JSON list of ranges
     */
    public static List<TakenRange> rangesTaken(TableCommit commit) {
        String offsets = commit.parameters().get("offsets");
        if (offsets == null || offsets.isEmpty()) {
            return List.of();
        }
        JsonNode node;
        try {
            node = JSON.readTree(offsets);
        } catch (IOException e) {
            node = null;
        }
        if (node == null || !node.isArray()) {
            throw new IllegalStateException("version " + commit.version() + " records offsets that are not a JSON "
                    + "list of ranges: " + offsets);
        }
        List<TakenRange> ranges = new ArrayList<>();
        for (JsonNode range : node) {
            ranges.add(new TakenRange(range.path("topic").asText(), range.path("partition").asInt(),
                    range.path("startOffset").asLong(), range.path("nextOffset").asLong()));
        }
        return ranges;
    }

    /** What a commit that took offsets did with them: see {@link #kind(TableCommit)}. */
    public enum Kind {
        /** Ingested them (rows and dead letters). */
        BATCH,
        /** Skipped offsets Kafka's retention deleted before they were read ({@code on-offset-gap: skip}). */
        SKIP,
        /** Started over on a topic deleted and created again: earlier offsets belong to the deleted topic. */
        START_OVER
    }

    /** What {@code commit} did with the offsets it records. */
    public static Kind kind(TableCommit commit) {
        return commit.parameters().containsKey("skippedOffsets") ? Kind.SKIP
                : commit.parameters().containsKey("resetReason") ? Kind.START_OVER : Kind.BATCH;
    }

    /** One partition's ranges so far, in version order. */
    private static final class Partition {
        final String topic;
        final int partition;
        final Set<String> pipelines = new LinkedHashSet<>();
        final Map<String, Long> endByPipeline = new TreeMap<>();
        final List<String> problems = new ArrayList<>();
        long first = -1;
        long next = -1;
        long lastVersion = -1;
        String lastPipeline;
        int commits;
        long skipped;
        int startOvers;

        Partition(String topic, int partition) {
            this.topic = topic;
            this.partition = partition;
        }

        String name() {
            return topic + "-" + partition;
        }

        void take(long version, String pipeline, Kind kind, long start, long end) {
            pipelines.add(pipeline);
            commits++;
            if (first < 0) {
                first = start;
            } else if (kind == Kind.START_OVER) {
                startOvers++;
            } else if (kind == Kind.SKIP) {
                if (start != next) {
                    problems.add(name() + ": version " + version + " skips offsets " + start + " to " + (end - 1)
                            + " but the table's offsets stood at " + next);
                }
                skipped += Math.max(0, end - start);
            } else if (start > next) {
                problems.add(name() + ": offsets " + next + " to " + (start - 1) + " are missing: version "
                        + lastVersion + " ended at " + next + ", version " + version + " starts at " + start);
            } else if (start < next) {
                problems.add(name() + ": offsets " + start + " to " + (Math.min(next, end) - 1) + " were taken twice: "
                        + "version " + lastVersion + " had taken them up to " + next + ", version " + version
                        + (pipeline.equals(lastPipeline) ? "" : " (pipeline " + pipeline + ", after " + lastPipeline
                        + ")") + " takes them again from " + start);
            }
            if (end < start) {
                problems.add(name() + ": version " + version + " records a range that ends (" + end + ") before it "
                        + "starts (" + start + ")");
            }
            next = kind == Kind.START_OVER ? end : Math.max(next, end);
            endByPipeline.put(pipeline, end);
            lastVersion = version;
            lastPipeline = pipeline;
        }
    }
}
