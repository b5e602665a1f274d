package io.clpool.opencl;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/** Loads kernel sources from the classpath and assembles build options: the one place for both. */
final class KernelSource {
    /**
     * Base options for every build. Never fast or finite-only math: they break NaN and infinity,
     * which pooling must propagate exactly.
     */
    static final String BASE_OPTIONS = "-cl-std=CL1.2";

    private KernelSource() {}

    /** The text of {@code kernels/<file>}; a missing resource is an error naming the path. */
    public static String load(String file) {
        String path = "kernels/" + file;
        try (InputStream in = KernelSource.class.getClassLoader().getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("OpenCL kernel source not found on the classpath: " + path);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("could not read OpenCL kernel source " + path, e);
        }
    }

    /** Build options: the base flags and one {@code -D NAME=VALUE} per define, in a stable order. */
    public static String options(Map<String, ?> defines) {
        String joined = new TreeMap<>(defines).entrySet().stream()
                .map(e -> "-D " + e.getKey() + "=" + e.getValue())
                .collect(Collectors.joining(" "));
        return joined.isEmpty() ? BASE_OPTIONS : BASE_OPTIONS + " " + joined;
    }
}
