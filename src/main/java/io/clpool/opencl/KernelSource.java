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
    static final String BASE_OPTIONS = "-cl-std=CL1.2 -w";

    private KernelSource() {}

    /** direct.cl's SEGMENT_SPAN_MAX: the most floats a segment kernel keeps per kernel row. */
    static final int DIRECT_SEGMENT_SPAN_MAX = 128;

    /**
     * Whether a direct.cl build for {@code spec} has the segment kernels
     * ({@code extremum_forward_segment}, {@code indexed_backward_band_segment},
     * {@code indexed_backward_gather_segment}): only when a segment's span of one kernel row,
     * {@code 7·strideW + dilationW·(kernelW − 1) + 1}, and a segment's stride band,
     * {@code 8·strideW}, are at most {@value #DIRECT_SEGMENT_SPAN_MAX} floats (direct.cl's
     * SEGMENT_KERNELS). Larger windows would need a large private array per work-item and an
     * unrolled load of it, which overflowed POCL's compiler stack (issue 10).
     */
    public static boolean directSegmentKernels(io.clpool.spec.PoolSpec spec) {
        long span = 7L * spec.strideW() + (long) spec.dilationW() * (spec.kernelW() - 1) + 1;
        return span <= DIRECT_SEGMENT_SPAN_MAX && 8L * spec.strideW() <= DIRECT_SEGMENT_SPAN_MAX;
    }

    /** The file of the window arithmetic every kernel family shares; {@link #load} puts it first. */
    static final String SHARED = "window.cl";

    /**
     * The source to build for {@code kernels/<file>}: {@value #SHARED} (the shared window
     * arithmetic), then the file, its line numbers kept for build logs.
     */
    public static String load(String file) {
        return read(SHARED) + "\n#line 1\n" + read(file);
    }

    /** The text of {@code kernels/<file>}; a missing resource is an error naming the path. */
    private static String read(String file) {
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

    /**
     * window.cl's STORAGE and CHANNELS_LAST for the general kernels and direct.cl (channels first): how their tensors are stored
     * ({@code dtype}) and laid out ({@code layout}). The one place that maps the two to defines.
     */
    static Map<String, Object> formatDefines(io.clpool.spec.DType dtype, io.clpool.spec.Layout layout) {
        int storage = switch (dtype) {
            case FLOAT32 -> 0;
            case FLOAT16 -> 1;
            case BFLOAT16 -> 2;
            case FLOAT64 -> 3;
        };
        return Map.of("STORAGE", storage, "CHANNELS_LAST", layout == io.clpool.spec.Layout.CHANNELS_LAST ? 1 : 0);
    }

    /**
     * window.cl's OP_KERNELS: the op whose kernels a direct.cl or volume.cl build emits (a plan
     * runs one op; a build of one op's kernels takes about half the time of all of them).
     */
    enum OpKernels {
        EXTREMUM, AVERAGE, LP;

        static final String DEFINE = "OP_KERNELS";

        /** The define's value: window.cl numbers the ops in this order. */
        int define() {
            return ordinal();
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
