package io.clpool.cli;

import picocli.CommandLine.Option;

/** Flags every command takes. */
final class CommonOptions {
    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    boolean help;

    @Option(names = "--verbose", description = "Log the library's debug messages, and print stack traces of errors.")
    boolean verbose;
}
