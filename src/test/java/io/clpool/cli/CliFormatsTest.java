package io.clpool.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.clpool.IndexTensor;
import io.clpool.Tensor;
import io.clpool.io.Npy;
import io.clpool.io.NpyArray;
import io.clpool.spec.DType;
import io.clpool.spec.Layout;
import io.clpool.spec.Shape;
import io.clpool.support.Compare;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code --dtype} and {@code --channels-last} through forward, backward and unpool on the
 * reference: every run in a format is held to the same command in float32 channels first on the
 * same (rounded) numbers, its results rounded once to the type and stored in the layout's order,
 * which is what the library promises (compute in float32, round once). Files are checked for
 * their dtype ({@code <f2} for float16, {@code <f4} else, {@code <i8} indices) and their
 * dimensions' order. {@link CliOpenClTest} runs the same on the device.
 */
class CliFormatsTest {
    @TempDir
    Path dir;

    /** A type and a layout, as the flags give them. */
    record Format(DType dtype, Layout layout) {
        List<String> flags() {
            List<String> flags = new ArrayList<>(List.of("--dtype", dtype.label()));
            if (layout == Layout.CHANNELS_LAST) {
                flags.add("--channels-last");
            }
            return flags;
        }

        /** The .npy dtype its float files have: float16 {@code <f2}, float32 and bfloat16 {@code <f4}. */
        String descr() {
            return dtype == DType.FLOAT16 ? "<f2" : "<f4";
        }

        @Override
        public String toString() {
            return dtype.label() + (layout == Layout.CHANNELS_LAST ? " channels-last" : "");
        }
    }

    static final Format F16 = new Format(DType.FLOAT16, Layout.CHANNELS_FIRST);
    static final Format BF16 = new Format(DType.BFLOAT16, Layout.CHANNELS_FIRST);
    static final Format NHWC = new Format(DType.FLOAT32, Layout.CHANNELS_LAST);
    static final Format F16_NHWC = new Format(DType.FLOAT16, Layout.CHANNELS_LAST);
    static final Format BF16_NHWC = new Format(DType.BFLOAT16, Layout.CHANNELS_LAST);

    /** One pooling as flags, with the input's logical dims and whether it writes indices. */
    record Pool(String name, long[] dims, boolean indexed, List<String> flags) {
        @Override
        public String toString() {
            return name + " " + Arrays.toString(dims);
        }
    }

    static final List<Pool> POOLS = List.of(
            new Pool("max 3x3 s2 p1", new long[] {2, 3, 7, 9}, true, List.of("--op", "max", "--kernel", "3", "--stride", "2", "--padding", "1")),
            new Pool("min 2x3 dilated", new long[] {1, 4, 8, 9}, true, List.of("--op", "min", "--kernel", "2,3", "--dilation", "2,1", "--ceil-mode")),
            new Pool("avg 3 p1 exclude", new long[] {2, 3, 7, 6}, false,
                    List.of("--op", "avg", "--kernel", "3", "--stride", "2", "--padding", "1", "--exclude-padding")),
            new Pool("lp 2", new long[] {1, 5, 6, 6}, false, List.of("--op", "lp", "--norm", "2", "--kernel", "2")),
            new Pool("adaptive-max", new long[] {2, 3, 7, 5}, true, List.of("--op", "adaptive-max", "--output-size", "3,4")),
            new Pool("adaptive-avg", new long[] {2, 3, 7, 5}, false, List.of("--op", "adaptive-avg", "--output-size", "4,2")),
            new Pool("fractional-max", new long[] {2, 3, 9, 8}, true,
                    List.of("--op", "fractional-max", "--kernel", "2", "--output-size", "4,3", "--seed", "5")),
            new Pool("max3d", new long[] {1, 3, 4, 5, 6}, true, List.of("--op", "max", "--kernel", "2,2,3", "--stride", "1,2,2")),
            new Pool("avg3d", new long[] {2, 2, 5, 4, 4}, false, List.of("--op", "avg", "--kernel", "2", "--padding", "1")),
            new Pool("adaptive-avg3d", new long[] {1, 3, 5, 4, 6}, false, List.of("--op", "adaptive-avg", "--output-size", "2,3,2")));

