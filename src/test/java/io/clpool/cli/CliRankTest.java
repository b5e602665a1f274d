package io.clpool.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.clpool.io.Npy;
import io.clpool.io.NpyArray;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The input's rank decides the pooling: N×C×L pools along L, N×C×H×W over H and W, N×C×D×H×W
 * over D, H and W; every file written has the input's rank (indices as int64), and a window flag
 * given once means every spatial axis. Expected values come from a brute-force pooling written
 * here, independent of the library; on the reference ({@code --device cpu}).
 */
class CliRankTest {
    @TempDir
    Path dir;

    /** A permutation of 0..n-1 spread over the values, so that each window's winner is one element. */
    private static float[] scrambled(int n) {
        float[] data = new float[n];
        for (int i = 0; i < n; i++) {
            data[i] = (i * 37 % n) - n / 2f;
        }
        return data;
    }

    private Path write(String name, long[] dims, float[] data) throws IOException {
        Path file = dir.resolve(name);
        Npy.writeFloat32(file, dims, data);
        return file;
    }

    private static CliRun run(Object... args) {
        List<String> list = new ArrayList<>();
        for (Object arg : args) {
            list.add(arg.toString());
        }
        return CliRun.of(list);
    }

    private static NpyArray read(Path file) {
        return CliConformanceTest.read(file);
    }

    /**
     * Max pooling without padding of planes of size {@code dims} (1, 2 or 3 axes), kernel and
     * stride per axis: values and flat indices inside the plane, planes in order.
     */
    private static Object[] bruteMax(float[] x, int planes, int[] dims, int[] k, int[] s) {
        int axes = dims.length;
        int[] out = new int[axes];
        int outSize = 1, inSize = 1;
        for (int a = 0; a < axes; a++) {
            out[a] = (dims[a] - k[a]) / s[a] + 1;
            outSize *= out[a];
            inSize *= dims[a];
        }
        float[] values = new float[planes * outSize];
        int[] indices = new int[planes * outSize];
        for (int p = 0; p < planes; p++) {
            for (int o = 0; o < outSize; o++) {
                int[] oc = unflat(o, out);
                float best = Float.NEGATIVE_INFINITY;
                int bestAt = -1;
                for (int t = 0; t < product(k); t++) {
                    int[] tc = unflat(t, k);
                    int at = 0;
                    for (int a = 0; a < axes; a++) {
                        at = at * dims[a] + oc[a] * s[a] + tc[a];
                    }
                    float v = x[p * inSize + at];
                    if (bestAt < 0 || v > best) {
                        best = v;
                        bestAt = at;
                    }
                }
                values[p * outSize + o] = best;
                indices[p * outSize + o] = bestAt;
            }
        }
        return new Object[] {values, indices, out};
    }

    private static int[] unflat(int i, int[] dims) {
        int[] c = new int[dims.length];
        for (int a = dims.length - 1; a >= 0; a--) {
            c[a] = i % dims[a];
            i /= dims[a];
        }
        return c;
    }

    private static int product(int[] v) {
        int p = 1;
        for (int x : v) {
            p *= x;
        }
        return p;
    }

    @Test
    void aThreeDimensionalInputPoolsAlongLAndWritesNcl() throws IOException {
        float[] x = scrambled(2 * 3 * 11);
        Path in = write("x.npy", new long[] {2, 3, 11}, x);
        Path y = dir.resolve("y.npy"), idx = dir.resolve("idx.npy");
        CliRun run = run("forward", "--device", "cpu", "--kernel", 3, "--stride", 2, "--input", in, "--output", y, "--indices", idx);
        assertEquals(0, run.exitCode(), run::toString);
        assertTrue(run.out().startsWith("max kernel=3 stride=2 padding=0 dilation=1: 2x3x11 -> 2x3x5 on "), run::toString);
        Object[] expected = bruteMax(x, 6, new int[] {11}, new int[] {3}, new int[] {2});
        NpyArray values = read(y);
        assertArrayEquals(new long[] {2, 3, 5}, values.shape());
        assertArrayEquals((float[]) expected[0], values.toFloats());
        NpyArray indices = read(idx);
        assertEquals("<i8", indices.dtype());
        assertArrayEquals(new long[] {2, 3, 5}, indices.shape());
        assertArrayEquals((int[]) expected[1], indices.toInts(), "positions along L");
    }

