package io.clpool.cli;

import io.clpool.opencl.OpenClUnavailableException;
import java.io.IOException;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.Spec;

/**
 * {@code java -jar clpool.jar <command>}: pooling on OpenCL devices from the command line. Every
 * error ends here, as one line on stderr: usage errors exit 2, everything else 1.
 */
@Command(name = "clpool",
        description = "Pooling layers (max, min, avg, LP, adaptive, unpooling) on OpenCL devices, checked against a plain-Java reference.",
        subcommands = {DevicesCommand.class, DemoCommand.class, ForwardCommand.class, BackwardCommand.class,
                UnpoolCommand.class, CheckCommand.class, BenchCommand.class},
        synopsisSubcommandLabel = "COMMAND")
public final class Main implements Callable<Integer> {
    private static final String LOG_LEVEL = "org.slf4j.simpleLogger.defaultLogLevel";

    @Spec
    CommandSpec spec;

    @Mixin
    CommonOptions common;

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The configured command line; tests call {@code execute} on it with their own out and err writers. */
    public static CommandLine commandLine() {
        CommandLine commandLine = new CommandLine(new Main());
        commandLine.setCaseInsensitiveEnumValuesAllowed(true);
        commandLine.setParameterExceptionHandler((e, args) -> {
            CommandLine failed = e.getCommandLine();
            String suggestion = e instanceof CommandLine.UnmatchedArgumentException unmatched && !unmatched.getSuggestions().isEmpty()
                    ? "; did you mean " + String.join(" or ", unmatched.getSuggestions()) + "?" : "";
            failed.getErr().println(errorLine(failed, e.getMessage() + suggestion
                    + " (see '" + failed.getCommandSpec().qualifiedName() + " --help')"));
            return ExitCodes.USAGE;
        });
        commandLine.setExecutionExceptionHandler(Main::handle);
        commandLine.setExecutionStrategy(parseResult -> {
            configureLogging(verbose(parseResult));
            return new CommandLine.RunLast().execute(parseResult);
        });
        return commandLine;
    }

    /** No command given: a usage error like any other, so one line. */
    @Override
    public Integer call() {
        throw new UsageError("a command is required: " + String.join(", ", spec.subcommands().keySet()) + " (see 'clpool --help')");
    }

    private static int handle(Exception e, CommandLine failed, ParseResult parseResult) {
        OptionSpec verboseOption = failed.getCommandSpec().findOption("--verbose");
        boolean verbose = verboseOption != null && Boolean.TRUE.equals(verboseOption.getValue());
        int code;
        String message;
        if (e instanceof UsageError || e instanceof IllegalArgumentException) {
            code = ExitCodes.USAGE;
            message = e.getMessage();
        } else if (e instanceof OpenClUnavailableException) {
            code = ExitCodes.FAILURE;
            message = e.getMessage() + "; or run with --device cpu";
        } else if (e instanceof UnsupportedOperationException) {
            code = ExitCodes.FAILURE;
            message = e.getMessage() + " (--device cpu runs the reference)";
        } else if (e instanceof IOException) {
            code = ExitCodes.FAILURE;
            // StagedOutputs words its own (plain IOException) messages; Java's name the exception's kind
            message = e.getClass() == IOException.class && e.getMessage() != null ? e.getMessage() : e.toString();
        } else {
            code = ExitCodes.FAILURE;
            message = "internal error: " + e + (verbose ? "" : " (--verbose prints the stack trace)");
        }
        failed.getErr().println(errorLine(failed, message));
        if (verbose) {
            e.printStackTrace(failed.getErr());
        }
        failed.getErr().flush();
        return code;
    }

    /** The one format of an error: {@code clpool <command>: <message>}, always on one line. */
    static String errorLine(CommandLine command, String message) {
        return command.getCommandSpec().qualifiedName() + ": " + oneLine(message);
    }

    static String warning(String message) {
        return "clpool: warning: " + oneLine(message);
    }

    static String note(String message) {
        return "clpool: note: " + oneLine(message);
    }

    private static String oneLine(String message) {
        return String.valueOf(message).strip().replaceAll("\\s*\\R\\s*", "; ");
    }

    private static boolean verbose(ParseResult parseResult) {
        ParseResult last = parseResult;
        while (last.hasSubcommand()) {
            last = last.subcommand();
        }
        return last.hasMatchedOption("--verbose");
    }

    /**
     * The CLI jar bundles slf4j-simple: the library's INFO lines (the chosen device, which the
     * commands print themselves) would only clutter output meant for people and pipes, so the
     * level is warn, or debug with --verbose. A level set with -D wins.
     */
    private static void configureLogging(boolean verbose) {
        if (System.getProperty(LOG_LEVEL) == null || verbose) {
            System.setProperty(LOG_LEVEL, verbose ? "debug" : "warn");
        }
    }
}
