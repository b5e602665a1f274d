package io.clpool.cli;

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
 * ({@code --device cpu}), through .npy files and flags as a user would; the OpenCL device is
 * covered by {@link CliOpenClTest}.
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

    static void checkForward(ConformanceCase c, String device, Path dir) {
        Path y = dir.resolve("y.npy");
        Path idx = dir.resolve("idx.npy");
        List<String> args = new ArrayList<>(List.of("forward", "--device", device, "--input", file(c, "x.npy"), "--output", y.toString()));
        args.addAll(specFlags(c));
        boolean indexed = !c.op().equals("avg") && !c.op().equals("lp") && !c.op().equals("adaptive-avg");
        if (indexed) {
            args.addAll(List.of("--indices", idx.toString()));
        }
        CliRun run = CliRun.of(args);
        assertEquals(0, run.exitCode(), run::toString);
        if (indexed) {
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
        Compare.close(c.gx().data(), floats(gx), c + " gradient");
    }

    /** The case's spec.json as command-line flags. */
    static List<String> specFlags(ConformanceCase c) {
        List<String> flags = new ArrayList<>(List.of("--op", c.op()));
        if (c.op().equals("fractional-max")) {
            int[] size = c.outputSize();
            PoolOp.FractionalMax op = (PoolOp.FractionalMax) c.poolOp();
            flags.addAll(List.of("--kernel", op.kernelH() + "," + op.kernelW(), "--output-size", size[0] + "," + size[1],
                    "--samples", file(c, "samples.npy")));
            return flags;
        }
        if (c.op().startsWith("adaptive")) {
            int[] size = c.outputSize();
            flags.addAll(List.of("--output-size", size[0] + "," + size[1]));
            return flags;
        }
        PoolSpec s = c.spec();
        flags.addAll(List.of("--kernel", s.kernelH() + "," + s.kernelW(), "--stride", s.strideH() + "," + s.strideW(),
                "--padding", s.padH() + "," + s.padW(), "--dilation", s.dilationH() + "," + s.dilationW()));
        if (s.ceilMode()) {
            flags.add("--ceil-mode");
        }
        if (c.op().equals("avg")) {
            AvgOptions avg = c.avgOptions();
            if (!avg.countIncludePad()) {
                flags.add("--exclude-padding");
            }
            if (avg.hasDivisorOverride()) {
                flags.addAll(List.of("--divisor", Integer.toString(avg.divisorOverride())));
            }
        }
        if (c.op().equals("lp")) {
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
            return Npy.read(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
