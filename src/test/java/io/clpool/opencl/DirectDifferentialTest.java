package io.clpool.opencl;

import io.clpool.support.Calls;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import io.clpool.Algorithm;
import io.clpool.PoolOp;
import io.clpool.PoolResult;
import io.clpool.Pooling;
import io.clpool.Tensor;
import io.clpool.Validation;
import io.clpool.reference.ReferencePooling;
import io.clpool.spec.AvgOptions;
import io.clpool.spec.DType;
import io.clpool.spec.PoolSpec;
import io.clpool.spec.Shape;
import io.clpool.support.Compare;
import io.clpool.support.Differential;
import io.clpool.support.Inputs;
import io.clpool.support.SweepCase;
import io.clpool.support.TestDevices;
import io.clpool.support.SystemProperty;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestInstance;

/**
 * The DIRECT algorithm's average and LP pooling against the reference over the fixed-window
 * sweep (the max/min sweep runs in {@link MaxMinDifferentialTest} on every algorithm), its
 * launch geometry, and its device-resident {@code ...Into} path.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DirectDifferentialTest {
    private static final AvgOptions[] AVG_OPTIONS = {AvgOptions.DEFAULT, new AvgOptions(false, 0), new AvgOptions(true, 3)};
    private static final double[] NORMS = {2.0, 1.5, 3.0};

    private final Pooling reference = new ReferencePooling();
    private ClContext context;
    private OpenClPooling direct;

    @BeforeAll
    void open() {
        context = TestDevices.openContext();
        direct = new OpenClPooling(context, Algorithm.DIRECT);
    }

    @AfterAll
    void close() {
        if (direct != null) {
            direct.close();
        }
        if (context != null) {
            context.close();
        }
    }

    @Test
    void autoPicksDirect() {
        Tensor x = Inputs.NORMAL.tensor(Shape.of(1, 2, 9, 9), 1);
        PoolSpec spec = PoolSpec.of(3).withStride(2).withPadding(1);
        PoolResult expected = Calls.maxPool2d(reference, x, spec);
        // IM2COL's plan holds column buffers as its workspace; DIRECT needs none.
        try (OpenClPooling im2col = new OpenClPooling(context, Algorithm.IM2COL);
             PoolPlan plan = im2col.plan(PoolOp.max(spec), x.shape())) {
            assertTrue(plan.workspaceBytes() > 0, "IM2COL should keep a column buffer");
        }
        try (OpenClPooling auto = new OpenClPooling(context, Algorithm.AUTO);
             PoolPlan plan = auto.plan(PoolOp.max(spec), x.shape())) {
            PoolResult actual = Calls.maxPool2d(auto, x, spec);
            Compare.bitEqual(expected.values().data(), actual.values().data(), "values");
            assertEquals(0, plan.workspaceBytes(), "AUTO kept scratch buffers, so it is not DIRECT");
        }
    }

    @TestFactory
    Stream<DynamicTest> averagePoolingMatchesReference() {
        List<SweepCase> cases = SweepCase.fixedWindowSweep(false).stream()
                .filter(c -> legal(() -> Validation.avgPooledShape(c.shape(), c.spec(), AvgOptions.DEFAULT))).toList();
        assertTrue(cases.size() > 100, "the average sweep should cover over a hundred cases, got " + cases.size());
        return cases.stream().map(c -> dynamicTest("avg " + c, () -> {
            AvgOptions options = AVG_OPTIONS[(int) (c.seed() % AVG_OPTIONS.length)];
            Tensor x = c.input();
            Tensor expected = Calls.avgPool2d(reference, x, c.spec(), options);
            Compare.close(expected.data(), Calls.avgPool2d(direct, x, c.spec(), options).data(), "values " + options);
            Tensor dy = Inputs.gradient(expected.shape(), c.seed());
            Tensor expectedGrad = Calls.avgPool2dBackward(reference, dy, x.shape(), c.spec(), options);
            Tensor first = Calls.avgPool2dBackward(direct, dy, x.shape(), c.spec(), options);
            Tensor second = Calls.avgPool2dBackward(direct, dy, x.shape(), c.spec(), options);
            Compare.close(expectedGrad.data(), first.data(), "gradient " + options);
            Compare.bitEqual(first.data(), second.data(), "two backward runs");
        }));
    }

    @TestFactory
    Stream<DynamicTest> lpPoolingMatchesReference() {
        List<SweepCase> cases = SweepCase.fixedWindowSweep(false).stream()
                .filter(c -> legal(() -> Validation.lpPooledShape(c.shape(), c.spec(), 2.0))).toList();
        assertTrue(cases.size() > 30, "the LP sweep should cover dozens of cases, got " + cases.size());
        return cases.stream().map(c -> dynamicTest("lp " + c, () -> {
            double norm = NORMS[(int) (c.seed() % NORMS.length)];
            // positive inputs: a fractional power of a negative number is NaN on both sides, which tests nothing
            Tensor x = positive(c.input());
            Tensor expected = Calls.lpPool2d(reference, x, c.spec(), norm);
            Tensor y = Calls.lpPool2d(direct, x, c.spec(), norm);
            Compare.close(expected.data(), y.data(), "values p=" + norm);
            Tensor dy = Inputs.gradient(expected.shape(), c.seed());
            Tensor expectedGrad = Calls.lpPool2dBackward(reference, dy, x, expected, c.spec(), norm);
            Tensor first = Calls.lpPool2dBackward(direct, dy, x, expected, c.spec(), norm);
            Tensor second = Calls.lpPool2dBackward(direct, dy, x, expected, c.spec(), norm);
            Compare.close(expectedGrad.data(), first.data(), "gradient p=" + norm);
            Compare.bitEqual(first.data(), second.data(), "two backward runs");
        }));
    }

    /** Shapes whose rows have inner columns, edge columns and a leftover, so both kernels run. */
    @TestFactory
    Stream<DynamicTest> innerAndEdgeColumnsTogetherCoverEveryOutput() {
        Shape[] shapes = {Shape.of(2, 3, 20, 113), Shape.of(1, 2, 13, 250), Shape.of(3, 1, 6, 6)};
        PoolSpec[] specs = {PoolSpec.of(2), PoolSpec.of(3).withStride(1).withPadding(1), PoolSpec.of(3).withStride(2),
                PoolSpec.of(2).withStride(3), PoolSpec.of(3).withStride(4).withPadding(1).withCeilMode(true),
                PoolSpec.of(2).withDilation(2).withStride(3)};
        return Stream.of(shapes).flatMap(shape -> Stream.of(specs).map(spec -> dynamicTest(shape + " " + spec, () -> {
            Tensor x = Inputs.SPECIAL.tensor(shape, shape.w() + spec.kernelH());
            PoolResult expected = Calls.maxPool2d(reference, x, spec);
            PoolResult actual = Calls.maxPool2d(direct, x, spec);
            Compare.bitEqual(expected.values().data(), actual.values().data(), "values");
            Compare.bitEqual(expected.indices().data(), actual.indices().data(), "indices");
            Tensor dy = Inputs.gradient(expected.values().shape(), 5);
            Compare.close(Calls.maxPool2dBackward(reference, dy, expected.indices(), shape, spec).data(),
                    Calls.maxPool2dBackward(direct, dy, expected.indices(), shape, spec).data(), "gradient");
        })));
    }

    /**
     * The CPU family's segment kernels (strips and row blocks with clamped edges, the gathers and
     * the plane scatter) at widths around a segment's 8 and 16 columns and past a strip's 128 output columns,
     * with padding, ceil mode and dilation: values,
     * indices and gradients bit for bit, max and min.
     */
    @TestFactory
    Stream<DynamicTest> segmentKernelsAtAwkwardWidthsAreBitExact() {
        int[] widths = {1, 2, 3, 7, 8, 9, 15, 16, 17, 33, 93, 129, 263};
        PoolSpec[] specs = {PoolSpec.of(3).withStride(1).withPadding(1), PoolSpec.of(3).withStride(2).withPadding(1),
                PoolSpec.of(3).withStride(2).withCeilMode(true), PoolSpec.of(3).withStride(2).withPadding(1).withCeilMode(true),
                PoolSpec.of(2, 3).withStride(1, 2).withPadding(1, 1), PoolSpec.of(5).withStride(3).withPadding(2),
                PoolSpec.of(4).withStride(2, 4).withPadding(2), PoolSpec.of(3).withStride(2).withDilation(2).withPadding(1),
                PoolSpec.of(3).withStride(1).withDilation(2),
                // windows that share no rows: strips that keep no partials, rows clamped into the input
                PoolSpec.of(2), PoolSpec.of(2).withPadding(1), PoolSpec.of(2, 3).withStride(3, 2).withPadding(1, 1),
                PoolSpec.of(2).withStride(3).withCeilMode(true)};
        Inputs[] flavours = {Inputs.SPECIAL, Inputs.TIES, Inputs.NEGATIVE};
        // one plane takes the gathers on any device, 64 the plane scatter on one of up to 32 compute
        // units (DirectKernels.scatterPlanes: at least two planes per unit)
        return Stream.of(specs).flatMap(spec -> java.util.stream.IntStream.of(widths).boxed().flatMap(w -> Stream.of(
                Shape.of(1, 1, 5 + w % 7, w), Shape.of(1, 64, 5 + w % 7, w)).flatMap(shape -> {
            if (!legal(() -> spec.outputShape(shape))) {
                return Stream.empty();
            }
            return Stream.of(false, true).map(min -> dynamicTest(shape + " " + spec + (min ? " min" : " max"), () -> {
                Tensor x = flavours[(w + (min ? 1 : 0)) % flavours.length].tensor(shape, 31L * w + spec.strideW());
                PoolResult expected = min ? Calls.minPool2d(reference, x, spec) : Calls.maxPool2d(reference, x, spec);
                PoolResult actual = min ? Calls.minPool2d(direct, x, spec) : Calls.maxPool2d(direct, x, spec);
                Compare.bitEqual(expected.values().data(), actual.values().data(), "values");
                Compare.bitEqual(expected.indices().data(), actual.indices().data(), "indices");
                Tensor dy = Inputs.gradient(expected.values().shape(), w);
                Tensor expectedGrad = min ? Calls.minPool2dBackward(reference, dy, expected.indices(), shape, spec)
                        : Calls.maxPool2dBackward(reference, dy, expected.indices(), shape, spec);
                Tensor grad = min ? Calls.minPool2dBackward(direct, dy, expected.indices(), shape, spec)
                        : Calls.maxPool2dBackward(direct, dy, expected.indices(), shape, spec);
                Compare.bitEqual(expectedGrad.data(), grad.data(), "gradient");
            }));
        })));
    }

    /**
     * The CPU family's max/min backward of overlapping windows in half types: 64 planes take the
     * plane scatter that sums in a float ring (direct.cl's indexed_backward_scatter_ring, on up to
     * 32 compute units), one plane the gathers. Windows that overlap down the columns (the ring
     * keeps rows from one output row to the next), stride 2 (the stem), dilation, and rows that
     * windows skip (stride past the kernel down the columns, overlapping along the rows), at
     * widths around a segment's 8 columns: gradients bit for bit the reference's, which sums in
     * float and rounds once.
     */
    @TestFactory
    Stream<DynamicTest> halfTypeScatterSumsInFloatAndRoundsOnce() {
        int[] widths = {1, 7, 8, 9, 17, 93};
        PoolSpec[] specs = {PoolSpec.of(3).withStride(1).withPadding(1), PoolSpec.of(3).withStride(2).withPadding(1),
                PoolSpec.of(3).withStride(2).withPadding(1).withCeilMode(true), PoolSpec.of(5).withStride(2).withPadding(2),
                PoolSpec.of(3).withStride(1).withDilation(2), PoolSpec.of(2, 3).withStride(3, 2).withPadding(1, 1),
                PoolSpec.of(4, 2).withStride(1, 1).withPadding(2, 1)};
        Inputs[] flavours = {Inputs.SPECIAL, Inputs.TIES, Inputs.NEGATIVE};
        return Stream.of(DType.FLOAT16, DType.BFLOAT16).flatMap(dtype -> Stream.of(specs).flatMap(spec ->
                java.util.stream.IntStream.of(widths).boxed().flatMap(w -> Stream.of(
                        Shape.of(1, 1, 6 + w % 5, w), Shape.of(2, 32, 6 + w % 5, w)).flatMap(shape -> {
            if (!legal(() -> spec.outputShape(shape))) {
                return Stream.empty();
            }
            return Stream.of(false, true).map(min -> dynamicTest(dtype + " " + shape + " " + spec + (min ? " min" : " max"), () -> {
                Tensor x = flavours[(w + (min ? 1 : 0)) % flavours.length].tensor(shape, 17L * w + spec.strideH()).toType(dtype);
                PoolResult expected = min ? Calls.minPool2d(reference, x, spec) : Calls.maxPool2d(reference, x, spec);
                PoolResult actual = min ? Calls.minPool2d(direct, x, spec) : Calls.maxPool2d(direct, x, spec);
                Compare.bitEqual(expected.indices().data(), actual.indices().data(), "indices");
                Tensor dy = Differential.gradient(expected.values().shape(), w, dtype);
                PoolOp op = min ? PoolOp.min(spec) : PoolOp.max(spec);
                Tensor expectedGrad = reference.backward(op, dy, x, null, expected.indices());
                Tensor grad = direct.backward(op, dy, x, null, expected.indices());
                assertEquals(dtype, grad.dtype(), "the gradient's type");
                Compare.bitEqual(expectedGrad.data(), grad.data(), "gradient");
            }));
        }))));
    }

    /**
     * The CPU family's average and LP segment kernels (forward over inner columns and the row-end
     * segments, whose 8 lanes each take their own divisor; the disjoint backward's 8 bands per
     * work-item) give bitwise the GPU family's per-output kernels, which they replace on a CPU:
     * same sums in the same order, same divisors, same rounding to the stored type (float32,
     * float16, bfloat16).
     */
    @TestFactory
    Stream<DynamicTest> averageAndLpSegmentKernelsAreBitwiseThePerOutputKernels() {
        int[] widths = {1, 7, 8, 9, 16, 17, 33, 93};
        PoolSpec[] specs = {PoolSpec.of(2), PoolSpec.of(2).withPadding(1), PoolSpec.of(3).withStride(1).withPadding(1),
                PoolSpec.of(3).withStride(2).withPadding(1).withCeilMode(true), PoolSpec.of(2, 3).withStride(3, 4).withPadding(1, 1),
                PoolSpec.of(1).withStride(2), PoolSpec.of(3).withStride(3).withCeilMode(true), PoolSpec.of(3).withStride(1),
                PoolSpec.of(2, 5).withStride(1, 2).withCeilMode(true)};
        AvgOptions[] options = {AvgOptions.DEFAULT, new AvgOptions(false, 0), new AvgOptions(true, 3)};
        DType[] types = {DType.FLOAT32, DType.FLOAT16, DType.BFLOAT16};
        return Stream.of(specs).flatMap(spec -> java.util.stream.IntStream.of(widths).boxed().flatMap(w -> {
            Shape shape = Shape.of(2, 2, 4 + w % 5, w);
            if (!legal(() -> spec.outputShape(shape))) {
                return Stream.empty();
            }
            AvgOptions option = options[w % options.length];
            double norm = NORMS[w % NORMS.length];
            return Stream.of(types).flatMap(dtype -> Stream.of(
                    dynamicTest("avg " + dtype + " " + shape + " " + spec + " " + option, () -> {
                        Tensor x = Inputs.NORMAL.tensor(shape, 7L * w).toType(dtype);
                        Tensor y = Calls.avgPool2d(direct, x, spec, option);
                        Tensor dy = Differential.gradient(y.shape(), w, dtype);
                        PoolOp avg = PoolOp.avg(spec, option);
                        Tensor dx = direct.backward(avg, dy, x, null, null);
                        try (SystemProperty forced = SystemProperty.set(KernelFamilies.KERNELS_PROPERTY, "gpu");
                             OpenClPooling gpuFamily = new OpenClPooling(context, Algorithm.DIRECT)) {
                            Compare.bitEqual(Calls.avgPool2d(gpuFamily, x, spec, option).data(), y.data(), "values");
                            Compare.bitEqual(gpuFamily.backward(avg, dy, x, null, null).data(), dx.data(), "gradient");
                        }
                    }),
                    dynamicTest("lp p=" + norm + " " + dtype + " " + shape + " " + spec, () -> {
                        Tensor x = Differential.abs(Inputs.NORMAL.tensor(shape, 11L * w).toType(dtype));
                        Tensor y = Calls.lpPool2d(direct, x, spec, norm);
                        try (SystemProperty forced = SystemProperty.set(KernelFamilies.KERNELS_PROPERTY, "gpu");
                             OpenClPooling gpuFamily = new OpenClPooling(context, Algorithm.DIRECT)) {
                            Compare.bitEqual(Calls.lpPool2d(gpuFamily, x, spec, norm).data(), y.data(), "values");
                        }
                    })).filter(t -> !spec.hasPadding() || t.getDisplayName().startsWith("avg")));
        }));
    }

    @Test
    void innerColumnRangesKeepEveryTapInside() {
        Shape in = Shape.of(1, 1, 112, 112);
        PoolSpec twoByTwo = PoolSpec.of(2);
        assertEquals(new DirectKernels.Columns(0, 56), DirectKernels.forwardInnerColumns(in, twoByTwo.outputShape(in), twoByTwo));
        assertEquals(new DirectKernels.Columns(0, 56), DirectKernels.bandInnerColumns(in, twoByTwo.outputShape(in), twoByTwo));
        PoolSpec overlap = PoolSpec.of(3).withStride(1).withPadding(1);
        assertEquals(new DirectKernels.Columns(1, 110), DirectKernels.forwardInnerColumns(in, overlap.outputShape(in), overlap));
        Shape odd = Shape.of(1, 1, 7, 7);
        assertEquals(new DirectKernels.Columns(0, 2), DirectKernels.bandInnerColumns(odd, twoByTwo.outputShape(odd), twoByTwo),
                "the last band stops at column 6 of 7, so the edge kernel owns it and zeroes column 6");
    }

    @Test
    void rowBlocksOnlyWhereWindowsOverlapDownTheColumns() {
        assertEquals(4, DirectKernels.rowsPerItem(PoolSpec.of(3).withStride(1).withPadding(1)), "3x3 s1 re-reads rows");
        assertEquals(4, DirectKernels.rowsPerItem(PoolSpec.of(3).withStride(2).withPadding(1)), "3x3 s2 still overlaps");
        assertEquals(1, DirectKernels.rowsPerItem(PoolSpec.of(2)), "2x2 s2 windows share no rows");
        assertEquals(1, DirectKernels.rowsPerItem(PoolSpec.of(3, 1).withStride(3, 1)), "stride = kernel height");
        assertEquals(1, DirectKernels.rowsPerItem(PoolSpec.of(7).withStride(1)), "49 taps: no unrolled block");
        assertTrue(DirectKernels.columnKernel(PoolSpec.of(3).withStride(1).withPadding(1)));
        assertTrue(DirectKernels.blockKernel(PoolSpec.of(3).withStride(1).withPadding(1)));
        assertFalse(DirectKernels.columnKernel(PoolSpec.of(48).withStride(1)), "48x48 stays on the split kernels");
    }

    @Test
    void stripsTakeSmallUndilatedWindowsWhetherOrNotRowsOverlap() {
        assertTrue(DirectKernels.stripForward(PoolSpec.of(3).withStride(1).withPadding(1)), "3x3 s1 keeps rows between outputs");
        assertTrue(DirectKernels.stripForward(PoolSpec.of(2)), "2x2 s2 keeps none");
        assertTrue(DirectKernels.stripForward(PoolSpec.of(2).withStride(3)), "stride past the kernel");
        assertFalse(DirectKernels.stripForward(PoolSpec.of(3).withStride(1).withDilation(2)), "dilated: taps clamped would not be exact");
        assertFalse(DirectKernels.stripForward(PoolSpec.of(7).withStride(1)), "49 taps: no unrolled strip");
    }

    @Test
    void intoOverloadsReuseCallerBuffersAndMatchTheReference() {
        Shape shape = Shape.of(2, 3, 17, 29);
        PoolSpec spec = PoolSpec.of(3).withStride(2).withPadding(1);
        Tensor x = Inputs.TIES.tensor(shape, 11);
        PoolResult expected = Calls.maxPool2d(reference, x, spec);
        Shape out = expected.values().shape();
        Tensor dy = Inputs.gradient(out, 12);
        Tensor expectedGrad = Calls.maxPool2dBackward(reference, dy, expected.indices(), shape, spec);
        try (DeviceTensor input = Calls.upload(direct, x);
             DevicePoolResult pooled = Calls.allocateIndexed(direct, out);
             DeviceTensor gradOut = Calls.upload(direct, dy);
             DeviceTensor gradIn = Calls.allocate(direct, shape)) {
            long buffersBefore = context.liveObjects(NativeKind.BUFFER);
            for (int run = 0; run < 3; run++) {
                Calls.maxPool2dInto(direct, input, spec, pooled);
                Calls.maxPool2dBackwardInto(direct, gradOut, pooled.indices(), spec, gradIn);
            }
            assertEquals(buffersBefore, context.liveObjects(NativeKind.BUFFER), "no buffer allocated on the hot path");
            Compare.bitEqual(expected.values().data(), pooled.values().download().data(), "values");
            Compare.bitEqual(expected.indices().data(), pooled.indices().download().data(), "indices");
            Compare.close(expectedGrad.data(), gradIn.download().data(), "gradient");

            Tensor avg = Calls.avgPool2d(reference, x, spec, AvgOptions.DEFAULT);
            Calls.avgPool2dInto(direct, input, spec, AvgOptions.DEFAULT, pooled.values());
            Compare.close(avg.data(), pooled.values().download().data(), "avg values");
            Calls.avgPool2dBackwardInto(direct, gradOut, spec, AvgOptions.DEFAULT, gradIn);
            Compare.close(Calls.avgPool2dBackward(reference, dy, shape, spec, AvgOptions.DEFAULT).data(), gradIn.download().data(),
                    "avg gradient");

            IllegalArgumentException aliased = assertThrows(IllegalArgumentException.class,
                    () -> Calls.avgPool2dBackwardInto(direct, gradOut, spec, AvgOptions.DEFAULT, gradOut));
            assertTrue(aliased.getMessage().contains("gradOutput") || aliased.getMessage().contains("buffer of its own"),
                    aliased.getMessage());
            assertThrows(IllegalArgumentException.class, () -> Calls.maxPool2dInto(direct, input, PoolSpec.of(2), pooled));
        }
    }

    private static Tensor positive(Tensor t) {
        float[] data = t.data().clone();
        for (int i = 0; i < data.length; i++) {
            float v = Math.abs(data[i]);
            data[i] = Float.isNaN(v) || Float.isInfinite(v) ? 0.5f : v;
        }
        return new Tensor(t.shape(), data);
    }

    private static boolean legal(Runnable check) {
        try {
            check.run();
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