    @Test
    void aOneDimensionalBackwardAndUnpoolWriteNcl() throws IOException {
        float[] x = scrambled(1 * 2 * 8);
        Path in = write("x.npy", new long[] {1, 2, 8}, x);
        Path y = dir.resolve("y.npy"), idx = dir.resolve("idx.npy"), gx = dir.resolve("gx.npy"), up = dir.resolve("up.npy");
        assertEquals(0, run("forward", "--device", "cpu", "--kernel", 2, "--input", in, "--output", y, "--indices", idx).exitCode());
        CliRun backward = run("backward", "--device", "cpu", "--kernel", 2, "--input", in, "--grad-output", y, "--indices", idx,
                "--output", gx);
        assertEquals(0, backward.exitCode(), backward::toString);
        CliRun unpool = run("unpool", "--device", "cpu", "--output-size", 8, "--input", y, "--indices", idx, "--output", up);
        assertEquals(0, unpool.exitCode(), unpool::toString);
        assertTrue(unpool.out().contains("unpool: 1x2x4 -> 1x2x8 on "), unpool::toString);
        // the gradient of y itself, scattered to the winners, is what unpooling writes
        NpyArray dx = read(gx);
        assertArrayEquals(new long[] {1, 2, 8}, dx.shape());
        assertArrayEquals(read(up).toFloats(), dx.toFloats());
        assertArrayEquals(new long[] {1, 2, 8}, read(up).shape());
    }

    /** Adaptive max along L: PyTorch's windows [floor(i·L/O), ceil((i+1)·L/O)), here [0,3), [2,6), [5,8) for L = 8, O = 3. */
    @Test
    void aOneDimensionalAdaptivePoolingTakesOneSize() throws IOException {
        float[] x = {5, 1, 2, 3, 9, 4, 0, 7, -1, -2, -3, -4, -5, -6, -7, -8};
        Path in = write("x.npy", new long[] {1, 2, 8}, x);
        Path y = dir.resolve("y.npy"), idx = dir.resolve("idx.npy");
        CliRun run = run("forward", "--device", "cpu", "--op", "adaptive-max", "--output-size", 3, "--input", in, "--output", y,
                "--indices", idx);
        assertEquals(0, run.exitCode(), run::toString);
        assertArrayEquals(new long[] {1, 2, 3}, read(y).shape());
        assertArrayEquals(new float[] {5, 9, 7, -1, -3, -6}, read(y).toFloats());
        assertArrayEquals(new int[] {0, 4, 7, 0, 2, 5}, read(idx).toInts());
    }

    @Test
    void oneValueMeansEveryAxis() throws IOException {
        Path in = write("x.npy", new long[] {1, 2, 6, 9}, scrambled(108));
        Path once = dir.resolve("once.npy"), perAxis = dir.resolve("per-axis.npy");
        assertEquals(0, run("forward", "--device", "cpu", "--kernel", 3, "--stride", 2, "--padding", 1, "--input", in,
                "--output", once).exitCode());
        assertEquals(0, run("forward", "--device", "cpu", "--kernel", "3,3", "--stride", "2,2", "--padding", "1,1", "--input", in,
                "--output", perAxis).exitCode());
        assertArrayEquals(read(once).toFloats(), read(perAxis).toFloats());
        assertArrayEquals(new long[] {1, 2, 3, 5}, read(once).shape());
    }

