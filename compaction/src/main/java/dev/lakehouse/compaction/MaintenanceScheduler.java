package dev.lakehouse.compaction;

import dev.lakehouse.table.LakeTable;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiConsumer;
import java.util.Objects;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.quartz.CronScheduleBuilder;
import org.quartz.DisallowConcurrentExecution;
import org.quartz.Job;
import org.quartz.JobBuilder;
import org.quartz.JobDataMap;
import org.quartz.JobDetail;
import org.quartz.JobExecutionContext;
import org.quartz.JobKey;
import org.quartz.ScheduleBuilder;
import org.quartz.Scheduler;
import org.quartz.SchedulerException;
import org.quartz.SimpleScheduleBuilder;
import org.quartz.Trigger;
import org.quartz.TriggerBuilder;
import org.quartz.impl.StdSchedulerFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs each table's compaction and vacuum on its own schedule, inside the appliance, with Quartz.
 *
 * <p>One compaction and one vacuum per table at a time ({@link DisallowConcurrentExecution}); a run that
 * overlaps its next firing delays it, and missed firings are dropped, never piled up (misfire policies "next with
 * remaining count" for intervals, "do nothing" for cron). A failing run is logged and recorded; it never stops the
 * scheduler or the table's ingestion.
 */
public final class MaintenanceScheduler implements MaintenanceControl, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(MaintenanceScheduler.class);
    private static final int HISTORY = 50;
    private static final String SCHEDULER = "scheduler";
    private static final String TABLE = "table";

    /** When a job runs: every {@code interval}, or by a Quartz cron expression. Exactly one is set. */
    public record Schedule(Duration interval, String cron) {
        public Schedule {
            if ((interval == null) == (cron == null)) {
                throw new IllegalArgumentException("a schedule is an interval or a cron expression");
            }
            if (interval != null && (interval.isNegative() || interval.isZero())) {
                throw new IllegalArgumentException("a schedule interval must be positive, got " + interval);
            }
        }

        public static Schedule every(Duration interval) {
            return new Schedule(interval, null);
        }

        /**
         * @throws IllegalArgumentException if the expression is not valid Quartz cron
         */
        public static Schedule cron(String expression) {
            if (!org.quartz.CronExpression.isValidExpression(expression)) {
                throw new IllegalArgumentException("'" + expression + "' is not a Quartz cron expression "
                        + "(seconds minutes hours day-of-month month day-of-week, such as '0 0 * * * ?')");
            }
            return new Schedule(null, expression);
        }

        @Override
        public String toString() {
            return interval != null ? "every " + interval : "cron " + cron;
        }
    }

    /**
     * A table's maintenance.
     *
     * @param name the table's name (the pipeline's), unique in the scheduler
     * @param table the table; the same instance ingestion uses (one log per table per process)
     * @param compaction how to compact
     * @param compactSchedule when to compact, or null for never (on demand only)
     * @param vacuumSchedule when to vacuum, or null for never
     * @param vacuumRetention the retention scheduled vacuums keep (at least {@link Vacuum#MIN_RETENTION})
     */
    public record TableMaintenance(String name, LakeTable table, CompactionSettings compaction,
                                   Schedule compactSchedule, Schedule vacuumSchedule, Duration vacuumRetention) {
        public TableMaintenance {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(table, "table");
            Objects.requireNonNull(compaction, "compaction");
            Objects.requireNonNull(vacuumRetention, "vacuumRetention");
        }
    }

    private final Scheduler scheduler;
    private final Map<String, TableMaintenance> tables = new ConcurrentHashMap<>();
    private final Map<String, Deque<MaintenanceRun>> history = new ConcurrentHashMap<>();
    private final List<BiConsumer<String, MaintenanceRun>> runListeners =
            new CopyOnWriteArrayList<>();

    /** @param threads how many tables can be maintained at the same time */
    public MaintenanceScheduler(int threads) {
        Properties props = new Properties();
        props.setProperty("org.quartz.scheduler.instanceName", "lakehouse-maintenance-" + UUID.randomUUID());
        props.setProperty("org.quartz.scheduler.skipUpdateCheck", "true");
        props.setProperty("org.quartz.threadPool.threadCount", Integer.toString(threads));
        props.setProperty("org.quartz.threadPool.makeThreadsDaemons", "true");
        props.setProperty("org.quartz.threadPool.threadNamePrefix", "lakehouse-maintenance");
        props.setProperty("org.quartz.jobStore.class", "org.quartz.simpl.RAMJobStore");
        try {
            scheduler = new StdSchedulerFactory(props).getScheduler();
        } catch (SchedulerException e) {
            throw new IllegalStateException("cannot create the maintenance scheduler: " + e.getMessage(), e);
        }
    }

    /**
     * Registers a table's jobs (they start firing after {@link #start()}).
     *
     * @throws IllegalArgumentException if a table of that name is registered already
     */
    public void add(TableMaintenance maintenance) {
        if (tables.putIfAbsent(maintenance.name(), maintenance) != null) {
            throw new IllegalArgumentException("table " + maintenance.name() + " already has maintenance jobs");
        }
        try {
            scheduler.addJob(job(CompactionJob.class, compactKey(maintenance.name())), false);
            scheduler.addJob(job(VacuumJob.class, vacuumKey(maintenance.name())), false);
            if (maintenance.compactSchedule() != null) {
                scheduler.scheduleJob(trigger(compactKey(maintenance.name()), maintenance.compactSchedule()));
            }
            if (maintenance.vacuumSchedule() != null) {
                scheduler.scheduleJob(trigger(vacuumKey(maintenance.name()), maintenance.vacuumSchedule()));
            }
        } catch (SchedulerException e) {
            throw new IllegalStateException("cannot schedule maintenance of " + maintenance.name() + ": "
                    + e.getMessage(), e);
        }
        LOG.info("table {}: compaction {}, vacuum {} (retention {})", maintenance.name(),
                maintenance.compactSchedule() == null ? "on demand" : maintenance.compactSchedule(),
                maintenance.vacuumSchedule() == null ? "on demand" : maintenance.vacuumSchedule(),
                maintenance.vacuumRetention());
    }

    /**
     * Unschedules a table's jobs (its topic was deleted); a run in progress finishes. Unknown names are ignored.
     */
    public void remove(String name) {
        if (tables.remove(name) == null) {
            return;
        }
        try {
            scheduler.deleteJob(compactKey(name));
            scheduler.deleteJob(vacuumKey(name));
        } catch (SchedulerException e) {
            throw new IllegalStateException("cannot unschedule maintenance of " + name + ": " + e.getMessage(), e);
        }
        history.remove(name);
        LOG.info("table {}: maintenance unscheduled", name);
    }

    public void start() {
        try {
            scheduler.start();
        } catch (SchedulerException e) {
            throw new IllegalStateException("cannot start the maintenance scheduler: " + e.getMessage(), e);
        }
    }

    /**
     * Asks for a compaction of the table now; it runs as soon as no other compaction of the table is running.
     *
     * @throws IllegalArgumentException if the table is unknown
     */
    @Override
    public void compactNow(String name) {
        requireTable(name);
        try {
            scheduler.triggerJob(compactKey(name));
        } catch (SchedulerException e) {
            throw new IllegalStateException("cannot start a compaction of " + name + ": " + e.getMessage(), e);
        }
    }

    /** The table's latest runs, newest first (at most 50). */
    @Override
    public List<MaintenanceRun> recentRuns(String name) {
        Deque<MaintenanceRun> runs = history.get(name);
        if (runs == null) {
            return List.of();
        }
        synchronized (runs) {
            return new ArrayList<>(runs);
        }
    }

    /**
     * Calls {@code listener} with the table's name and the run after every run, scheduled or on demand, on the
     * job's thread. It must be quick and must not throw.
     */
    @Override
    public void addRunListener(BiConsumer<String, MaintenanceRun> listener) {
        runListeners.add(listener);
    }

    /** Names of the tables with maintenance jobs. */
    public List<String> tableNames() {
        return List.copyOf(tables.keySet());
    }

    /** Stops firing and waits for running jobs to finish. */
    @Override
    public void close() {
        try {
            scheduler.shutdown(true);
        } catch (SchedulerException e) {
            LOG.warn("maintenance scheduler did not shut down cleanly: {}", e.toString());
        }
    }

    void record(MaintenanceRun run, String name) {
        Deque<MaintenanceRun> runs = history.computeIfAbsent(name, k -> new ArrayDeque<>());
        synchronized (runs) {
            runs.addFirst(run);
            while (runs.size() > HISTORY) {
                runs.removeLast();
            }
        }
        for (BiConsumer<String, MaintenanceRun> listener : runListeners) {
            try {
                listener.accept(name, run);
            } catch (RuntimeException e) {
                LOG.warn("table {}: a maintenance run listener threw", name, e);
            }
        }
    }

    private TableMaintenance requireTable(String name) {
        TableMaintenance maintenance = tables.get(name);
        if (maintenance == null) {
            throw new IllegalArgumentException("no table named '" + name + "' has maintenance jobs; known: "
                    + tables.keySet());
        }
        return maintenance;
    }

    private JobDetail job(Class<? extends Job> type, JobKey key) {
        JobDataMap data = new JobDataMap();
        data.put(SCHEDULER, this);
        data.put(TABLE, key.getName());
        return JobBuilder.newJob(type).withIdentity(key).usingJobData(data).storeDurably().build();
    }

    private static Trigger trigger(JobKey job, Schedule schedule) {
        ScheduleBuilder<? extends Trigger> builder = schedule.interval() != null
                ? SimpleScheduleBuilder.simpleSchedule().withIntervalInMilliseconds(schedule.interval().toMillis())
                        .repeatForever().withMisfireHandlingInstructionNextWithRemainingCount()
                : CronScheduleBuilder.cronSchedule(schedule.cron()).withMisfireHandlingInstructionDoNothing();
        TriggerBuilder<Trigger> trigger = TriggerBuilder.newTrigger().forJob(job)
                .withIdentity(job.getName() + "-" + job.getGroup());
        if (schedule.interval() != null) {
            // Quartz fires on wall time, so the start is wall time too.
            trigger.startAt(new java.util.Date(System.currentTimeMillis()
                    + firstRunDelayMillis(job.getName(), schedule.interval())));
        }
        return trigger.withSchedule(builder).build();
    }

    /**
     * When a table's first interval run comes: after one interval, not at start-up, when the appliance is busiest
     * catching up, plus a phase within the next interval that the table's name fixes. Hundreds of tables made at
     * once (a table per topic) thus spread their runs over the interval instead of all running at the same minute,
     * and a restart keeps each table's phase.
     */
    static long firstRunDelayMillis(String table, Duration interval) {
        long millis = interval.toMillis();
        // A stable spread of names over [0, 1): String.hashCode is fixed by the language; the multiply mixes it.
        long mixed = (table.hashCode() & 0xffffffffL) * 0x9E3779B1L;
        double phase = (mixed & 0xffffffffL) / (double) (1L << 32);
        return millis + (long) (phase * millis);
    }

    private static JobKey compactKey(String name) {
        return JobKey.jobKey(name, "compaction");
    }

    private static JobKey vacuumKey(String name) {
        return JobKey.jobKey(name, "vacuum");
    }

    /** Compacts one table; never two at once for the same table. */
    @DisallowConcurrentExecution
    public static final class CompactionJob implements Job {
        @Override
        public void execute(JobExecutionContext context) {
            MaintenanceScheduler owner = (MaintenanceScheduler) context.getMergedJobDataMap().get(SCHEDULER);
            String name = context.getMergedJobDataMap().getString(TABLE);
            TableMaintenance maintenance = owner.tables.get(name);
            MaintenanceRun run = new CompactionRunner(maintenance.table()).compact(maintenance.compaction());
            owner.record(run, name);
        }
    }

    /** Vacuums one table; never two at once for the same table. */
    @DisallowConcurrentExecution
    public static final class VacuumJob implements Job {
        @Override
        public void execute(JobExecutionContext context) {
            MaintenanceScheduler owner = (MaintenanceScheduler) context.getMergedJobDataMap().get(SCHEDULER);
            String name = context.getMergedJobDataMap().getString(TABLE);
            TableMaintenance maintenance = owner.tables.get(name);
            try {
                owner.record(Vacuum.run(maintenance.table(), Vacuum.Options.of(maintenance.vacuumRetention())), name);
            } catch (RuntimeException e) {
                LOG.warn("table {}: vacuum failed: {}", name, e.toString(), e);
                owner.record(new MaintenanceRun(maintenance.table().location(), MaintenanceKind.VACUUM,
                        maintenance.table().options().clock().instant(),
                        Duration.ZERO, MaintenanceOutcome.FAILED, 0, 0, 0, 0, 0, String.valueOf(e.getMessage())), name);
            }
        }
    }
}
