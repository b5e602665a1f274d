package io.clpool.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.clpool.PoolOp;
import io.clpool.io.Npy;
import io.clpool.io.NpyArray;
import io.clpool.spec.AvgOptions;
import io.clpool.spec.PoolSpec;
import io.clpool.support.Compare;
import io.clpool.support.ConformanceCase;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * forward and backward of the command line replay every PyTorch-exported case on the reference
 * ({@code --device cpu}), through .npy files and flags as a user would: the 2-D cases of the first
 * set, the fractional ones and the 3-D ones (5-D files, three values per window flag) of the second;
 * the OpenCL device is covered by {@link CliOpenClTest}.
 */
class CliConformanceTest {
    @TempDir
    Path dir;

    static Stream<ConformanceCase> cases() {
        return ConformanceCase.all().stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void forwardWritesPyTorchsOutputAndIndices(ConformanceCase c) {
        checkForward(c, "cpu", dir);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void backwardWritesPyTorchsGradient(ConformanceCase c) {
        checkBackward(c, "cpu", dir, false);
    }

    static Stream<ConformanceCase> indexedCases() {
        return cases().filter(c -> List.of("max", "min", "adaptive-max").contains(c.op()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("indexedCases")
    void backwardTakesTheForwardsIndices(ConformanceCase c) {
        checkBackward(c, "cpu", dir, true);
    }

    static Stream<ConformanceCase> fractionalCases() {
        return ConformanceCase.fractional().stream();
    }

    /** fractional-max with --kernel, --output-size and --samples (PyTorch's _random_samples as .npy). */
    @ParameterizedTest(name = "{0}")
    @MethodSource("fractionalCases")
    void fractionalForwardWritesPyTorchsOutputAndIndices(ConformanceCase c) {
        checkForward(c, "cpu", dir);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fractionalCases")
    void fractionalBackwardWritesPyTorchsGradient(ConformanceCase c) {
        checkBackward(c, "cpu", dir, false);
        checkBackward(c, "cpu", dir, true);
    }

    static Stream<ConformanceCase> volumetricCases() {
        return ConformanceCase.volumetric().stream();
    }

    /** max3d, avg3d, adaptive-max3d, adaptive-avg3d: 5-D .npy files, --kernel KD,KH,KW etc. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("volumetricCases")
    void volumetricForwardWritesPyTorchsOutputAndIndices(ConformanceCase c) {
        checkForward(c, "cpu", dir);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("volumetricCases")
    void volumetricBackwardWritesPyTorchsGradient(ConformanceCase c) {
        checkBackward(c, "cpu", dir, false);
        if (indexed(c)) {
            checkBackward(c, "cpu", dir, true);
        }
    }

    static Stream<ConformanceCase> formatCases() {
        return ConformanceCase.formats().stream();
    }

    /**
     * The 36 channels-last, float16 and bfloat16 cases (max, avg, adaptive-max, adaptive-avg) as a
     * user runs them: float16 cases from their '<f2' files with no --dtype (the input's dtype),
     * bfloat16 ones with --dtype bfloat16 (float32 files), NHWC ones with --channels-last.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("formatCases")
    void formatsThroughTheCommandLine(ConformanceCase c) {
        checkFormats(c, "cpu", dir);
    }

    /** --dtype where .npy cannot say it (bfloat16), --channels-last for NHWC cases. */
    static List<String> formatFlags(ConformanceCase c) {
        List<String> flags = new ArrayList<>();
        if (c.dtype() == io.clpool.spec.DType.BFLOAT16) {
            flags.addAll(List.of("--dtype", "bfloat16"));
        }
        if (c.layout() == io.clpool.spec.Layout.CHANNELS_LAST) {
            flags.add("--channels-last");
        }
        return flags;
    }

    /**
     * forward, then backward without and with the case's indices, through files in the case's
     * layout and dtype: results in the files' memory order and dtype ('<f2' for float16, '<f4'
     * else), selections and indices bit for bit, sums within {@link io.clpool.Tolerance}'s rule for
     * the dtype at their terms' magnitudes (as {@link io.clpool.support.ConformanceCheck} judges
     * the library).
     */
    static void checkFormats(ConformanceCase c, String device, Path dir) {
        io.clpool.spec.DType type = c.dtype();
        String descr = type == io.clpool.spec.DType.FLOAT16 ? "<f2" : "<f4";
        PoolOp op = c.poolOp();
        Path y = dir.resolve("y.npy");
        Path idx = dir.resolve("idx.npy");
        List<String> args = new ArrayList<>(List.of("forward", "--device", device, "--input", file(c, "x.npy"), "--output", y.toString()));
        args.addAll(specFlags(c));
        args.addAll(formatFlags(c));
        if (op.hasIndices()) {
            args.addAll(List.of("--indices", idx.toString()));
        }
        CliRun run = CliRun.of(args);
        assertEquals(0, run.exitCode(), run::toString);
        NpyArray values = read(y);
        assertEquals(descr, values.dtype(), c + ": values in the case's dtype");
        assertArrayEquals(read(Path.of(file(c, "y.npy"))).shape(), values.shape(), c + ": the output in y.npy's dimension order");
        float[] magnitudes = io.clpool.reference.TermMagnitudes.forward(op, c.x());
        if (magnitudes == null) {
            Compare.bitEqual(c.y().data(), values.toFloats(), c + " values");
        } else {
            Compare.close(c.y().data(), values.toFloats(), magnitudes, c + " values", type);
        }
        if (op.hasIndices()) {
            NpyArray indices = read(idx);
            assertEquals("<i8", indices.dtype(), "indices are written as int64, PyTorch's dtype");
            assertArrayEquals(read(Path.of(file(c, "idx.npy"))).shape(), indices.shape(), c + ": indices in idx.npy's order");
            Compare.bitEqual(c.idx().data(), indices.toInts(), c + " indices");
        }
        for (boolean withIndices : op.hasIndices() ? new boolean[] {false, true} : new boolean[] {false}) {
            Path gx = dir.resolve("gx.npy");
            List<String> back = new ArrayList<>(List.of("backward", "--device", device, "--input", file(c, "x.npy"),
                    "--grad-output", file(c, "gy.npy"), "--output", gx.toString()));
            back.addAll(specFlags(c));
            back.addAll(formatFlags(c));
            if (withIndices) {
                back.addAll(List.of("--indices", file(c, "idx.npy")));
            }
            CliRun backward = CliRun.of(back);
            assertEquals(0, backward.exitCode(), backward::toString);
            NpyArray gradient = read(gx);
            assertEquals(descr, gradient.dtype(), c + ": the gradient in the case's dtype");
            assertArrayEquals(read(Path.of(file(c, "gx.npy"))).shape(), gradient.shape(), c + ": the gradient in gx.npy's order");
            float[] gradMagnitudes = io.clpool.reference.TermMagnitudes.backward(op, c.gy(), c.x(), c.y(),
                    op.hasIndices() ? c.idx() : null);
            Compare.close(c.gx().data(), gradient.toFloats(), gradMagnitudes, c + " gradient" + (withIndices ? " with --indices" : ""), type);
        }
    }

    /** The op as --op names it: a 3-D case's op without its {@code 3d} suffix, the input's rank saying the rest. */
    static String cliOp(ConformanceCase c) {
        return c.op().endsWith("3d") ? c.op().substring(0, c.op().length() - 2) : c.op();
    }

    /** Whether the case's op writes indices. */
    static boolean indexed(ConformanceCase c) {
        return !List.of("avg", "lp", "adaptive-avg").contains(cliOp(c));
    }

    /** The values of a per-axis field as a flag value: {@code 2,3} or {@code 1,2,3}. */
    private static String axes(int... values) {
        return java.util.Arrays.stream(values).mapToObj(Integer::toString).collect(java.util.stream.Collectors.joining(","));
    }

    static void checkForward(ConformanceCase c, String device, Path dir) {
        Path y = dir.resolve("y.npy");
        Path idx = dir.resolve("idx.npy");
        List<String> args = new ArrayList<>(List.of("forward", "--device", device, "--input", file(c, "x.npy"), "--output", y.toString()));
        args.addAll(specFlags(c));
        boolean indexed = indexed(c);
        if (indexed) {
            args.addAll(List.of("--indices", idx.toString()));
        }
        CliRun run = CliRun.of(args);
        assertEquals(0, run.exitCode(), run::toString);
        assertArrayEquals(read(Path.of(file(c, "y.npy"))).shape(), read(y).shape(), c + ": the output has the shape of y.npy");
        if (indexed) {
            assertArrayEquals(read(Path.of(file(c, "idx.npy"))).shape(), read(idx).shape(), c + ": indices of y.npy's shape");
            Compare.bitEqual(c.y().data(), floats(y), c + " values");
            NpyArray indices = read(idx);
            assertEquals("<i8", indices.dtype(), "indices are written as int64, PyTorch's dtype");
            Compare.bitEqual(c.idx().data(), indices.toInts(), c + " indices");
        } else {
            Compare.close(c.y().data(), floats(y), c + " values");
        }
    }

    static void checkBackward(ConformanceCase c, String device, Path dir, boolean withIndices) {
        Path gx = dir.resolve("gx.npy");
        List<String> args = new ArrayList<>(List.of("backward", "--device", device, "--input", file(c, "x.npy"),
                "--grad-output", file(c, "gy.npy"), "--output", gx.toString()));
        args.addAll(specFlags(c));
        if (withIndices) {
            args.addAll(List.of("--indices", file(c, "idx.npy")));
        }
        CliRun run = CliRun.of(args);
        assertEquals(0, run.exitCode(), run::toString);
        assertArrayEquals(read(Path.of(file(c, "gx.npy"))).shape(), read(gx).shape(), c + ": the gradient has the input's shape");
        Compare.close(c.gx().data(), floats(gx), c + " gradient");
    }

    /** The case's spec.json as command-line flags: two values per window flag for a 2-D case, three for a 3-D one. */
    static List<String> specFlags(ConformanceCase c) {
        String name = cliOp(c);
        List<String> flags = new ArrayList<>(List.of("--op", name));
        if (c.op().equals("fractional-max")) {
            int[] size = c.outputSize();
            PoolOp.FractionalMax op = (PoolOp.FractionalMax) c.poolOp();
            flags.addAll(List.of("--kernel", op.kernelH() + "," + op.kernelW(), "--output-size", size[0] + "," + size[1],
                    "--samples", file(c, "samples.npy")));
            return flags;
        }
        if (name.startsWith("adaptive")) {
            flags.addAll(List.of("--output-size", axes(c.outputSize())));
            return flags;
        }
        PoolSpec s = c.spec();
        if (s.volumetric()) {
            flags.addAll(List.of("--kernel", axes(s.kernelD(), s.kernelH(), s.kernelW()),
                    "--stride", axes(s.strideD(), s.strideH(), s.strideW()), "--padding", axes(s.padD(), s.padH(), s.padW())));
            if (s.hasDilation()) { // avg3d takes no --dilation
                flags.addAll(List.of("--dilation", axes(s.dilationD(), s.dilationH(), s.dilationW())));
            }
        } else {
            flags.addAll(List.of("--kernel", s.kernelH() + "," + s.kernelW(), "--stride", s.strideH() + "," + s.strideW(),
                    "--padding", s.padH() + "," + s.padW(), "--dilation", s.dilationH() + "," + s.dilationW()));
        }
        if (s.ceilMode()) {
            flags.add("--ceil-mode");
        }
        if (name.equals("avg")) {
            AvgOptions avg = c.avgOptions();
            if (!avg.countIncludePad()) {
                flags.add("--exclude-padding");
            }
            if (avg.hasDivisorOverride()) {
                flags.addAll(List.of("--divisor", Integer.toString(avg.divisorOverride())));
            }
        }
        if (name.equals("lp")) {
            flags.addAll(List.of("--norm", Double.toString(c.norm())));
        }
        return flags;
    }

    static String file(ConformanceCase c, String name) {
        return c.folder().resolve(name).toString();
    }

    static float[] floats(Path file) {
        NpyArray array = read(file);
        assertEquals("<f4", array.dtype());
        return array.toFloats();
    }

    static NpyArray read(Path file) {
        try {
            return Npy.read(file, Npy.Float16.READ);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