    @Test
    void aFiveDimensionalInputPoolsOverDepthHeightAndWidth() throws IOException {
        int[] dims = {4, 5, 6};
        float[] x = scrambled(2 * 4 * 5 * 6);
        Path in = write("x.npy", new long[] {1, 2, 4, 5, 6}, x);
        Path y = dir.resolve("y.npy"), idx = dir.resolve("idx.npy");
        CliRun run = run("forward", "--device", "cpu", "--kernel", "2,1,3", "--stride", "2,2,3", "--input", in,
                "--output", y, "--indices", idx);
        assertEquals(0, run.exitCode(), run::toString);
        Object[] expected = bruteMax(x, 2, dims, new int[] {2, 1, 3}, new int[] {2, 2, 3});
        assertTrue(run.out().contains(": 1x2x4x5x6 -> 1x2x2x3x2 on "), run::toString);
        NpyArray values = read(y);
        assertArrayEquals(new long[] {1, 2, 2, 3, 2}, values.shape());
        assertArrayEquals((float[]) expected[0], values.toFloats());
        NpyArray indices = read(idx);
        assertEquals("<i8", indices.dtype());
        assertArrayEquals(new long[] {1, 2, 2, 3, 2}, indices.shape());
        assertArrayEquals((int[]) expected[1], indices.toInts(), "d·H·W + h·W + w");
    }

    @Test
    void aFiveDimensionalBackwardAndUnpoolWriteFiveDimensions() throws IOException {
        Path in = write("x.npy", new long[] {2, 1, 4, 4, 6}, scrambled(2 * 4 * 4 * 6));
        Path y = dir.resolve("y.npy"), idx = dir.resolve("idx.npy"), gx = dir.resolve("gx.npy");
        Path byWindow = dir.resolve("by-window.npy"), bySize = dir.resolve("by-size.npy"), byShape = dir.resolve("by-shape.npy");
        assertEquals(0, run("forward", "--device", "cpu", "--kernel", "2,2,3", "--input", in, "--output", y, "--indices", idx)
                .exitCode());
        CliRun backward = run("backward", "--device", "cpu", "--kernel", "2,2,3", "--input", in, "--grad-output", y,
                "--indices", idx, "--output", gx);
        assertEquals(0, backward.exitCode(), backward::toString);
        assertTrue(backward.out().contains("backward: 2x1x2x2x2 -> 2x1x4x4x6 on "), backward::toString);
        assertArrayEquals(new long[] {2, 1, 4, 4, 6}, read(gx).shape());
        for (List<Object> sizeFlags : List.<List<Object>>of(List.of("--kernel", "2,2,3", "--output", byWindow),
                List.of("--output-size", "4,4,6", "--output", bySize), List.of("--output-shape", "2,1,4,4,6", "--output", byShape))) {
            List<Object> args = new ArrayList<>(List.of("unpool", "--device", "cpu", "--input", y, "--indices", idx));
            args.addAll(sizeFlags);
            CliRun unpool = run(args.toArray());
            assertEquals(0, unpool.exitCode(), unpool::toString);
            NpyArray unpooled = read((Path) sizeFlags.get(3));
            assertArrayEquals(new long[] {2, 1, 4, 4, 6}, unpooled.shape());
            // unpooling y at the winners is the gradient of y (disjoint windows)
            assertArrayEquals(read(gx).toFloats(), unpooled.toFloats(), sizeFlags.toString());
        }
    }

    /**
     * LP pooling of a 5-D input over D, H and W ({@code lp_pool3d}); with norm 1 and whole windows
     * it is the window's sum, and its gradient dY at every tap of a window whose sum is not 0.
     */
    @Test
    void aFiveDimensionalLpPoolingSumsEachVolume() throws IOException {
        int[] dims = {4, 2, 6};
        int[] k = {2, 2, 3};
        float[] x = scrambled(2 * 4 * 2 * 6);
        Path in = write("x.npy", new long[] {2, 1, 4, 2, 6}, x);
        Path y = dir.resolve("y.npy"), gx = dir.resolve("gx.npy");
        CliRun forward = run("forward", "--device", "cpu", "--op", "lp", "--norm", 1, "--kernel", "2,2,3", "--input", in, "--output", y);
        assertEquals(0, forward.exitCode(), forward::toString);
        assertTrue(forward.out().contains(": 2x1x4x2x6 -> 2x1x2x1x2 on "), forward::toString);
        float[] sums = new float[2 * 2 * 1 * 2];
        float[] expectedGradient = new float[x.length];
        for (int p = 0; p < 2; p++) {
            for (int o = 0; o < 4; o++) {
                int[] oc = unflat(o, new int[] {2, 1, 2});
                float sum = 0;
                List<Integer> taps = new ArrayList<>();
                for (int t = 0; t < product(k); t++) {
                    int[] tc = unflat(t, k);
                    int at = p * 48 + ((oc[0] * k[0] + tc[0]) * dims[1] + oc[1] * k[1] + tc[1]) * dims[2] + oc[2] * k[2] + tc[2];
                    sum += x[at];
                    taps.add(at);
                }
                sums[p * 4 + o] = sum;
                for (int at : taps) {
                    expectedGradient[at] = sum; // the gradient given below is y itself (and a window of sum 0 adds nothing)
                }
            }
        }
        NpyArray values = read(y);
        assertArrayEquals(new long[] {2, 1, 2, 1, 2}, values.shape());
        assertArrayEquals(sums, values.toFloats(), "sums of integers: exact in any order");
        CliRun backward = run("backward", "--device", "cpu", "--op", "lp", "--norm", 1, "--kernel", "2,2,3", "--input", in,
                "--grad-output", y, "--output", gx);
        assertEquals(0, backward.exitCode(), backward::toString);
        assertArrayEquals(new long[] {2, 1, 4, 2, 6}, read(gx).shape());
        assertArrayEquals(expectedGradient, read(gx).toFloats(), "dY = y at every tap of its window");
    }

