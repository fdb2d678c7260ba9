package dev.lakehouse.app;

import dev.lakehouse.app.config.ApplianceConfig;
import dev.lakehouse.app.config.ApplianceConfig.PipelineConfig;
import dev.lakehouse.app.config.ConfigException;
import dev.lakehouse.app.config.ConfigLoader;
import dev.lakehouse.ingest.deadletter.DeadLetterReason;
import dev.lakehouse.ingest.DeadLetterReplay;
import dev.lakehouse.ingest.deadletter.DeadLetterTable;
import dev.lakehouse.table.LakeTable;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code lakehouse dead-letters list|replay}: inspects and re-ingests a pipeline's dead letters. */
@Command(name = "dead-letters", mixinStandardHelpOptions = true,
        description = "Lists or replays a pipeline's dead letters (its dead-letter table).",
        subcommands = {DeadLettersCommand.ListLetters.class, DeadLettersCommand.Replay.class})
final class DeadLettersCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** Options both subcommands share. */
    abstract static class PipelineOptions {
        @Option(names = {"-c", "--config"}, required = true, description = "The YAML configuration file.")
        Path config;

        @Option(names = {"-p", "--pipeline"}, required = true, description = "The pipeline whose dead letters to use.")
        String pipeline;

        @Spec
        CommandSpec spec;

        PipelineConfig pipelineConfig(ApplianceConfig loaded) {
            return loaded.pipeline(pipeline, config.toString());
        }

        DeadLetterTable deadLetterTable(PipelineConfig pipelineConfig) {
            return deadLetterTable(pipelineConfig, null);
        }

        /** The dead-letter table, behind a writer lease taken through {@code leases} when it is not null. */
        DeadLetterTable deadLetterTable(PipelineConfig pipelineConfig, WriterLeases leases) {
            DeadLetterTable table = PipelineParts.deadLetterTable(pipelineConfig, leases);
            if (table == null) {
                throw new ConfigException(config.toString(), List.of("pipelines[" + pipeline + "]"
                        + ".dead-letters.table: is none; replay and listing read the dead-letter table"));
            }
            return table;
        }

        PrintWriter out() {
            return spec.commandLine().getOut();
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true,
            description = "Counts the dead letters not yet replayed, by reason, with an example of each.")
    static final class ListLetters extends PipelineOptions implements Callable<Integer> {
        @Override
        public Integer call() {
            PipelineConfig pipelineConfig = pipelineConfig(ConfigLoader.load(config));
            DeadLetterTable table = deadLetterTable(pipelineConfig);
            // Read without payloads: bounded memory for any backlog.
            Map<String, DeadLetterTable.PendingReason> pending = table.pendingByReason();
            out().println("# dead letters of pipeline " + pipeline + " in " + table.describe());
            if (pending.isEmpty()) {
                out().println("none waiting");
            }
            pending.forEach((reason, p) -> out().printf("%-24s %8d   e.g. %s%n", reason, p.count(),
                    p.exampleMessage()));
            out().flush();
            return 0;
        }
    }

    @Command(name = "replay", mixinStandardHelpOptions = true,
            description = "Ingests the dead letters that now decode into the pipeline's table, exactly once, and "
                    + "marks them replayed. Run it after fixing the cause (for example registering a schema).")
    static final class Replay extends PipelineOptions implements Callable<Integer> {

        @Option(names = "--reason", split = ",", description = "Only letters with these reasons (comma-separated).")
        List<String> reasons = List.of();

        @Option(names = "--dry-run", description = "Decode only; report what would be replayed, write nothing.")
        boolean dryRun;

        @Override
        public Integer call() {
            Set<DeadLetterReason> chosen = new java.util.HashSet<>();
            for (String reason : reasons) {
                try {
                    chosen.add(DeadLetterReason.named(reason));
                } catch (IllegalArgumentException e) {
                    throw new ConfigException("--reason", List.of(e.getMessage()));
                }
            }
            ApplianceConfig loaded = ConfigLoader.load(config);
            Appliance.check(loaded);
            PipelineConfig pipelineConfig = pipelineConfig(loaded);
            DeadLetterReplay.Report report;
            try (WriterLeases leases = WriterLeases.forCommand("dead-letters replay",
                    "stop it first, replay, then start it again.")) {
                // Replay writes the pipeline's table and marks letters in the dead-letter table: where they have
                // writer leases it takes both, so it is refused while the appliance owning them runs. A dry run
                // writes nothing and takes none.
                DeadLetterTable deadLetters = deadLetterTable(pipelineConfig, dryRun ? null : leases);
                LakeTable table = PipelineParts.table(pipelineConfig);
                DeadLetterReplay replay = new DeadLetterReplay(PipelineParts.settings(pipelineConfig),
                        dryRun ? table : leases.leased(table, pipelineConfig),
                        PipelineParts.decoder(pipelineConfig, new HashMap<>()), deadLetters);
                report = replay.run(chosen, dryRun);
            }
            if (report.recovered() > 0) {
                out().println("finished an interrupted replay: " + report.recovered() + " letters were already in "
                        + "the table");
            }
            if (dryRun) {
                out().println("dry run: " + report.replayed() + " dead letters would be replayed");
            } else if (report.replayed() > 0) {
                out().println("replayed " + report.replayed() + " dead letters into " + pipelineConfig.table().location()
                        + " (replay " + report.replayId() + ", table version " + report.tableVersion() + ")");
            } else {
                out().println("nothing to replay");
            }
            report.stillFailing().forEach((reason, count) -> out().printf("still failing: %-24s %d%n", reason, count));
            out().flush();
            return 0;
        }
    }
}
