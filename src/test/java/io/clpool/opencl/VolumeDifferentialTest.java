package io.clpool.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import io.clpool.Algorithm;
import io.clpool.IndexTensor;
import io.clpool.PoolOp;
import io.clpool.PoolResult;
import io.clpool.Tensor;
import io.clpool.reference.ReferencePooling;
import io.clpool.reference.TermMagnitudes;
import io.clpool.spec.AvgOptions;
import io.clpool.spec.PoolSpec;
import io.clpool.spec.Shape;
import io.clpool.support.Calls;
import io.clpool.support.Compare;
import io.clpool.support.DeviceTest;
import io.clpool.support.Differential;
import io.clpool.support.Inputs;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.function.IntUnaryOperator;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.jocl.cl_event;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * 3-D pooling on the device against the reference ({@link Differential#check}: max/min values and
 * indices bit for bit, NaN equal to NaN; sums within {@link io.clpool.Tolerance}), forward and
 * backward, over awkward 5-D shapes (1×1×1×1×1, depth 1, 93 along each axis, non-cubic, N and C
 * above 1), fixed windows (cubic and not, stride above the kernel, padding up to half the kernel
 * on each axis, dilation on each axis for max and min, ceil mode) with max, min and the three
 * kinds of average (count_include_pad on and off, divisor_override), LP (norms 2, 3 and 1.5, on
 * the windows without padding or dilation, as LP takes them), adaptive max and average
 * to output sizes that divide the input, do not, equal it or exceed it, and 3-D max unpooling,
 * on every input flavour of {@link Inputs} and an all-positive one (where a zero pad would win a
 * min). Batches too large for the (lowered) maximum allocation are split by sample. Then two runs
 * of every forward and backward (unpooling's forward included, whose duplicate indices resolve by
 * a claim pass) must be bitwise equal.
 *
 * <p>Each distinct window (kernel, stride, dilation, and min or not) is one build of
 * {@code volume.cl}; padding and ceil mode are not part of a build, so the windows below are few
 * and every shape and flavour reuses them.
 */
class VolumeDifferentialTest extends DeviceTest {

    /** The flavours of {@link Inputs}, and all-positive values (negated {@link Inputs#NEGATIVE}): a zero pad would win a min. */
    enum Flavour {
        NORMAL(Inputs.NORMAL), TIES(Inputs.TIES), SPECIAL(Inputs.SPECIAL), NEGATIVE(Inputs.NEGATIVE), CONSTANT(Inputs.CONSTANT),
        POSITIVE(Inputs.NEGATIVE);

        final Inputs inputs;

        Flavour(Inputs inputs) {
            this.inputs = inputs;
        }

        Tensor tensor(Shape shape, long seed) {
            Tensor t = inputs.tensor(shape, seed);
            if (this != POSITIVE) {
                return t;
            }
            float[] data = t.data();
            for (int i = 0; i < data.length; i++) {
                data[i] = -data[i];
            }
            return t;
        }
    }

    static final Shape[] SHAPES = {
        Shape.of(1, 1, 1, 1, 1),
        Shape.of(1, 2, 1, 6, 7),     // depth 1
        Shape.of(2, 3, 5, 4, 6),     // N and C above 1, non-cubic
        Shape.of(1, 1, 93, 3, 4),    // 93 along D
        Shape.of(1, 2, 3, 93, 2),    // 93 along H
        Shape.of(2, 1, 2, 3, 93),    // 93 along W
        Shape.of(1, 1, 7, 7, 7),     // cubic
        Shape.of(3, 2, 4, 9, 5),
    };

    /** Fixed windows; each (kernel, stride, dilation) is one build, shared by max and average. */
    static final PoolSpec[] WINDOWS = {
        PoolSpec.of3d(1),
        PoolSpec.of3d(2),
        PoolSpec.of3d(3).withStride(1).withPadding(1),                                                 // cubic, overlapping, padded
        PoolSpec.of3d(2, 3, 1).withStride(1, 2, 1).withPadding(1, 1, 0).withCeilMode(true),            // non-cubic, ceil
        PoolSpec.of3d(1, 2, 3).withStride(2, 3, 4),                                                    // stride above the kernel
        PoolSpec.of3d(4, 3, 2).withStride(3, 2, 2).withPadding(2, 1, 1).withCeilMode(true),            // half-kernel padding, ceil
        PoolSpec.of3d(1, 1, 7).withStride(1, 1, 5).withPadding(0, 0, 3),                               // long along W only
        PoolSpec.of3d(3, 2, 3).withStride(2, 1, 2).withPadding(1, 1, 1).withDilation(2, 1, 1),         // dilation along D
        PoolSpec.of3d(2, 3, 2).withStride(1, 2, 1).withPadding(1, 1, 1).withDilation(1, 2, 1).withCeilMode(true), // along H
        PoolSpec.of3d(3, 1, 3).withStride(2, 1, 2).withPadding(1, 0, 1).withDilation(1, 1, 3),         // along W
        PoolSpec.of3d(1, 2, 3).withStride(1, 1, 1).withPadding(0, 1, 1).withDilation(1, 1, 2),         // along W, stride 1
        PoolSpec.of3d(1, 2, 9).withStride(1, 1, 8).withPadding(0, 1, 4),                               // overlapping, stride 8 along W
    };

    /** LP takes each window without padding and dilation, cut to the input ({@link Differential#op}). */
    static final List<String> FIXED_OPS = List.of("max", "min", "avg", "avg-exclude", "avg-divisor", "lp");
    static final List<String> UNPOOL_SIZES = List.of("input", "default", "larger");

    /** Adaptive output size per axis, from the input size along it. */
    enum Size {
        DIVIDES(in -> in % 3 == 0 ? in / 3 : in % 2 == 0 ? in / 2 : 1),
        DOES_NOT_DIVIDE(in -> in >= 3 ? in - 1 : in + 1),
        EQUALS(in -> in),
        EXCEEDS(in -> 2 * in + 1);

        final IntUnaryOperator rule;

        Size(IntUnaryOperator rule) {
            this.rule = rule;
        }
    }

    /** Adaptive output sizes as (D, H, W) rules: each kind on every axis, mixed ones, and global pooling. */
    static final Size[][] ADAPTIVE_SIZES = {
        {Size.DIVIDES, Size.DIVIDES, Size.DIVIDES},
        {Size.DOES_NOT_DIVIDE, Size.DOES_NOT_DIVIDE, Size.DOES_NOT_DIVIDE},
        {Size.EQUALS, Size.EQUALS, Size.EQUALS},
        {Size.EXCEEDS, Size.EXCEEDS, Size.EXCEEDS},
        {Size.DIVIDES, Size.EXCEEDS, Size.DOES_NOT_DIVIDE},
        {Size.EXCEEDS, Size.EQUALS, Size.DIVIDES},
        {Size.DOES_NOT_DIVIDE, Size.DIVIDES, Size.EXCEEDS},
        null, // global: 1x1x1
    };

    /** One comparison: {@code op} ("max", ..., "adaptive-max", "unpool-input", ...), where it runs, and on what. */
    record Case(String op, Shape shape, PoolSpec window, Size[] sizes, Flavour flavour, Algorithm algorithm, long seed) {
        @Override
        public String toString() {
            String how = window != null ? window.toString()
                    : sizes == null ? "global" : "output " + sizes[0] + "/" + sizes[1] + "/" + sizes[2];
            return op + " " + shape + " " + how + " " + flavour + " " + algorithm + " seed=" + seed;
        }
    }

    static List<Case> cases() {
        List<Case> cases = new ArrayList<>();
        long seed = 30_000;
        int turn = 0;
        for (String op : FIXED_OPS) {
            for (int wi = 0; wi < WINDOWS.length; wi++) {
                PoolSpec window = WINDOWS[wi];
                if ((op.startsWith("avg") || op.equals("lp")) && window.hasDilation()) {
                    continue;
                }
                for (Shape shape : SHAPES) {
                    if (fits(window, shape)) {
                        for (Flavour flavour : flavours(turn++)) {
                            cases.add(new Case(op, shape, window, null, flavour, algorithm(seed), seed++));
                        }
                    }
                }
                // The border case on its own: every value on the far side of zero from what a zero pad would win.
                if (window.hasPadding() && !op.equals("lp") && fits(window, SHAPES[2])) {
                    Flavour border = op.equals("min") ? Flavour.POSITIVE : Flavour.NEGATIVE;
                    cases.add(new Case(op, SHAPES[2], window, null, border, algorithm(seed), seed++));
                }
            }
        }
        for (String op : List.of("adaptive-max", "adaptive-avg")) {
            for (Size[] sizes : ADAPTIVE_SIZES) {
                for (Shape shape : SHAPES) {
                    for (Flavour flavour : flavours(turn++)) {
                        cases.add(new Case(op, shape, null, sizes, flavour, algorithm(seed), seed++));
                    }
                }
            }
        }
        for (String size : UNPOOL_SIZES) {
            for (PoolSpec window : WINDOWS) {
                for (Shape shape : SHAPES) {
                    if (fits(window, shape) && (!size.equals("default") || defaultUnpoolHoldsTheInput(window, shape))) {
                        for (Flavour flavour : flavours(turn++)) {
                            cases.add(new Case("unpool-" + size, shape, window, null, flavour, algorithm(seed), seed++));
                        }
                    }
                }
            }
        }
        return cases;
    }

    /**
     * True when PyTorch's default unpooled size for {@code window} over the pooled {@code input} is
     * legal and its volume holds every index of the input's (else the default size cannot take the
     * max pooling's indices, in PyTorch either).
     */
    static boolean defaultUnpoolHoldsTheInput(PoolSpec window, Shape input) {
        try {
            return window.unpoolOutputShape(window.outputShape(input)).planeSize() >= input.planeSize();
        } catch (IllegalArgumentException notPositive) {
            return false;
        }
    }

    /** Two flavours per geometry, taking turns so that every op meets every flavour. */
    private static List<Flavour> flavours(int turn) {
        Flavour[] all = Flavour.values();
        return List.of(all[turn % all.length], all[(turn + all.length / 2) % all.length]);
    }

    /** DIRECT and AUTO take turns: both run 3-D windows on the volume kernels. */
    private static Algorithm algorithm(long seed) {
        return seed % 2 == 0 ? Algorithm.DIRECT : Algorithm.AUTO;
    }

    static boolean fits(PoolSpec window, Shape shape) {
        try {
            window.outputShape(shape);
            return true;
        } catch (IllegalArgumentException tooSmall) {
            return false;
        }
    }

    @Test
    void theSweepCoversWhatItClaims() {
        List<Case> cases = cases();
        for (String op : Stream.concat(FIXED_OPS.stream(), Stream.of("adaptive-max", "adaptive-avg", "unpool-input")).toList()) {
            Set<Flavour> seen = cases.stream().filter(c -> c.op().equals(op)).map(Case::flavour)
                    .collect(Collectors.toCollection(() -> EnumSet.noneOf(Flavour.class)));
            assertEquals(EnumSet.allOf(Flavour.class), seen, op + " on every flavour");
            for (Shape shape : SHAPES) {
                assertTrue(cases.stream().anyMatch(c -> c.op().equals(op) && c.shape().equals(shape)), op + " on " + shape);
            }
        }
        for (String op : List.of("max", "min")) {
            assertTrue(cases.stream().anyMatch(c -> c.op().equals(op) && c.window().dilationD() > 1), op + " dilated along D");
            assertTrue(cases.stream().anyMatch(c -> c.op().equals(op) && c.window().dilationH() > 1), op + " dilated along H");
            assertTrue(cases.stream().anyMatch(c -> c.op().equals(op) && c.window().dilationW() > 1), op + " dilated along W");
        }
        for (String op : FIXED_OPS) {
            assertTrue(cases.stream().anyMatch(c -> c.op().equals(op) && c.window().ceilMode() && c.shape().equals(SHAPES[3])),
                    op + " in ceil mode with 93 along D");
            assertTrue(cases.stream().anyMatch(c -> c.op().equals(op) && c.window().strideW() > c.window().kernelW()),
                    op + " with stride above the kernel");
        }
        // Half the kernel as padding on every axis, on an input that is all on one side of zero.
        assertTrue(cases.stream().anyMatch(c -> c.op().equals("max") && c.window() == WINDOWS[5] && c.flavour() == Flavour.NEGATIVE));
        assertTrue(cases.stream().anyMatch(c -> c.op().equals("min") && c.window() == WINDOWS[5] && c.flavour() == Flavour.POSITIVE));
        assertTrue(cases.stream().anyMatch(c -> c.op().equals("max") && c.shape().equals(SHAPES[0])), "1x1x1x1x1");
        assertTrue(cases.stream().anyMatch(c -> c.op().equals("unpool-default")
                && !c.window().unpoolOutputShape(c.window().outputShape(c.shape())).equals(c.shape())),
                "a default unpooled size other than the input's");
        assertTrue(cases.size() > 1000, "cases: " + cases.size());
    }

    @TestFactory
    Stream<DynamicTest> deviceMatchesTheReference() {
        return cases().stream().map(c -> dynamicTest(c.toString(), () -> check(c)));
    }

    /**
     * The average's gradient bit for bit: the device adds each element's windows in output order,
     * as the reference does (float32: both round after every step), so the sums are equal, not only
     * close; a backward that reorders them fails here.
     */
    @TestFactory
    Stream<DynamicTest> averageGradientsAreTheReferencesBitForBit() {
        ReferencePooling reference = new ReferencePooling();
        return cases().stream().filter(c -> c.op().startsWith("avg")).map(c -> dynamicTest("bit for bit " + c, () -> {
            Tensor x = c.flavour().tensor(c.shape(), c.seed());
            PoolOp op = op(c);
            Tensor y = reference.forward(op, x).values();
            Tensor dy = Differential.gradient(y.shape(), c.seed(), x.dtype());
            try (OpenClPooling device = new OpenClPooling(context, c.algorithm())) {
                Compare.bitEqual(reference.backward(op, dy, x, y, null), device.backward(op, dy, x, y, null), op + " gradient");
            }
        }));
    }

    /**
     * IM2COL's general kernels for max and min on every max/min case of the sweep: bit for bit
     * against the reference and against DIRECT (values, indices and gradient).
     */
    @TestFactory
    Stream<DynamicTest> im2colMaxAndMinMatchTheReferenceAndDirect() {
        return cases().stream().filter(c -> c.op().equals("max") || c.op().equals("min"))
                .map(c -> dynamicTest("IM2COL " + c, () -> {
                    Tensor x = c.flavour().tensor(c.shape(), c.seed());
                    try (OpenClPooling im2col = new OpenClPooling(context, Algorithm.IM2COL);
                         OpenClPooling direct = new OpenClPooling(context, Algorithm.DIRECT)) {
                        Differential.checkAgainstDirect(im2col, direct, new ReferencePooling(), op(c), x, c.seed());
                    }
                }));
    }

    private void check(Case c) {
        ReferencePooling reference = new ReferencePooling();
        Tensor x = c.flavour().tensor(c.shape(), c.seed());
        try (OpenClPooling device = new OpenClPooling(context, c.algorithm())) {
            if (c.op().startsWith("unpool-")) {
                PoolResult pooled = reference.forward(PoolOp.max(c.window()), x);
                PoolOp unpool = unpoolOp(c.op(), c.window(), c.shape(), pooled.values().shape());
                Differential.check(device, reference, unpool, pooled.values(), pooled.indices(), c.seed());
            } else if (c.op().equals("lp")) {
                Differential.check(device, reference, "lp", x, c.window(), c.seed());
            } else {
                Differential.check(device, reference, op(c), x, null, c.seed());
            }
        }
    }

    /**
     * Unpooling back to the input's size, to PyTorch's default size for the window (where it holds
     * every index: {@link #defaultUnpoolHoldsTheInput}), or to a larger volume: in the last two the
     * flat index {@code d·H·W + h·W + w} of the input lands at other coordinates, as in PyTorch.
     */
    private static PoolOp unpoolOp(String op, PoolSpec window, Shape input, Shape pooled) {
        return switch (op) {
            case "unpool-input" -> PoolOp.maxUnpool3d(input.d(), input.h(), input.w());
            case "unpool-default" -> PoolOp.maxUnpool(window, pooled);
            case "unpool-larger" -> PoolOp.maxUnpool3d(input.d() + 1, input.h() + 2, input.w() + 3);
            default -> throw new IllegalArgumentException(op);
        };
    }

    private static PoolOp op(Case c) {
        PoolSpec w = c.window();
        return switch (c.op()) {
            case "max" -> PoolOp.max(w);
            case "min" -> PoolOp.min(w);
            case "avg" -> PoolOp.avg(w);
            case "avg-exclude" -> PoolOp.avg(w, new AvgOptions(false, 0));
            case "avg-divisor" -> PoolOp.avg(w, new AvgOptions(c.seed() % 2 == 0, 7));
            case "adaptive-max", "adaptive-avg" -> {
                Shape s = c.shape();
                Size[] r = c.sizes();
                int od = r == null ? 1 : r[0].rule.applyAsInt(s.d());
                int oh = r == null ? 1 : r[1].rule.applyAsInt(s.h());
                int ow = r == null ? 1 : r[2].rule.applyAsInt(s.w());
                yield c.op().equals("adaptive-max") ? PoolOp.adaptiveMax3d(od, oh, ow) : PoolOp.adaptiveAvg3d(od, oh, ow);
            }
            default -> throw new IllegalArgumentException(c.op());
        };
    }

    // ---- batch splitting ----------------------------------------------------------------------------

    /**
     * Host-tensor calls on 5-D batches that do not fit the (lowered) maximum allocation: split into
     * chunks of samples (2, 2 and 1 here), each chunk's result placed back, equal to the reference.
     */
    @TestFactory
    Stream<DynamicTest> batchesSplitBySampleMatchTheReference() {
        Shape shape = Shape.of(5, 2, 6, 7, 8); // one sample: 2·6·7·8·4 = 2,688 bytes
        long limit = 6_000;
        PoolSpec window = PoolSpec.of3d(3, 2, 3).withStride(2, 1, 2).withPadding(1, 1, 1).withCeilMode(true);
        List<PoolOp> ops = List.of(PoolOp.max(window), PoolOp.min(window.withDilation(1, 2, 1)), PoolOp.avg(window, new AvgOptions(false, 0)),
                PoolOp.adaptiveMax3d(4, 9, 3), PoolOp.adaptiveAvg3d(6, 3, 5), PoolOp.maxUnpool3d(6, 7, 8));
        return ops.stream().map(op -> dynamicTest(op.toString(), () -> {
            ReferencePooling reference = new ReferencePooling();
            Tensor x = Inputs.SPECIAL.tensor(shape, 41);
            PoolResult pooled = op.takesIndices() ? reference.forward(PoolOp.max(window), x) : null;
            context.limitMaxAllocation(limit);
            try (OpenClPooling device = new OpenClPooling(context, Algorithm.AUTO)) {
                assertTrue(shape.elementCount() * Float.BYTES > limit, "the whole batch should not fit, or this tests nothing");
                if (pooled != null) {
                    Differential.check(device, reference, op, pooled.values(), pooled.indices(), 42);
                } else {
                    Differential.check(device, reference, op, x, null, 42);
                }
            } finally {
                context.limitMaxAllocation(Long.MAX_VALUE);
            }
        }));
    }

    /**
     * IM2COL's general kernels split a batch by its column buffer: 8 bytes per tap per output, one
     * sample's (46,080 bytes here) under the lowered maximum allocation but two samples' over it,
     * while the tensors themselves fit whole. Max and min, equal to the reference.
     */
    @TestFactory
    Stream<DynamicTest> im2colBatchesSplitByTheColumnBufferMatchTheReference() {
        Shape shape = Shape.of(5, 2, 6, 7, 8);
        PoolSpec window = PoolSpec.of3d(3, 2, 3).withStride(2, 1, 2).withPadding(1, 1, 1).withCeilMode(true);
        long columnBytesPerSample = window.outputShape(shape).elementCount() / shape.n() * 8 * window.taps();
        long limit = columnBytesPerSample + columnBytesPerSample / 2;
        return Stream.of(PoolOp.max(window), PoolOp.min(window.withDilation(1, 2, 1))).map(op -> dynamicTest(op.toString(), () -> {
            Tensor x = Inputs.SPECIAL.tensor(shape, 43);
            assertTrue(shape.elementCount() * Float.BYTES < limit, "the tensors should fit whole: only the column buffer splits");
            context.limitMaxAllocation(limit);
            try (OpenClPooling device = new OpenClPooling(context, Algorithm.IM2COL)) {
                Differential.check(device, new ReferencePooling(), op, x, null, 44);
            } finally {
                context.limitMaxAllocation(Long.MAX_VALUE);
            }
        }));
    }

    // ---- determinism ------------------------------------------------------------------------------

    /**
     * Each op's backward (and unpooling's forward) run twice through one plan into two buffers:
     * bitwise equal, on an input with ties (so winners repeat and sums have many terms) and with
     * windows that overlap.
     */
    @TestFactory
    Stream<DynamicTest> twoRunsAreBitwiseEqual() {
        Shape shape = Shape.of(2, 3, 9, 10, 11);
        PoolSpec overlapping = PoolSpec.of3d(3).withStride(1).withPadding(1);
        PoolSpec dilated = PoolSpec.of3d(3, 2, 3).withStride(2, 1, 2).withPadding(1, 1, 1).withDilation(2, 1, 1);
        PoolSpec ceil = PoolSpec.of3d(4, 3, 2).withStride(3, 2, 2).withPadding(2, 1, 1).withCeilMode(true);
        List<PoolOp> ops = List.of(PoolOp.max(overlapping), PoolOp.min(dilated), PoolOp.max(ceil),
                PoolOp.avg(overlapping), PoolOp.avg(ceil, new AvgOptions(false, 0)), PoolOp.avg(overlapping, new AvgOptions(true, 5)),
                PoolOp.adaptiveMax3d(19, 4, 23), PoolOp.adaptiveAvg3d(7, 21, 5),
                PoolOp.maxUnpool3d(shape.d(), shape.h(), shape.w()));
        return ops.stream().flatMap(op -> Stream.of(Inputs.TIES, Inputs.NORMAL).map(flavour ->
                dynamicTest(op + " " + flavour, () -> twice(op, shape, flavour.tensor(shape, 77), overlapping))));
    }

    private void twice(PoolOp op, Shape shape, Tensor x, PoolSpec unpoolingWindow) {
        ReferencePooling reference = new ReferencePooling();
        PoolResult pooled = op.takesIndices() ? reference.forward(PoolOp.max(unpoolingWindow), x) : null;
        Tensor input = pooled != null ? pooled.values() : x;
        try (PoolPlan plan = PoolPlan.create(context, op, input.shape(), Algorithm.AUTO);
             DeviceTensor in = DeviceTensor.upload(context, input);
             DeviceIndices taken = pooled != null ? DeviceIndices.upload(context, pooled.indices()) : null;
             DevicePoolResult first = plan.allocateOutputs();
             DevicePoolResult second = plan.allocateOutputs();
             DeviceTensor gradOut = DeviceTensor.upload(context, Inputs.gradient(plan.outputShape(), 5));
             DeviceTensor gradIn1 = DeviceTensor.allocate(context, input.shape());
             DeviceTensor gradIn2 = DeviceTensor.allocate(context, input.shape())) {
            if (taken != null) {
                plan.requireValidIndices(taken);
            }
            Calls.await(forward(plan, op, in, first, taken));
            Calls.await(forward(plan, op, in, second, taken));
            PoolResult a = first.download();
            PoolResult b = second.download();
            Compare.bitEqual(a.values().data(), b.values().data(), op + " forward values, run 1 vs run 2");
            if (op.hasIndices()) {
                Compare.bitEqual(a.indices().data(), b.indices().data(), op + " forward indices, run 1 vs run 2");
            }
            DeviceIndices indices = op.hasIndices() ? first.indices() : taken;
            Calls.await(backward(plan, op, gradOut, indices, gradIn1));
            Calls.await(backward(plan, op, gradOut, indices, gradIn2));
            float[] g1 = gradIn1.download().data();
            Compare.bitEqual(g1, gradIn2.download().data(), op + " backward, run 1 vs run 2");
            // And the runs are right, not merely alike.
            PoolResult expected = reference.forward(op, input, pooled != null ? pooled.indices() : null);
            float[] valueMagnitudes = TermMagnitudes.forward(op, input);
            if (valueMagnitudes == null) {
                Compare.bitEqual(expected.values().data(), a.values().data(), op + " values against the reference");
            } else {
                Compare.close(expected.values().data(), a.values().data(), valueMagnitudes, op + " values against the reference");
            }
            if (op.hasIndices()) {
                Compare.bitEqual(expected.indices().data(), a.indices().data(), op + " indices against the reference");
            }
            IndexTensor used = op.hasIndices() ? expected.indices() : pooled != null ? pooled.indices() : null;
            Tensor expectedGrad = reference.backward(op, Inputs.gradient(plan.outputShape(), 5), input, expected.values(), used);
            float[] magnitudes = TermMagnitudes.backward(op, Inputs.gradient(plan.outputShape(), 5), input,
                    expected.values(), used);
            if (magnitudes == null) {
                Compare.bitEqual(expectedGrad.data(), g1, op + " gradient against the reference");
            } else {
                Compare.close(expectedGrad.data(), g1, magnitudes, op + " gradient against the reference");
            }
        }
    }

    private static cl_event forward(PoolPlan plan, PoolOp op, DeviceTensor in, DevicePoolResult out, DeviceIndices taken) {
        return op.hasIndices() ? plan.forward(in, out.values(), out.indices())
                : op.takesIndices() ? plan.forward(in, out.values(), taken)
                : plan.forward(in, out.values());
    }

    private static cl_event backward(PoolPlan plan, PoolOp op, DeviceTensor gradOut, DeviceIndices indices, DeviceTensor gradIn) {
        return op.backwardInputs() == PoolOp.BackwardInputs.INDICES ? plan.backward(gradOut, indices, gradIn)
                : plan.backward(gradOut, gradIn);
    }
}
