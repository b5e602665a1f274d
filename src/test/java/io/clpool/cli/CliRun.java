package io.clpool.cli;

import io.clpool.support.TestDevices;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import picocli.CommandLine;

/** Runs the command line, in-process or in a JVM of its own, with captured stdout and stderr. */
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

    /**
     * {@link Main} in a JVM of its own, for what only a process shows (its real exit code, an
     * environment, a heap limit, a crash): {@code jvmOptions} go before the class path,
     * {@code environment} adjusts the child's, stdout and stderr pass through files in {@code dir}.
     * A child still running after {@code limit} is killed and the test fails.
     */
    static CliRun inItsOwnJvm(Path dir, Duration limit, List<String> jvmOptions, Consumer<Map<String, String>> environment,
            String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName()));
        command.addAll(List.of(args));
        Path out = dir.resolve("out.txt");
        Path err = dir.resolve("err.txt");
        ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
        environment.accept(builder.environment());
        Process process = builder.start();
        if (!process.waitFor(limit.toSeconds(), TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
            throw new AssertionError("clpool did not finish in " + limit.toSeconds() + " s: " + command);
        }
        return new CliRun(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
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
