package dev.lakehouse.console;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lakehouse.compaction.MaintenanceRun;
import dev.lakehouse.ingest.deadletter.DeadLetter;
import dev.lakehouse.ingest.deadletter.DeadLetterSummaries;
import dev.lakehouse.ingest.deadletter.ReplayState;
import dev.lakehouse.ingest.status.FreshnessCompliance;
import dev.lakehouse.table.DataFile;
import dev.lakehouse.table.OffsetAudit;
import dev.lakehouse.table.SchemaChange;
import dev.lakehouse.table.TableCommit;
import dev.lakehouse.table.TableSnapshot;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * How the console shows what it reads: dead letters (a preview of their bytes), partitions, a file-size histogram,
 * commits, schema changes, the freshness objective and maintenance runs, as the views the pages and the API render.
 * Pure functions.
 */
final class ConsoleViews {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int PREVIEW_CHARS = 200;
    private static final long MB = 1024 * 1024;
    private static final long[] BUCKET_BOUNDS = {0, MB, 8 * MB, 32 * MB, 128 * MB, 512 * MB};

    private ConsoleViews() {
    }


    static Views.DeadLetterExample example(DeadLetterSummaries.Example stored) {
        String state = stored.replayState() == null ? "IN_TOPIC"
                : stored.replayState() == ReplayState.NOT_REPLAYED ? null : stored.replayState().name();
        return example(stored.letter(), stored.deadLetteredAt(), state);
    }

    static Views.DeadLetterExample example(DeadLetter letter, Instant deadLetteredAt, String state) {
        return new Views.DeadLetterExample(letter.topic(), letter.partition(), letter.offset(), letter.reason().name(),
                letter.message(), preview(letter.key()), preview(letter.value()),
                deadLetteredAt == null ? null : deadLetteredAt.toString(), state);
    }

    /** Text when the bytes are UTF-8 without control characters, else hex; cut to a preview length. */
    static String preview(byte[] bytes) {
        if (bytes == null) {
            return null;
        }
        try {
            String text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
            if (text.chars().noneMatch(c -> c < 0x20 && c != '\n' && c != '\r' && c != '\t')) {
                return text.length() > PREVIEW_CHARS ? text.substring(0, PREVIEW_CHARS) + "…" : text;
            }
        } catch (CharacterCodingException e) {
            // binary: shown as hex below
        }
        int shown = Math.min(bytes.length, PREVIEW_CHARS / 2);
        return "0x" + HexFormat.of().formatHex(bytes, 0, shown) + (shown < bytes.length ? "…" : "");
    }

    static List<Views.PartitionView> partitions(TableSnapshot snapshot) {
        Map<Map<String, String>, long[]> byValues = new LinkedHashMap<>();
        for (DataFile file : snapshot.files()) {
            long[] sums = byValues.computeIfAbsent(new TreeMap<>(file.partitionValues()), k -> new long[3]);
            sums[0]++;
            sums[1] += file.sizeBytes();
            sums[2] += file.numRecords();
        }
        List<Views.PartitionView> partitions = new ArrayList<>();
        byValues.forEach((values, sums) -> partitions.add(new Views.PartitionView(values, (int) sums[0], sums[1],
                sums[2])));
        partitions.sort(Comparator.comparing(p -> p.values().toString()));
        return partitions;
    }

    static List<Views.BucketView> histogram(List<DataFile> files) {
        List<Views.BucketView> buckets = new ArrayList<>();
        for (int i = 0; i < BUCKET_BOUNDS.length; i++) {
            long from = BUCKET_BOUNDS[i];
            long to = i + 1 < BUCKET_BOUNDS.length ? BUCKET_BOUNDS[i + 1] : -1;
            int count = (int) files.stream()
                    .filter(f -> f.sizeBytes() >= from && (to < 0 || f.sizeBytes() < to)).count();
            String label = to < 0 ? "≥ " + from / MB + " MB" : from / MB + "–" + to / MB + " MB";
            buckets.add(new Views.BucketView(label, from, to, count));
        }
        return buckets;
    }

    static Views.CommitView commit(TableCommit commit) {
        Map<String, String> params = commit.parameters();
        JsonNode offsets = null;
        if (params.containsKey("offsets")) {
            try {
                offsets = JSON.readTree(params.get("offsets"));
            } catch (Exception e) {
                offsets = null; // written by another engine: shown in the parameters instead
            }
        }
        Map<String, String> other = new TreeMap<>(params);
        other.keySet().removeAll(List.of("offsets", "epochId", "pipeline", "queryId", "outputMode"));
        return new Views.CommitView(commit.version(), commit.timestamp().toString(), commit.operation(),
                params.get("epochId"), params.get("pipeline"), offsets, commit.metrics().get("numOutputRows"),
                commit.metrics().get("numAddedFiles"), other);
    }

    static Views.SchemaChangeView schemaChange(SchemaChange change) {
        return new Views.SchemaChangeView(change.version(), change.timestamp().toString(), change.operation(),
                change.addedColumns(), change.writerSchema(), change.columnCount());
    }

    static Views.ObjectiveView objective(FreshnessCompliance compliance) {
        if (compliance == null) {
            return null;
        }
        double ratio = compliance.ratio();
        return new Views.ObjectiveView(compliance.objective().describe(), compliance.objective().window().toString(),
                Double.isNaN(ratio) ? null : ratio, compliance.burnRate(), compliance.met(), compliance.records());
    }

    static Views.AuditView audit(String name, TableAudits.Audit audit, Views.ObjectiveView objective) {
        OffsetAudit.Report report = audit.report();
        String state = report != null ? "DONE" : audit.error() != null ? "FAILED" : "RUNNING";
        List<Views.AuditPartitionView> partitions = report == null ? List.of() : report.partitions().stream()
                .map(p -> new Views.AuditPartitionView(p.topic(), p.partition(), p.firstOffset(), p.nextOffset(),
                        p.tableNextOffset(), p.commits(), p.skippedOffsets(), p.startOvers(), p.problems()))
                .toList();
        return new Views.AuditView(name, state, audit.running() && state.equals("DONE"),
                audit.startedAt() == null ? null : audit.startedAt().toString(),
                audit.finishedAt() == null ? null : audit.finishedAt().toString(), audit.error(),
                report == null ? -1 : report.fromVersion(), report == null ? -1 : report.toVersion(),
                report != null && report.logTruncated(), report == null ? 0 : report.commits(),
                report != null && report.ok(), partitions, objective);
    }

    static Views.RunView run(MaintenanceRun run) {
        return new Views.RunView(run.kind().name(), run.startedAt().toString(), run.duration().toMillis(), run.outcome().name(),
                run.filesBefore(), run.bytesBefore(), run.filesAfter(), run.bytesAfter(), run.detail());
    }
}
