package io.clpool.cli;

import io.clpool.opencl.OpenClUnavailableException;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true"); // pictures and plots need no display, nor X11 libraries
        }
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
            try {
                return new CommandLine.RunLast().execute(parseResult);
            } catch (Error e) { // picocli passes Errors through: out of memory, a native library missing
                return handleError(e, parseResult);
            }
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
        } else if (e instanceof CommandFailure) {
            code = ExitCodes.FAILURE;
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

    /** An Error that ended a command: one line that says what to do, exit 1; the stack trace with --verbose. */
    private static int handleError(Error e, ParseResult parseResult) {
        ParseResult last = parseResult;
        while (last.hasSubcommand()) {
            last = last.subcommand();
        }
        CommandLine failed = last.commandSpec().commandLine();
        PrintWriter err = failed.getErr();
        err.println(errorLine(failed, errorMessage(e, Runtime.getRuntime().maxMemory())));
        if (verbose(parseResult)) {
            e.printStackTrace(err);
        }
        err.flush();
        return ExitCodes.FAILURE;
    }

    private static final Pattern MISSING_LIBRARY = Pattern.compile("([\\w.+-]+\\.so[\\w.]*): cannot open shared object file");

    /** What an Error means for the user and what to do about it; {@code maxHeap} is the JVM's -Xmx. */
    static String errorMessage(Error e, long maxHeap) {
        String text = e.getMessage() == null ? "" : e.getMessage();
        if (e instanceof OutOfMemoryError) {
            if (text.contains("exceeds VM limit")) {
                return "out of memory: an array larger than Java allows was needed (" + text + "); give a smaller input";
            }
            if (text.contains("Direct buffer")) {
                return "out of memory (" + text + "); run java -XX:MaxDirectMemorySize=... with a larger value, or give a smaller input";
            }
            return "out of memory (" + (text.isEmpty() ? "OutOfMemoryError" : text) + ") with a Java heap of at most "
                    + HeapCheck.size(maxHeap) + "; run java -Xmx" + HeapCheck.xmx(2 * maxHeap)
                    + " -jar clpool.jar ... (a larger heap), or give a smaller input";
        }
        if ((e instanceof LinkageError || e instanceof InternalError) && fromAwt(e)) {
            String all = allMessages(e);
            Matcher missing = MISSING_LIBRARY.matcher(all);
            String library = missing.find() ? missing.group(1) : null;
            String lower = all.toLowerCase(java.util.Locale.ROOT);
            String packages = lower.contains("freetype") ? "libfreetype6"
                    : lower.contains("fontconfig") ? "fontconfig fonts-dejavu-core"
                    : library != null && library.startsWith("libX") ? "libxext6 libxrender1 libxtst6 libxi6"
                    : "libfreetype6 fontconfig fonts-dejavu-core";
            return "drawing text or pictures needs Java's AWT and the system's font libraries, and "
                    + (library != null ? "the library " + library + " is missing" : "they could not be loaded (" + e + ")")
                    + "; install them, e.g. sudo apt-get install -y " + packages;
        }
        if (e instanceof LinkageError) {
            return "a library could not be loaded (" + e + "); reinstall clpool.jar and the system library it names";
        }
        if (e instanceof StackOverflowError) {
            return "internal error: stack overflow (--verbose prints the stack trace)";
        }
        return "internal error: " + e + " (--verbose prints the stack trace)";
    }

    /** Whether AWT, Java2D or the font manager threw it (their classes in its stack or its message). */
    private static boolean fromAwt(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            String text = String.valueOf(t.getMessage());
            if (text.contains("awt") || text.contains("font") || text.contains("Font") || text.contains("java2d")) {
                return true;
            }
            for (StackTraceElement frame : t.getStackTrace()) {
                String c = frame.getClassName();
                if (c.startsWith("java.awt.") || c.startsWith("sun.awt.") || c.startsWith("sun.font.") || c.startsWith("sun.java2d.")) {
                    return true;
                }
            }
        }
        return false;
    }

    private static String allMessages(Throwable e) {
        StringBuilder all = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            all.append(t).append('\n');
        }
        return all.toString();
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