    @Test
    void fiveDimensionalAdaptivePoolingTakesOneSizeOrThree() throws IOException {
        Path in = write("x.npy", new long[] {1, 2, 5, 4, 7}, scrambled(280));
        Path once = dir.resolve("once.npy"), perAxis = dir.resolve("per-axis.npy"), idx = dir.resolve("idx.npy");
        assertEquals(0, run("forward", "--device", "cpu", "--op", "adaptive-max", "--output-size", 3, "--input", in,
                "--output", once).exitCode());
        CliRun run = run("forward", "--device", "cpu", "--op", "adaptive-max", "--output-size", "3,3,3", "--input", in,
                "--output", perAxis, "--indices", idx);
        assertEquals(0, run.exitCode(), run::toString);
        assertArrayEquals(new long[] {1, 2, 3, 3, 3}, read(once).shape());
        assertArrayEquals(read(once).toFloats(), read(perAxis).toFloats());
        assertArrayEquals(new long[] {1, 2, 3, 3, 3}, read(idx).shape());
        Path avg = dir.resolve("avg.npy");
        assertEquals(0, run("forward", "--device", "cpu", "--op", "adaptive-avg", "--output-size", "1,2,7", "--input", in,
                "--output", avg).exitCode());
        assertArrayEquals(new long[] {1, 2, 1, 2, 7}, read(avg).shape());
    }

    /** A 5-D run that fails after reading its inputs leaves the output it would have replaced as it was. */
    @Test
    void aFailedFiveDimensionalRunLeavesTheOldOutput() throws IOException {
        Path in = write("x.npy", new long[] {1, 2, 4, 4, 4}, scrambled(128));
        Path gy = write("gy.npy", new long[] {1, 2, 2, 2, 3}, scrambled(24)); // the output is 2x2x2
        Path old = dir.resolve("old.npy");
        Files.writeString(old, "an existing output");
        List<String> before = listing();
        CliRun run = run("backward", "--device", "cpu", "--kernel", 2, "--input", in, "--grad-output", gy, "--output", old);
        assertEquals(2, run.exitCode(), run::toString);
        assertEquals(List.of("clpool backward: --grad-output should have shape 1x2x2x2x2 (the max output of --input 1x2x4x4x4),"
                + " but got 1x2x2x2x3"), run.errLines());
        assertEquals("an existing output", Files.readString(old));
        assertEquals(before, listing(), "no temporary file left");
        CliRun counts = run("forward", "--device", "cpu", "--kernel", "2,2", "--input", in, "--output", old);
        assertEquals(2, counts.exitCode(), counts::toString);
        assertEquals(1, counts.errLines().size(), counts::toString);
        assertFalse(counts.err().contains("\tat "), counts::toString);
        assertEquals("an existing output", Files.readString(old));
        assertEquals(before, listing(), "no temporary file left");
    }

    private List<String> listing() throws IOException {
        try (var files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
