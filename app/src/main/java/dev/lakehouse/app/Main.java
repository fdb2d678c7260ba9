package dev.lakehouse.app;

import dev.lakehouse.app.config.ConfigException;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code lakehouse} command line. Exit codes: 0 success, 1 a pipeline failed or a runtime error, 2 bad
 * command line or configuration. The subcommands are added by {@link #commandLine()} (all of them) and
 * {@link #execute} (the one its arguments name), not by the annotation: {@code new CommandLine(new Main())} has none.
 */
@Command(name = "lakehouse", mixinStandardHelpOptions = true, version = Appliance.ENGINE_INFO,
        description = "Turns Kafka topics into transactional Delta Lake tables, exactly once.")
public final class Main implements Runnable {

    /** The subcommands, in the order the usage lists them. */
    private static final List<Class<?>> SUBCOMMANDS = List.of(RunCommand.class, ValidateConfigCommand.class,
            DeadLettersCommand.class, MaintenanceCommands.Compact.class, MaintenanceCommands.VacuumTable.class,
            AuditCommand.class, SchemaCommand.class,
            DemoCommand.class, HashPasswordCommand.class, GenerateOrdersCommand.class);

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        StartUpArchiveCheck.warningForThisJvm().ifPresent(System.err::println);
        System.exit(execute(args));
    }

    /** Runs a command line and returns its exit code. */
    public static int execute(String... args) {
        return commandLineFor(args).execute(args);
    }

    /**
     * The configured command line with every subcommand, for callers that capture its output with
     * {@code setOut}/{@code setErr}. Exit codes: 0 done, 1 failed (the message is printed to the error stream), 2 bad
     * configuration.
     */
    public static CommandLine commandLine() {
        return commandLine(SUBCOMMANDS);
    }

    /**
     * The command line for these arguments: when the first one names a subcommand, only that subcommand is known,
     * otherwise (help, a mistyped name) all are. Picocli builds each command's model by reflection, and the seven
     * not run would cost a start some 40 ms of the one thread that everything else waits for.
     */
    static CommandLine commandLineFor(String... args) {
        if (args.length > 0) {
            for (Class<?> subcommand : SUBCOMMANDS) {
                if (subcommand.getAnnotation(Command.class).name().equals(args[0])) {
                    return commandLine(List.of(subcommand));
                }
            }
        }
        return commandLine();
    }

    private static CommandLine commandLine(List<Class<?>> subcommands) {
        CommandLine main = new CommandLine(new Main());
        subcommands.forEach(main::addSubcommand);
        return main
                .setExecutionExceptionHandler((e, commandLine, parseResult) -> {
                    if (e instanceof ConfigException) {
                        commandLine.getErr().println(e.getMessage());
                        return 2;
                    }
                    commandLine.getErr().println("error: " + (e.getMessage() != null ? e.getMessage() : e.toString()));
                    return 1;
                });
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
