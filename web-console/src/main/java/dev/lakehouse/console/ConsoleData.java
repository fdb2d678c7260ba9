package dev.lakehouse.console;

import dev.lakehouse.compaction.MaintenanceControl;
import dev.lakehouse.compaction.MaintenanceKind;
import dev.lakehouse.compaction.MaintenanceRun;
import dev.lakehouse.ingest.deadletter.DeadLetterSummaries;
import dev.lakehouse.ingest.status.PipelineStatus;
import dev.lakehouse.ingest.status.PipelineView;
import dev.lakehouse.table.LakeTable;
import dev.lakehouse.table.TableNotFoundException;
import dev.lakehouse.table.TableSnapshot;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds the console's views from the live pipelines, their tables and the maintenance jobs.
 *
 * <p>Reading a snapshot lists the table's files, which costs a log read; the per-table figures are therefore
 * cached for {@link #CACHE_FOR}, and each dead-letter summary is read at most as often as its source says
 * ({@link DeadLetterSummaries#readEvery()}), so many open pages cost the storage and the broker no more than one.
 *
 * <p>The overview of hundreds of tables must not wait for hundreds of log reads: a request reads what is stale for
 * at most {@link #OVERVIEW_READ_BUDGET} and shows the rest as last read (or as not read yet), while
 * {@link #refreshStale()}, run in the background, renews the figures of the tables that committed since they were
 * read, and the others' after {@link #RENEW_UNCHANGED_AFTER} (another writer, such as a user's Spark, may have changed
 * them): hundreds of idle tables cost no log read every few seconds, only when someone looks.
 */
final class ConsoleData {

    private static final Logger LOG = LoggerFactory.getLogger(ConsoleData.class);
    static final Duration CACHE_FOR = Duration.ofSeconds(2);
    /**
     * How old the background lets the figures of a table that has not committed grow: what another writer did to
     * it is shown this late at worst by a page that reads nothing itself.
     */
    static final Duration RENEW_UNCHANGED_AFTER = Duration.ofSeconds(30);
    /** How long one overview request may spend reading tables' logs and dead-letter summaries. */
    static final Duration OVERVIEW_READ_BUDGET = Duration.ofMillis(250);
    private static final int COMMITS_SHOWN = 50;
    private static final int DEAD_LETTER_EXAMPLES = 5;

    private final Map<String, MonitoredTable> tables = new LinkedHashMap<>();
    private final MaintenanceControl maintenance;
    private final Map<String, LagHistory> lagHistories;
    private final Clock clock;
    private final Map<String, TableFigures> figures = new ConcurrentHashMap<>();
    private final Map<String, DeadLetterFigures> deadLetterFigures = new ConcurrentHashMap<>();
    /** Per pipeline and reason, the records sent to the dead-letter destination since this process started. */
    private final Map<String, Map<String, LongAdder>> deadLetteredSinceStart = new ConcurrentHashMap<>();

    /** A table's snapshot figures at one moment. */
    private record TableFigures(Instant readAt, TableSnapshot snapshot, int smallFiles, String error) {
    }

    /** A dead-letter summary as last read; {@code pending} is null when the source cannot tell. */
    private record DeadLetterFigures(Instant readAt, Map<String, Long> pending,
                                     List<Views.DeadLetterExample> examples) {
    }

    ConsoleData(List<MonitoredTable> monitored, MaintenanceControl maintenance, Map<String, LagHistory> lagHistories,
                Clock clock) {
        this.maintenance = maintenance;
        this.lagHistories = lagHistories;
        this.clock = clock;
        monitored.forEach(this::add);
    }

    /** Shows one more table (a topic's table created while running). */
    void add(MonitoredTable table) {
        // Counted from the batches themselves, so every destination shows figures, also a topic the console
        // cannot read back.
        Map<String, LongAdder> byReason = deadLetteredSinceStart.computeIfAbsent(table.name(),
                k -> new ConcurrentHashMap<>());
        table.pipeline().addProgressListener(progress -> {
            progress.deadLettersByReason().forEach((reason, count) ->
                    byReason.computeIfAbsent(reason, k -> new LongAdder()).add(count));
            // The table changed: its figures are read again (by the next page, or in the background), never shown
            // from before a commit the pipeline already reported.
            figures.remove(table.name());
            if (!progress.deadLettersByReason().isEmpty() && table.deadLetters() != null) {
                deadLetterFigures.remove(table.deadLetters().describe());
            }
        });
        synchronized (tables) {
            tables.put(table.name(), table);
        }
    }

    /** Stops showing a table (a deleted topic's). */
    void remove(String name) {
        synchronized (tables) {
            tables.remove(name);
        }
        deadLetteredSinceStart.remove(name);
    }

    List<MonitoredTable> tables() {
        synchronized (tables) {
            return List.copyOf(tables.values());
        }
    }

    /** The table of that name, or null. */
    MonitoredTable table(String name) {
        synchronized (tables) {
            return tables.get(name);
        }
    }

    /**
     * A row per table. Figures from the table's log and its dead letters are read (when stale) for at most
     * {@link #OVERVIEW_READ_BUDGET}; beyond that the row has the figures as last read, or none yet
     * ({@code figuresReadAt} null), and {@link #refreshStale()} reads them in the background.
     */
    List<Views.OverviewRow> overview() {
        long readUntil = System.nanoTime() + OVERVIEW_READ_BUDGET.toNanos();
        List<Views.OverviewRow> rows = new ArrayList<>();
        for (MonitoredTable monitored : tables()) {
            boolean mayRead = System.nanoTime() < readUntil;
            PipelineView pipeline = monitored.pipeline();
            PipelineStatus status = pipeline.status();
            TableFigures table = mayRead ? figures(monitored) : figures.get(monitored.name());
            if (table == null) {
                table = new TableFigures(null, null, 0, null);
            }
            LagHistory.Sample latest = lagHistories.get(monitored.name()).latest();
            List<MaintenanceRun> runs = maintenance == null ? List.of() : maintenance.recentRuns(monitored.name());
            TableSnapshot snapshot = table.snapshot();
            rows.add(new Views.OverviewRow(monitored.name(), monitored.topics(), status.state().name(),
                    status.error() != null ? status.error() : table.error(), pipeline.isPaused(),
                    pipeline.table().location(), snapshot == null ? -1 : snapshot.version(),
                    status.lastCommit() == null ? null : status.lastCommit().toString(),
                    status.lastCommit() == null ? null
                            : Duration.between(status.lastCommit(), clock.instant()).toMillis() / 1000.0,
                    status.freshness(clock.instant()) == null ? null
                            : status.freshness(clock.instant()).toMillis() / 1000.0,
                    latest == null ? 0 : latest.inputRowsPerSecond(),
                    latest == null ? 0 : latest.processedRowsPerSecond(),
                    status.totalLag(),
                    snapshot == null ? 0 : snapshot.files().size(), table.smallFiles(),
                    snapshot == null ? 0 : snapshot.totalBytes(), snapshot == null ? 0 : snapshot.totalRecords(),
                    runs.stream().filter(r -> r.kind() == MaintenanceKind.COMPACTION).findFirst().map(ConsoleViews::run)
                            .orElse(null),
                    pendingDeadLetters(monitored, mayRead), deadLetteredSinceStart(monitored.name()).values().stream()
                            .mapToLong(Long::longValue).sum(),
                    table.readAt() == null ? null : table.readAt().toString(),
                    ConsoleViews.objective(status.freshnessObjective())));
        }
        return rows;
    }

    /**
     * Reads the figures of every table whose last reading is stale, one table after another: what the overview
     * left for later. Run in the background; a table whose storage does not answer delays only this.
     */
    void refreshStale() {
        for (MonitoredTable monitored : tables()) {
            figures(monitored, RENEW_UNCHANGED_AFTER);
            DeadLetterSummaries deadLetters = monitored.deadLetters();
            if (deadLetters != null) {
                deadLetterFigures(deadLetters, max(deadLetters.readEvery(), RENEW_UNCHANGED_AFTER));
            }
        }
    }

    private static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }

    Views.TableDetail detail(MonitoredTable monitored) {
        TableFigures figures = figures(monitored);
        TableSnapshot snapshot = figures.snapshot();
        LakeTable table = monitored.pipeline().table();
        List<Views.RunView> runs = maintenance == null ? List.of()
                : maintenance.recentRuns(monitored.name()).stream().map(ConsoleViews::run).toList();
        Views.DeadLetterSummary deadLetters = deadLetterSummary(monitored);
        if (snapshot == null) {
            return new Views.TableDetail(monitored.name(), table.location(), -1,
                    table.options().commitCoordination().label(), List.of(), List.of(), List.of(),
                    List.of(), List.of(), List.of(), runs, deadLetters);
        }
        // The reader's view: Delta types, not the Avro types of the writer (those are in the schema history).
        List<Views.FieldView> schema = DeltaSchemaFields.of(snapshot.deltaSchemaJson());
        List<Views.SchemaChangeView> schemaHistory = table.schemaHistory().stream().map(ConsoleViews::schemaChange)
                .toList();
        return new Views.TableDetail(monitored.name(), table.location(), snapshot.version(),
                table.options().commitCoordination().label(), schema, schemaHistory,
                snapshot.partitionSpec().columns(), ConsoleViews.partitions(snapshot), ConsoleViews.histogram(snapshot.files()),
                table.history(COMMITS_SHOWN).stream().map(ConsoleViews::commit).toList(), runs, deadLetters);
    }

    Views.LagView lag(MonitoredTable monitored) {
        PipelineStatus status = monitored.pipeline().status();
        return new Views.LagView(monitored.name(), status.state().name(), status.totalLag(), status.partitions(),
                lagHistories.get(monitored.name()).samples(), monitored.pipeline().recentProgress(),
                status.freshnessObjective() == null ? null : status.freshnessObjective().objective().describe());
    }

    private TableFigures figures(MonitoredTable monitored) {
        return figures(monitored, CACHE_FOR);
    }

    /** The table's figures, read again when older than {@code maxAge} or when a commit made them stale. */
    private TableFigures figures(MonitoredTable monitored, Duration maxAge) {
        return figures.compute(monitored.name(), (name, cached) -> {
            if (cached != null && cached.readAt().plus(maxAge).isAfter(clock.instant())) {
                return cached;
            }
            LakeTable table = monitored.pipeline().table();
            try {
                TableSnapshot snapshot;
                try {
                    snapshot = table.snapshot(); // one log read; exists() first would be a second
                } catch (TableNotFoundException e) {
                    return new TableFigures(clock.instant(), null, 0, null);
                }
                int small = (int) snapshot.files().stream()
                        .filter(f -> f.sizeBytes() < monitored.smallFileBytes()).count();
                return new TableFigures(clock.instant(), snapshot, small, null);
            } catch (RuntimeException e) {
                LOG.warn("table {}: cannot read its snapshot: {}", name, e.toString());
                String error = "cannot read the table: " + e.getMessage();
                return cached != null ? new TableFigures(clock.instant(), cached.snapshot(), cached.smallFiles(), error)
                        : new TableFigures(clock.instant(), null, 0, error);
            }
        });
    }

    private Long pendingDeadLetters(MonitoredTable monitored, boolean mayRead) {
        DeadLetterFigures figures = mayRead ? deadLetterFigures(monitored.deadLetters())
                : monitored.deadLetters() == null ? null : deadLetterFigures.get(monitored.deadLetters().describe());
        return figures == null || figures.pending() == null ? null
                : figures.pending().values().stream().mapToLong(Long::longValue).sum();
    }

    private Views.DeadLetterSummary deadLetterSummary(MonitoredTable monitored) {
        String destination = monitored.pipeline().deadLetterDestination();
        DeadLetterFigures figures = deadLetterFigures(monitored.deadLetters());
        Map<String, Long> sinceStart = deadLetteredSinceStart(monitored.name());
        return new Views.DeadLetterSummary(destination, figures == null ? null : figures.pending(), sinceStart,
                figures == null ? List.of() : figures.examples());
    }

    /** Reason to count, sorted by reason. */
    private Map<String, Long> deadLetteredSinceStart(String pipeline) {
        Map<String, Long> counts = new java.util.TreeMap<>();
        deadLetteredSinceStart.getOrDefault(pipeline, Map.of()).forEach((reason, count) -> counts.put(reason,
                count.sum()));
        return counts;
    }

    /**
     * The source's summary, read at most every {@link DeadLetterSummaries#readEvery()}; null when there is no
     * source. A source that cannot be read keeps its last figures, and is not asked again for a while: an
     * unreachable topic must not slow every page by its timeout.
     */
    private DeadLetterFigures deadLetterFigures(DeadLetterSummaries source) {
        return source == null ? null : deadLetterFigures(source, source.readEvery());
    }

    private DeadLetterFigures deadLetterFigures(DeadLetterSummaries source, Duration maxAge) {
        String key = source.describe();
        DeadLetterFigures cached = deadLetterFigures.get(key);
        if (cached != null && cached.readAt().plus(maxAge).isAfter(clock.instant())) {
            return cached;
        }
        try {
            DeadLetterSummaries.Summary summary = source.read(DEAD_LETTER_EXAMPLES);
            DeadLetterFigures fresh = new DeadLetterFigures(clock.instant(), summary.pendingByReason(),
                    summary.newest().stream().limit(DEAD_LETTER_EXAMPLES).map(ConsoleViews::example).toList());
            deadLetterFigures.put(key, fresh);
            return fresh;
        } catch (RuntimeException e) {
            LOG.warn("dead letters {}: cannot read them: {}", key, e.toString());
            DeadLetterFigures last = cached != null ? new DeadLetterFigures(clock.instant(), cached.pending(),
                    cached.examples()) : new DeadLetterFigures(clock.instant(), null, List.of());
            deadLetterFigures.put(key, last);
            return last;
        }
    }
}
