package io.clpool.cli;

import io.clpool.support.TestDevices;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Arrays;
import java.util.List;
import picocli.CommandLine;

/** Runs the command line in-process with captured stdout and stderr. */
record CliRun(int exitCode, String out, String err) {

    static CliRun of(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine commandLine = Main.commandLine();
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        int code = commandLine.execute(args);
        return new CliRun(code, out.toString(), err.toString());
    }

    static CliRun of(List<String> args) {
        return of(args.toArray(String[]::new));
    }

    /** Lines of stderr, blank ones left out. */
    List<String> errLines() {
        return Arrays.stream(err.split("\\R")).filter(line -> !line.isBlank()).toList();
    }

    /** Lines of stdout, blank ones left out. */
    List<String> outLines() {
        return Arrays.stream(out.split("\\R")).filter(line -> !line.isBlank()).toList();
    }

    @Override
    public String toString() {
        return "exit " + exitCode + "\n--- stdout\n" + out + "--- stderr\n" + err;
    }

    /**
     * For tests that run {@code --device opencl}: skips loudly without a device on a developer
     * machine, fails with CI=true (the semantics of {@link TestDevices#openContext()}).
     */
    static void requireOpenCl() {
        TestDevices.openContext().close();
    }
}
