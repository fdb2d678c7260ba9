package dev.lakehouse.app;

import dev.lakehouse.app.config.ApplianceConfig.PipelineConfig;
import dev.lakehouse.app.config.ConfigLoader;
import dev.lakehouse.app.config.Units;
import dev.lakehouse.compaction.CompactionRunner;
import dev.lakehouse.compaction.MaintenanceKind;
import dev.lakehouse.compaction.MaintenanceRun;
import dev.lakehouse.compaction.Vacuum;
import dev.lakehouse.table.LakeTable;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code lakehouse compact} and {@code lakehouse vacuum}: one maintenance run of a pipeline's table, now. Safe
 * beside a running appliance on local and HDFS-like storage (compaction commits never conflict with ingestion).
 * Where the table has a writer lease (object stores by default) the command takes it like an appliance does, so
 * it is refused while the appliance that owns the table runs; there, use the console's "compact now".
 */
final class MaintenanceCommands {

    private MaintenanceCommands() {
    }

    /** Options both commands share. */
    abstract static class TableOptions {
        @Option(names = {"-c", "--config"}, required = true, description = "The YAML configuration file.")
        Path config;

        @Option(names = {"-t", "--table"}, required = true, description = "The pipeline whose table to maintain.")
        String pipeline;

        @Spec
        CommandSpec spec;

        PipelineConfig pipelineConfig() {
            return ConfigLoader.load(config).pipeline(pipeline, config.toString());
        }

        int report(MaintenanceRun run) {
            PrintWriter out = spec.commandLine().getOut();
            out.printf("%s of %s: %s in %d ms%n", run.kind().name().toLowerCase(java.util.Locale.ROOT), run.table(),
                    run.outcome(), run.duration().toMillis());
            out.println(run.detail());
            if (run.kind() == MaintenanceKind.COMPACTION && run.filesBefore() > 0) {
                out.printf("%d files (%d bytes) -> %d files (%d bytes), %.1f MB/s%n", run.filesBefore(),
                        run.bytesBefore(), run.filesAfter(), run.bytesAfter(), run.megabytesPerSecond());
            }
            out.flush();
            return run.outcome().failed() ? 1 : 0;
        }
    }

    @Command(name = "compact", mixinStandardHelpOptions = true,
            description = "Bin-packs the table's small files into files of the target size, one commit per group "
                    + "(dataChange=false).")
    static final class Compact extends TableOptions implements Callable<Integer> {
        @Override
        public Integer call() {
            PipelineConfig pipelineConfig = pipelineConfig();
            try (WriterLeases leases = WriterLeases.forCommand("compact",
                    "use its console's Compact now (POST /api/tables/{pipeline}/compact), or stop it first.")) {
                LakeTable table = leases.leased(PipelineParts.table(pipelineConfig), pipelineConfig);
                return report(new CompactionRunner(table).compact(PipelineParts.compactionSettings(pipelineConfig)));
            }
        }
    }

    @Command(name = "vacuum", mixinStandardHelpOptions = true,
            description = "Deletes files no table version within the retention needs (removed by compaction, or "
                    + "left by failed batches).")
    static final class VacuumTable extends TableOptions implements Callable<Integer> {
        @Option(names = "--dry-run", description = "List what would be deleted, delete nothing.")
        boolean dryRun;

        @Option(names = "--retention", description = "Keep files needed within this window (default 7d).")
        String retention = "7d";

        @Option(names = "--force", description = "Allow a retention below 7 days (breaks time travel; never run it "
                + "while writers may still commit files older than the retention).")
        boolean force;

        @Override
        public Integer call() {
            PipelineConfig pipelineConfig = pipelineConfig();
            try (WriterLeases leases = WriterLeases.forCommand("vacuum",
                    "leave vacuum to its compaction schedule, or stop it first.")) {
                // A dry run deletes nothing, so it needs no lease and may run beside the appliance anywhere.
                LakeTable table = dryRun ? PipelineParts.table(pipelineConfig)
                        : leases.leased(PipelineParts.table(pipelineConfig), pipelineConfig);
                return report(Vacuum.run(table, new Vacuum.Options(Units.parseDuration(retention), dryRun, force)));
            }
        }
    }
}
