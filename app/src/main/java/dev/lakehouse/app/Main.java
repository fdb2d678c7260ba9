package dev.lakehouse.app;

import dev.lakehouse.app.config.ConfigException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code lakehouse} command line. Exit codes: 0 success, 1 a pipeline failed or a runtime error, 2 bad
 * command line or configuration.
 */
@Command(name = "lakehouse", mixinStandardHelpOptions = true, version = Appliance.ENGINE_INFO,
        description = "Turns Kafka topics into transactional Delta Lake tables, exactly once.",
        subcommands = {RunCommand.class, ValidateConfigCommand.class, DeadLettersCommand.class,
                MaintenanceCommands.Compact.class, MaintenanceCommands.VacuumTable.class, DemoCommand.class,
                HashPasswordCommand.class, GenerateOrdersCommand.class})
public final class Main implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** Runs a command line and returns its exit code. */
    public static int execute(String... args) {
        return commandLine().execute(args);
    }

    /**
     * The configured command line, for callers that capture its output with {@code setOut}/{@code setErr}.
     * Exit codes: 0 done, 1 failed (the message is printed to the error stream), 2 bad configuration.
     */
    public static CommandLine commandLine() {
        return new CommandLine(new Main())
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
