package io.clpool.cli;

import io.clpool.Algorithm;
import io.clpool.opencl.OpenClUnavailableException;
import java.io.PrintWriter;
import picocli.CommandLine.Option;

/** {@code --device} and {@code --algorithm}: where a command computes. */
final class DeviceOptions {
    enum Choice { AUTO, CPU, OPENCL }

    @Option(names = "--device", paramLabel = "auto|cpu|opencl", defaultValue = "auto",
            description = "opencl: the default OpenCL device (CLPOOL_DEVICE=cpu|gpu|NAME picks another); "
                    + "cpu: the plain-Java reference; auto (default): OpenCL if present, else the reference with a warning.")
    Choice device;

    @Option(names = "--algorithm", paramLabel = "auto|im2col|direct", defaultValue = "auto",
            description = "How OpenCL computes fixed-window max/min pooling (default: ${DEFAULT-VALUE}).")
    Algorithm algorithm;

    Backend open(PrintWriter err) {
        return switch (device) {
            case CPU -> Backend.reference();
            case OPENCL -> Backend.openCl(algorithm);
            case AUTO -> {
                try {
                    yield Backend.openCl(algorithm);
                } catch (OpenClUnavailableException e) {
                    err.println(Main.warning(e.getMessage() + "; using the plain-Java reference instead (--device cpu)"));
                    err.flush();
                    yield Backend.reference();
                }
            }
        };
    }
}
