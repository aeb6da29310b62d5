package io.berth.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The {@code berth} command. Exit codes: 0 done, 1 the server refused the request (4xx, or a job name that names no
 * job), 2 a usage error (unknown option, bad value, ambiguous job name, unreadable file), 3 the server could not be
 * reached or failed (5xx). Errors are printed to stderr as one line: {@code berth: <title>: <detail> [field:
 * message; ...]}.
 */
@Command(name = "berth", mixinStandardHelpOptions = true, versionProvider = Berth.Version.class,
        description = "Submit and watch training jobs and run the Berth cluster from the command line.",
        footer = {"", "Configuration: berth login --server URL stores the server and token in ~/.config/berth/config "
                + "(BERTH_CONFIG names another file); BERTH_SERVER and BERTH_TOKEN override it.",
                "Exit codes: 0 ok, 1 the server said no (4xx), 2 usage error, 3 server unreachable or failing (5xx)."},
        subcommands = {CommandLine.HelpCommand.class, LoginCommand.class, JobCommands.Submit.class,
                JobCommands.ListJobs.class, Describe.class, JobCommands.Logs.class,
                JobCommands.Cancel.class, JobCommands.Hold.class, JobCommands.Release.class, JobCommands.Requeue.class,
                NodeCommands.Nodes.class, NodeCommands.Cordon.class, NodeCommands.Drain.class,
                NodeCommands.Uncordon.class, NodeCommands.Import.class, AdminCommands.Quota.class,
                AdminCommands.Tokens.class, UsageCommand.class, picocli.AutoComplete.GenerateCompletion.class})
public final class Berth {
    public static final int OK = 0;
    public static final int REFUSED = 1;
    public static final int USAGE = 2;
    public static final int UNREACHABLE = 3;

    /** The environment the command reads (BERTH_*, HOME, XDG_CONFIG_HOME); the process's own unless a test sets it. */
    final Map<String, String> env;
    final PrintStream out;
    final PrintStream err;

    Berth(Map<String, String> env, PrintStream out, PrintStream err) {
        this.env = env;
        this.out = out;
        this.err = err;
    }

    public static void main(String[] args) {
        PrintStream out = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), true,
                StandardCharsets.UTF_8);
        System.exit(run(args, System.getenv(), out, System.err));
    }

    /** Runs one command line and returns its exit code; nothing calls System.exit. */
    public static int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err) {
        Berth root = new Berth(env, out, err);
        CommandLine cmd = new CommandLine(root);
        helpOnEveryCommand(cmd);
        cmd.setCaseInsensitiveEnumValuesAllowed(true);
        cmd.setOut(new PrintWriter(out, true));
        cmd.setErr(new PrintWriter(err, true));
        cmd.setParameterExceptionHandler((ex, argv) -> {
            CommandLine c = ex.getCommandLine();
            err.println("berth: " + oneLine(ex.getMessage()) + " (see '" + c.getCommandSpec().qualifiedName()
                    + " --help')");
            return USAGE;
        });
        cmd.setExecutionExceptionHandler((ex, c, parsed) -> {
            if (ex instanceof CliException e) {
                err.println("berth: " + oneLine(e.getMessage()));
                return e.exitCode();
            }
            err.println("berth: internal error: " + oneLine(String.valueOf(ex)));
            return REFUSED;
        });
        return cmd.execute(args);
    }

    /** {@code -h/--help} (and {@code -V}) on every command, as the usage errors' hint ("see 'berth submit --help'") says. */
    private static void helpOnEveryCommand(CommandLine command) {
        for (CommandLine sub : command.getSubcommands().values()) {
            if (sub.getCommandSpec().findOption("--help") == null) sub.getCommandSpec().mixinStandardHelpOptions(true);
            helpOnEveryCommand(sub);
        }
    }

    static String oneLine(String s) {
        return s == null ? "" : s.replaceAll("\\s*[\\r\\n]+\\s*", " ").strip();
    }

    /** The server and token to use: the environment first, then the config file. */
    Config.Target target() {
        return Config.target(env);
    }

    Api api() {
        return new Api(target());
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Berth.class.getPackage().getImplementationVersion();
            return new String[]{"berth " + (v == null ? "(development build)" : v)};
        }
    }

    /** An error to print as one line, with its exit code. */
    static final class CliException extends RuntimeException {
        private final int exitCode;

        CliException(int exitCode, String message) {
            super(message);
            this.exitCode = exitCode;
        }

        int exitCode() {
            return exitCode;
        }

        static CliException usage(String message) {
            return new CliException(USAGE, message);
        }
    }
}
