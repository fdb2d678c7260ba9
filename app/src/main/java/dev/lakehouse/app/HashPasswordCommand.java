package dev.lakehouse.app;

import dev.lakehouse.console.PasswordHash;
import java.io.BufferedReader;
import java.io.Console;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code lakehouse hash-password}: reads a password (from the terminal without echo, or one line of standard
 * input) and prints the hash to put in {@code console.users[].password-hash}. The password never appears on the
 * command line, where process listings and shell history would keep it.
 */
@Command(name = "hash-password", mixinStandardHelpOptions = true,
        description = "Reads a password (terminal or stdin) and prints its hash for console.users[].password-hash.")
final class HashPasswordCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        char[] password;
        Console terminal = System.console();
        if (terminal != null) {
            password = terminal.readPassword("Password: ");
            char[] again = terminal.readPassword("Again: ");
            if (password == null || again == null || !Arrays.equals(password, again)) {
                spec.commandLine().getErr().println("The two passwords differ; nothing printed.");
                return 2;
            }
            Arrays.fill(again, '\0');
        } else {
            String line = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
            password = line == null ? new char[0] : line.toCharArray();
        }
        if (password.length < 8) {
            spec.commandLine().getErr().println("Use at least 8 characters; nothing printed.");
            return 2;
        }
        spec.commandLine().getOut().println(PasswordHash.hash(password));
        Arrays.fill(password, '\0');
        return 0;
    }
}