    static Stream<Arguments> poolsAndFormats() {
        List<Arguments> rows = new ArrayList<>();
        for (Pool pool : POOLS) {
            for (Format format : List.of(F16, BF16, NHWC, F16_NHWC, BF16_NHWC)) {
                rows.add(Arguments.of(pool, format));
            }
        }
        return rows.stream();
    }

    /** forward (values and indices) and backward (with the forward's indices and without) in a format, against float32 channels first. */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("poolsAndFormats")
    void forwardAndBackwardEqualFloat32RoundedOnce(Pool pool, Format format) {
        roundTrip(pool, format, "cpu", dir, true);
    }

    /**
     * Runs {@code pool} in {@code format} on {@code device} and in float32 channels first on the
     * reference, on the same numbers; {@code exact}: bit for bit (the reference), else sums within
     * the type's tolerance (a device, whose sums may round otherwise).
     */
    static void roundTrip(Pool pool, Format format, String device, Path dir, boolean exact) {
        Random random = new Random(Arrays.hashCode(pool.dims()) * 31L + format.toString().hashCode());
        Shape shape = Shape.of(pool.dims());
        float[] x = rounded(gaussian(random, shape.elementCountAsInt()), format.dtype());
        if (pool.name().startsWith("lp")) {
            for (int i = 0; i < x.length; i++) {
                x[i] = Math.abs(x[i]);
            }
        }
        Path plainX = dir.resolve("plain-x.npy");
        Path formatX = dir.resolve("x.npy");
        write(plainX, shape, x, new Format(DType.FLOAT32, Layout.CHANNELS_FIRST));
        write(formatX, shape, x, format);

        // forward
        run(forward(pool, "cpu", plainX, dir.resolve("plain-y.npy"), dir.resolve("plain-idx.npy"), List.of()));
        CliRun formatted = run(forward(pool, device, formatX, dir.resolve("y.npy"), dir.resolve("idx.npy"), format.flags()));
        assertTrue(formatted.out().contains(format.dtype() == DType.FLOAT32 ? " on " : " " + format.dtype().label()), formatted::toString);
        NpyArray plainY = read(dir.resolve("plain-y.npy"));
        Shape outShape = Shape.of(plainY.shape());
        float[] expectedY = rounded(plainY.toFloats(), format.dtype());
        float[] y = logical(dir.resolve("y.npy"), outShape, format);
        if (exact || !sums(pool)) {
            Compare.bitEqual(expectedY, y, pool + " " + format + " values");
        } else {
            Compare.close(expectedY, y, forwardMagnitudes(dir, pool, x, shape), pool + " " + format + " values", format.dtype());
        }
        if (pool.indexed()) {
            Compare.bitEqual(read(dir.resolve("plain-idx.npy")).toInts(), logicalIndices(dir.resolve("idx.npy"), outShape, format),
                    pool + " " + format + " indices");
        }

        // backward, with the forward's indices where it has them and without
        float[] gy = rounded(gaussian(random, outShape.elementCountAsInt()), format.dtype());
        write(dir.resolve("plain-gy.npy"), outShape, gy, new Format(DType.FLOAT32, Layout.CHANNELS_FIRST));
        write(dir.resolve("gy.npy"), outShape, gy, format);
        for (boolean withIndices : pool.indexed() ? new boolean[] {false, true} : new boolean[] {false}) {
            run(backward(pool, "cpu", plainX, dir.resolve("plain-gy.npy"), withIndices ? dir.resolve("plain-idx.npy") : null,
                    dir.resolve("plain-gx.npy"), List.of()));
            run(backward(pool, device, formatX, dir.resolve("gy.npy"), withIndices ? dir.resolve("idx.npy") : null,
                    dir.resolve("gx.npy"), format.flags()));
            float[] expectedGx = rounded(read(dir.resolve("plain-gx.npy")).toFloats(), format.dtype());
            float[] gx = logical(dir.resolve("gx.npy"), shape, format);
            String what = pool + " " + format + " gradient" + (withIndices ? " with --indices" : "");
            // LP's backward reads the forward's output, which a half type stores rounded (as PyTorch saves it): not the
            // float32 run's, so its gradient may differ from that rounded once by an ulp or two of the type
            boolean readsRoundedOutput = pool.name().startsWith("lp") && format.dtype() != DType.FLOAT32;
            if (exact && !readsRoundedOutput) {
                Compare.bitEqual(expectedGx, gx, what);
            } else {
                Compare.close(expectedGx, gx, magnitudes(dir, pool, format, device), what, format.dtype());
            }
        }
    }

