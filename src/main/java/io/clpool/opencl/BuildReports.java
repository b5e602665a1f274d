package io.clpool.opencl;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Build reports, for work on the GPU kernels: with {@value #PROPERTY}=DIR every program a context
 * builds leaves {@code DIR/<file>-<hash of its options>.txt} with the device, the options and the
 * compiler's log. On NVIDIA's OpenCL (cl_nv_compiler_options) the build then adds
 * {@value #NVIDIA_VERBOSE}, whose log gives ptxas's registers and spilled bytes per kernel (the
 * option changes the log only). Off unless asked for; read at each build.
 */
final class BuildReports {
    static final String PROPERTY = "clpool.buildReport";
    static final String NVIDIA_VERBOSE = "-cl-nv-verbose";

    private static final Logger LOG = LoggerFactory.getLogger(BuildReports.class);

    private BuildReports() {}

    /** The folder {@value #PROPERTY} names, or null when it is not set. */
    static Path folder() {
        String value = System.getProperty(PROPERTY);
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            return Path.of(value.trim());
        } catch (InvalidPathException e) {
            throw new IllegalArgumentException(PROPERTY + " should name a folder, but got '" + value + "'", e);
        }
    }

    /**
     * The options to build with for a report: {@code options}, and NVIDIA's verbose log where the
     * device's {@code extensions} (space separated) have cl_nv_compiler_options, which defines it.
     */
    static String options(String options, String extensions) {
        return Devices.listsExtension(extensions, "cl_nv_compiler_options") ? options + " " + NVIDIA_VERBOSE : options;
    }

    /** The report's path for a build of {@code kernels/<file>} with {@code options}. */
    static Path path(Path folder, String file, String options) {
        return folder.resolve(file + "-" + String.format("%08x", options.hashCode()) + ".txt");
    }

    /**
     * Writes the report of one build, {@code built} or not. A report that cannot be written is
     * logged, not thrown: the build it reports on is what the caller asked for.
     */
    static void write(Path folder, String file, String options, DeviceInfo device, boolean built, String log) {
        Path path = path(folder, file, options);
        String report = "kernels/" + file + (built ? " built" : " failed to build") + "\ndevice: " + device.describe()
                + "\noptions: " + options + "\nbuild log:\n" + log + "\n";
        try {
            Files.createDirectories(folder);
            Files.writeString(path, report, StandardCharsets.UTF_8);
        } catch (IOException | RuntimeException e) {
            LOG.warn("could not write the build report {}: {}", path, e.toString());
        }
    }
}