    /** Whether the op's values are sums (rounded once, so a device may differ in the last place). */
    private static boolean sums(Pool pool) {
        return !pool.indexed();
    }

    /** A device's sums are judged at the scale of the reference's pooling of |x| (their terms' magnitude, for avg and LP). */
    private static float[] forwardMagnitudes(Path dir, Pool pool, float[] x, Shape shape) {
        float[] abs = x.clone();
        for (int i = 0; i < abs.length; i++) {
            abs[i] = Math.abs(abs[i]);
        }
        write(dir.resolve("abs-x.npy"), shape, abs, new Format(DType.FLOAT32, Layout.CHANNELS_FIRST));
        run(forward(pool, "cpu", dir.resolve("abs-x.npy"), dir.resolve("abs-y.npy"), dir.resolve("abs-idx.npy"), List.of()));
        return read(dir.resolve("abs-y.npy")).toFloats();
    }

    /** A device's gradient is judged at the scale of the reference's own gradient of |gy| (every term's magnitude). */
    private static float[] magnitudes(Path dir, Pool pool, Format format, String device) {
        float[] gy = read(dir.resolve("plain-gy.npy")).toFloats();
        for (int i = 0; i < gy.length; i++) {
            gy[i] = Math.abs(gy[i]);
        }
        try {
            Npy.writeFloat32(dir.resolve("abs-gy.npy"), read(dir.resolve("plain-gy.npy")).shape(), gy);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        run(backward(pool, "cpu", dir.resolve("plain-x.npy"), dir.resolve("abs-gy.npy"), null, dir.resolve("abs-gx.npy"), List.of()));
        float[] m = read(dir.resolve("abs-gx.npy")).toFloats();
        for (int i = 0; i < m.length; i++) {
            m[i] = Math.abs(m[i]);
        }
        return m;
    }

    /** unpool in a format: the values and indices of a forward in that format, to the input's size. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("formats")
    void unpoolEqualsFloat32RoundedOnce(Format format) {
        unpoolRoundTrip(format, "cpu", dir);
    }

    static Stream<Format> formats() {
        return Stream.of(F16, BF16, NHWC, F16_NHWC, BF16_NHWC);
    }

    static void unpoolRoundTrip(Format format, String device, Path dir) {
        for (long[] dims : new long[][] {{2, 3, 6, 8}, {1, 2, 4, 6, 6}}) {
            Shape shape = Shape.of(dims);
            Pool pool = new Pool("max", dims, true, List.of("--op", "max", "--kernel", "2"));
            float[] x = rounded(gaussian(new Random(dims.length), shape.elementCountAsInt()), format.dtype());
            write(dir.resolve("plain-x.npy"), shape, x, new Format(DType.FLOAT32, Layout.CHANNELS_FIRST));
            write(dir.resolve("x.npy"), shape, x, format);
            run(forward(pool, "cpu", dir.resolve("plain-x.npy"), dir.resolve("plain-y.npy"), dir.resolve("plain-idx.npy"), List.of()));
            run(forward(pool, "cpu", dir.resolve("x.npy"), dir.resolve("y.npy"), dir.resolve("idx.npy"), format.flags()));
            run(List.of("unpool", "--device", "cpu", "--kernel", "2", "--input", dir.resolve("plain-y.npy").toString(),
                    "--indices", dir.resolve("plain-idx.npy").toString(), "--output", dir.resolve("plain-up.npy").toString()));
            List<String> unpool = new ArrayList<>(List.of("unpool", "--device", device, "--input", dir.resolve("y.npy").toString(),
                    "--indices", dir.resolve("idx.npy").toString(), "--output", dir.resolve("up.npy").toString()));
            long[] fileDims = shape.withLayout(format.layout()).memoryDims();
            unpool.addAll(List.of("--output-shape", Arrays.stream(fileDims).mapToObj(Long::toString).reduce((a, b) -> a + "," + b).orElseThrow()));
            unpool.addAll(format.flags());
            CliRun run = run(unpool);
            assertTrue(run.out().startsWith("unpool: "), run::toString);
            Compare.bitEqual(read(dir.resolve("plain-up.npy")).toFloats(), logical(dir.resolve("up.npy"), shape, format),
                    format + " unpool " + shape);
        }
    }

    /**
     * float64 end to end: an {@code <f8} input is computed in float64 without --dtype (and a float32
     * file with --dtype float64 is widened), forward and backward write {@code <f8} files holding the
     * library reference's doubles exactly (--device cpu), and the device (--device opencl) agrees:
     * max bit for bit, avg within float64's 2 ulp.
     */
    @Test
    void float64FilesAreComputedAndWrittenAsFloat64() throws IOException {
        Shape shape = Shape.of(1, 2, 4, 4);
        double[] x = new double[32];
        Random random = new Random(64);
        for (int i = 0; i < x.length; i++) {
            x[i] = random.nextGaussian() * (1 + 0x1p-40); // bits float32 lacks
        }
        double[] gy = new double[8];
        for (int i = 0; i < gy.length; i++) {
            gy[i] = random.nextGaussian() / 3;
        }
        Npy.writeFloat64(dir.resolve("x.npy"), shape.toLongArray(), x);
        Npy.writeFloat64(dir.resolve("gy.npy"), new long[] {1, 2, 2, 2}, gy);
        io.clpool.reference.ReferencePooling reference = new io.clpool.reference.ReferencePooling();
        io.clpool.Tensor input = io.clpool.Tensor.ofDoubles(shape, x);
        io.clpool.Tensor grad = io.clpool.Tensor.ofDoubles(Shape.of(1, 2, 2, 2), gy);
        for (String device : List.of("cpu", "opencl")) {
            CliRun forward = run(List.of("forward", "--device", device, "--op", "avg", "--kernel", "2", "--input",
                    dir.resolve("x.npy").toString(), "--output", dir.resolve("y.npy").toString()));
            assertTrue(forward.out().contains(" float64 on "), forward::toString);
            NpyArray y = read(dir.resolve("y.npy"));
            assertEquals("<f8", y.dtype());
            double[] expected = reference.forward(io.clpool.PoolOp.avg(io.clpool.spec.PoolSpec.of(2)), input).values().doubles();
            double[] got = y.toDoubles();
            for (int i = 0; i < expected.length; i++) {
                assertTrue(io.clpool.Tolerance.close(expected[i], got[i], 0, DType.FLOAT64), device + " avg " + i);
                if (device.equals("cpu")) {
                    assertEquals(expected[i], got[i], "the reference's double exactly");
                }
            }
            run(List.of("backward", "--device", device, "--kernel", "2", "--input", dir.resolve("x.npy").toString(),
                    "--grad-output", dir.resolve("gy.npy").toString(), "--output", dir.resolve("gx.npy").toString()));
            NpyArray gx = read(dir.resolve("gx.npy"));
            assertEquals("<f8", gx.dtype());
            io.clpool.PoolResult max = reference.forward(io.clpool.PoolOp.max(io.clpool.spec.PoolSpec.of(2)), input);
            assertArrayEquals(reference.backward(io.clpool.PoolOp.max(io.clpool.spec.PoolSpec.of(2)), grad, input, max.values(),
                    max.indices()).doubles(), gx.toDoubles(), device + " max backward: the gradient's doubles moved exactly");
        }
        // --dtype float64 on a float32 file: widened exactly, computed and written as float64.
        float[] x32 = gaussian(new Random(5), 32);
        Npy.writeFloat32(dir.resolve("x32.npy"), shape.toLongArray(), x32);
        run(List.of("forward", "--device", "cpu", "--kernel", "2", "--dtype", "float64", "--input", dir.resolve("x32.npy").toString(),
                "--output", dir.resolve("y32.npy").toString()));
        NpyArray y32 = read(dir.resolve("y32.npy"));
        assertEquals("<f8", y32.dtype());
        assertArrayEquals(reference.forward(io.clpool.PoolOp.max(io.clpool.spec.PoolSpec.of(2)),
                new io.clpool.Tensor(shape, x32, DType.FLOAT64)).values().doubles(), y32.toDoubles());
    }

    /** A float64 file with --dtype bfloat16 (or float16) is rounded once from the double: no double rounding through float32. */
    @Test
    void float64InputsRoundOnceToAHalfType() throws IOException {
        double bfloatAbove = 1 + 0x1p-8 + 0x1p-30; // just above the midpoint of 1 and 1 + 2^-7; through float32 a tie, to 1
        double halfAbove = 1 + 0x1p-11 + 0x1p-40;  // just above the midpoint of 1 and 1 + 2^-10
        Path x = dir.resolve("x64.npy");
        java.nio.file.Files.write(x, io.clpool.io.NpyBytes.npy(1, io.clpool.io.NpyBytes.dict("<f8", false, "(1, 1, 1, 2)"),
                io.clpool.io.NpyBytes.doubles(java.nio.ByteOrder.LITTLE_ENDIAN, new double[] {bfloatAbove, halfAbove})));
        run(List.of("forward", "--device", "cpu", "--kernel", "1", "--dtype", "bfloat16", "--input", x.toString(),
                "--output", dir.resolve("b.npy").toString()));
        NpyArray b = read(dir.resolve("b.npy"));
        assertEquals("<f4", b.dtype(), "bfloat16 results are float32 files");
        assertArrayEquals(new float[] {1 + 0x1p-7f, 1f}, b.toFloats());
        run(List.of("forward", "--device", "cpu", "--kernel", "1", "--dtype", "float16", "--input", x.toString(),
                "--output", dir.resolve("h.npy").toString()));
        NpyArray h = read(dir.resolve("h.npy"));
        assertEquals("<f2", h.dtype());
        assertArrayEquals(new float[] {1 + 0x1p-8f, 1 + 0x1p-10f}, h.toFloats());
    }

    /** --dtype rounds every float file to one type: a float16 input with a float32 gradient, both made bfloat16. */
    @Test
    void dtypeConvertsTheGradientByTheSameRules() throws IOException {
        Shape shape = Shape.of(1, 2, 4, 4);
        float[] x = gaussian(new Random(3), 32);
        Npy.write(dir.resolve("xh.npy"), shape.toLongArray(), rounded(x, DType.FLOAT16), DType.FLOAT16);
        float[] gy = gaussian(new Random(4), 8);
        Npy.writeFloat32(dir.resolve("gy.npy"), new long[] {1, 2, 2, 2}, gy);
        CliRun run = run(List.of("backward", "--device", "cpu", "--op", "avg", "--kernel", "2", "--dtype", "bfloat16",
                "--input", dir.resolve("xh.npy").toString(), "--grad-output", dir.resolve("gy.npy").toString(),
                "--output", dir.resolve("gx.npy").toString()));
        assertTrue(run.out().contains(" bfloat16 (in float32 files) on "), run::toString);
        float[] gx = read(dir.resolve("gx.npy")).toFloats();
        for (int i = 0; i < gx.length; i++) {
            int h = i / 4 % 4, w = i % 4, c = i / 16;
            float expected = DType.BFLOAT16.round(DType.BFLOAT16.round(gy[c * 4 + h / 2 * 2 + w / 2]) / 4f);
            assertEquals(expected, gx[i], "dX[" + i + "]");
        }
    }

    /** A 1-D (N,C,L) input in float16: pooled along L, written N,C,L as '<f2'. */
    @Test
    void oneDimensionalInputsTakeDtype() throws IOException {
        float[] x = rounded(gaussian(new Random(9), 2 * 3 * 11), DType.FLOAT16);
        Npy.write(dir.resolve("x.npy"), new long[] {2, 3, 11}, x, DType.FLOAT16);
        Npy.writeFloat32(dir.resolve("plain-x.npy"), new long[] {2, 3, 11}, x);
        run(List.of("forward", "--device", "cpu", "--op", "avg", "--kernel", "3", "--input", dir.resolve("x.npy").toString(),
                "--output", dir.resolve("y.npy").toString()));
        run(List.of("forward", "--device", "cpu", "--op", "avg", "--kernel", "3", "--input", dir.resolve("plain-x.npy").toString(),
                "--output", dir.resolve("plain-y.npy").toString()));
        NpyArray y = read(dir.resolve("y.npy"));
        assertEquals("<f2", y.dtype());
        assertArrayEquals(new long[] {2, 3, 3}, y.shape());
        Compare.bitEqual(rounded(read(dir.resolve("plain-y.npy")).toFloats(), DType.FLOAT16), y.toFloats(), "1-D float16 avg");
    }

    // ---- helpers ---------------------------------------------------------------------------------

    static List<String> forward(Pool pool, String device, Path x, Path y, Path idx, List<String> formatFlags) {
        List<String> args = new ArrayList<>(List.of("forward", "--device", device, "--input", x.toString(), "--output", y.toString()));
        if (pool.indexed()) {
            args.addAll(List.of("--indices", idx.toString()));
        }
        args.addAll(pool.flags());
        args.addAll(formatFlags);
        return args;
    }

    static List<String> backward(Pool pool, String device, Path x, Path gy, Path idx, Path gx, List<String> formatFlags) {
        List<String> args = new ArrayList<>(List.of("backward", "--device", device, "--input", x.toString(), "--grad-output",
                gy.toString(), "--output", gx.toString()));
        if (idx != null) {
            args.addAll(List.of("--indices", idx.toString()));
        }
        args.addAll(pool.flags());
        args.addAll(formatFlags);
        return args;
    }

    static CliRun run(List<String> args) {
        CliRun run = CliRun.of(args);
        assertEquals(0, run.exitCode(), () -> args + "\n" + run);
        assertEquals("", run.err(), () -> "nothing on stderr: " + args + "\n" + run);
        return run;
    }

    static float[] gaussian(Random random, int n) {
        float[] data = new float[n];
        for (int i = 0; i < n; i++) {
            data[i] = (float) random.nextGaussian();
        }
        return data;
    }

    static float[] rounded(float[] data, DType type) {
        float[] out = data.clone();
        for (int i = 0; i < out.length; i++) {
            out[i] = type.round(out[i]);
        }
        return out;
    }

    /** Writes logical channels-first {@code data} of {@code shape} as {@code format}'s file: its dtype, its dimensions' order. */
    static void write(Path path, Shape shape, float[] data, Format format) {
        Tensor t = new Tensor(shape, data).withLayout(format.layout());
        try {
            Npy.write(path, t.shape().memoryDims(), t.data(), format.dtype());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A result file of {@code format}, checked for its dtype and dimensions' order, as logical channels-first floats. */
    static float[] logical(Path path, Shape logical, Format format) {
        NpyArray array = read(path);
        assertEquals(format.descr(), array.dtype(), path + " of " + format);
        Shape stored = logical.withLayout(format.layout());
        assertArrayEquals(stored.memoryDims(), array.shape(), path + " has the layout's dimensions");
        return new Tensor(stored, array.toFloats()).withLayout(Layout.CHANNELS_FIRST).data();
    }

    static int[] logicalIndices(Path path, Shape logical, Format format) {
        NpyArray array = read(path);
        assertEquals("<i8", array.dtype());
        Shape stored = logical.withLayout(format.layout());
        assertArrayEquals(stored.memoryDims(), array.shape(), path + " has the layout's dimensions");
        return new IndexTensor(stored, array.toInts()).withLayout(Layout.CHANNELS_FIRST).data();
    }

    static NpyArray read(Path path) {
        return CliConformanceTest.read(path);
    }
}
