package io.clpool.opencl;

import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import io.clpool.Algorithm;
import io.clpool.PoolOp;
import io.clpool.PoolResult;
import io.clpool.Pooling;
import io.clpool.Tensor;
import io.clpool.reference.ReferencePooling;
import io.clpool.spec.AvgOptions;
import io.clpool.spec.DType;
import io.clpool.spec.Layout;
import io.clpool.spec.FractionalSamples;
import io.clpool.spec.PoolSpec;
import io.clpool.spec.Shape;
import io.clpool.support.Compare;
import io.clpool.support.DeviceTest;
import io.clpool.support.Differential;
import io.clpool.support.Inputs;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Channels-last tensors, the half types (float16, bfloat16) and float64 on the device against the
 * reference, for every op in 2-D and every 3-D op: the kernels read and write each layout and type
 * directly (2-D channels-first fixed windows in float32 and the half types: direct.cl; the rest:
 * the general kernels), the reference computes channels first in float32 (float64: in double) and
 * rounds once. float64 inputs carry bits below float32's (Differential.beyondFloat). Selections
 * and indices bit for bit, sums within the type's tolerance, two backward runs bitwise equal.
 */
class FormatsDifferentialTest extends DeviceTest {
    record Format(Layout layout, DType dtype) {
        @Override
        public String toString() {
            return dtype.label() + (layout == Layout.CHANNELS_LAST ? " channels-last" : "");
        }
    }

    private static final List<Format> FORMATS = List.of(
            new Format(Layout.CHANNELS_LAST, DType.FLOAT32),
            new Format(Layout.CHANNELS_FIRST, DType.FLOAT16),
            new Format(Layout.CHANNELS_LAST, DType.FLOAT16),
            new Format(Layout.CHANNELS_FIRST, DType.BFLOAT16),
            new Format(Layout.CHANNELS_LAST, DType.BFLOAT16),
            new Format(Layout.CHANNELS_FIRST, DType.FLOAT64),
            new Format(Layout.CHANNELS_LAST, DType.FLOAT64));

    /**
     * C of 8 and 16: channels last takes the 8-lanes-per-work-item kernels; other C the scalar ones.
     * Width 37: channels first (direct.cl) takes whole 8-output segments between edge columns.
     */
    private static final Shape[] PLANES = {Shape.of(1, 1, 1, 1), Shape.of(2, 3, 7, 9), Shape.of(1, 5, 13, 4), Shape.of(2, 8, 6, 7),
        Shape.of(1, 16, 5, 9), Shape.of(1, 2, 7, 37)};
    /** Disjoint (2x2, and stride past the kernel with padding) and overlapping windows, ceil mode, dilation. */
    private static final PoolSpec[] WINDOWS = {
        PoolSpec.of(2),
        PoolSpec.of(2).withStride(3).withPadding(1),
        PoolSpec.of(3).withStride(1).withPadding(1),
        PoolSpec.of(3, 2).withStride(2, 1).withPadding(1, 0).withCeilMode(true),
        PoolSpec.of(3).withStride(2).withPadding(1).withDilation(2, 1),
    };
    private static final Shape[] VOLUMES = {Shape.of(1, 1, 1, 1, 1), Shape.of(2, 3, 5, 4, 6), Shape.of(1, 4, 3, 1, 7),
        Shape.of(1, 8, 4, 3, 5)};
    private static final PoolSpec[] VOLUME_WINDOWS = {
        PoolSpec.of3d(2),
        PoolSpec.of3d(3, 1, 2).withStride(2, 1, 2).withPadding(1, 0, 1).withCeilMode(true),
        PoolSpec.of3d(2).withStride(1).withDilation(2, 1, 1),
    };
    private static final List<String> VOLUME_OPS = List.of("max", "min", "avg", "adaptive-max", "adaptive-avg", "unpool", "fractional-max", "lp");

    private final Pooling reference = new ReferencePooling();

    record Case(String op, Shape shape, PoolSpec window, Format format, Inputs flavour, long seed) {
        Tensor input() {
            Tensor raw = flavour.tensor(shape.withLayout(format.layout()), seed);
            Tensor typed = format.dtype() == DType.FLOAT64 ? Differential.beyondFloat(raw, seed) : raw.toType(format.dtype());
            return op.equals("lp") ? Differential.abs(typed) : typed;
        }

        @Override
        public String toString() {
            return op + " " + format + " " + shape + " " + window + " " + flavour + " seed=" + seed;
        }
    }

    static List<Case> cases() {
        List<Case> cases = new ArrayList<>();
        long seed = 31000;
        for (Format format : FORMATS) {
            for (String op : Differential.OPS) {
                for (Shape plane : PLANES) {
                    for (PoolSpec window : WINDOWS) {
                        if (fits(op, window, plane)) {
                            cases.add(new Case(op, plane, window, format, flavour(seed), seed++));
                        }
                    }
                }
            }
            for (String op : VOLUME_OPS) {
                for (Shape volume : VOLUMES) {
                    for (PoolSpec window : VOLUME_WINDOWS) {
                        if (fits(op, window, volume)) {
                            cases.add(new Case(op, volume, window, format, flavour(seed), seed++));
                        }
                    }
                }
            }
        }
        return cases;
    }

    private static Inputs flavour(long seed) {
        return Inputs.values()[(int) (seed % Inputs.values().length)];
    }

    private static boolean fits(String op, PoolSpec window, Shape shape) {
        if (op.equals("fractional-max") && shape.volumetric()) { // PyTorch's 3-D out + k - 1 < in: room for an output of 1 when in > k
            return shape.d() > window.kernelD() && shape.h() > window.kernelH() && shape.w() > window.kernelW();
        }
        // In 2-D LP skips the padded and dilated windows (Differential.op takes both off, which would repeat another window);
        // in 3-D each window without them is a window of its own: disjoint, ceil mode with partial windows, overlapping.
        if (op.equals("avg") && window.hasDilation() || op.equals("lp") && !shape.volumetric() && (window.hasDilation() || window.hasPadding())) {
            return false;
        }
        try {
            window.outputShape(shape);
            return true;
        } catch (IllegalArgumentException tooSmall) {
            return false;
        }
    }

    @TestFactory
    Stream<DynamicTest> generalKernelsMatchTheReference() {
        return cases().stream().map(c -> dynamicTest(c.toString(), () -> check(c)));
    }

    /**
     * IM2COL's general kernels on every max and min case (2-D and 3-D, each layout and type): bit
     * for bit against the reference and against DIRECT (values, indices and gradient).
     */
    @TestFactory
    Stream<DynamicTest> im2colMaxAndMinMatchTheReferenceAndDirect() {
        return cases().stream().filter(c -> c.op().equals("max") || c.op().equals("min"))
                .map(c -> dynamicTest("IM2COL " + c, () -> {
                    Tensor x = c.input();
                    PoolOp op = c.op().equals("max") ? PoolOp.max(c.window()) : PoolOp.min(c.window());
                    try (OpenClPooling im2col = new OpenClPooling(context, Algorithm.IM2COL);
                         OpenClPooling direct = new OpenClPooling(context, Algorithm.DIRECT)) {
                        Differential.checkAgainstDirect(im2col, direct, reference, op, x, c.seed());
                    }
                }));
    }

    /**
     * Every float16 and bfloat16 bit pattern through direct.cl's loads and stores, vector (8-output
     * segments, at every alignment: rows of 259) and scalar (a row's last 3 columns): 1x1 max
     * forward and backward move each value unchanged, 1x2 average rounds each neighbouring pair's
     * mean once (subnormals, overflow, ties, NaN), both against the reference.
     */
    @TestFactory
    Stream<DynamicTest> everyHalfBitPatternLoadsAndStoresAsTheReference() {
        return Stream.of(DType.FLOAT16, DType.BFLOAT16).flatMap(dtype -> Stream.of("max", "avg").map(op ->
                dynamicTest(op + " " + dtype.label() + " every bit pattern", () -> {
                    Shape shape = Shape.of(1, 2, 128, 259);
                    float[] values = new float[shape.elementCountAsInt()];
                    for (int i = 0; i < values.length; i++) {
                        short bits = (short) (i * 40503); // odd: every pattern within each 65536, neighbours scattered
                        values[i] = dtype == DType.FLOAT16 ? DType.halfToFloat(bits) : DType.bfloat16ToFloat(bits);
                    }
                    PoolSpec window = op.equals("max") ? PoolSpec.of(1) : PoolSpec.of(1, 2).withStride(1);
                    try (OpenClPooling device = new OpenClPooling(context, Algorithm.DIRECT)) {
                        Differential.check(device, reference, op, new Tensor(shape, values, dtype), window, 7);
                    }
                })));
    }

    private void check(Case c) {
        Tensor x = c.input();
        try (OpenClPooling device = new OpenClPooling(context, Algorithm.AUTO)) {
            if (!c.shape().volumetric() || c.op().equals("lp")) { // Differential.op's LP is rank-generic
                Differential.check(device, reference, c.op(), x, c.window(), c.seed());
                return;
            }
            if (c.op().equals("unpool")) {
                PoolResult pooled = reference.forward(PoolOp.max(c.window()), x);
                Shape s = x.shape();
                Differential.check(device, reference, PoolOp.maxUnpool3d(s.d(), s.h(), s.w()), pooled.values(), pooled.indices(), c.seed());
                return;
            }
            PoolOp op = volumeOp(c.op(), c.window(), x.shape(), c.seed());
            Differential.check(device, reference, op, x, null, c.seed());
            // Determinism: the gather backward gives the same bits twice.
            PoolResult y = device.forward(op, x);
            Tensor dy = Differential.gradient(y.values().shape(), c.seed(), x.dtype());
            Compare.bitEqual(device.backward(op, dy, x, y.values(), y.indices()),
                    device.backward(op, dy, x, y.values(), y.indices()), "two backward runs");
        }
    }

    private static PoolOp volumeOp(String name, PoolSpec spec, Shape input, long seed) {
        Shape out = spec.outputShape(input);
        return switch (name) {
            case "max" -> PoolOp.max(spec);
            case "min" -> PoolOp.min(spec);
            case "avg" -> PoolOp.avg(spec, new AvgOptions(seed % 2 == 0, seed % 5 == 0 ? 3 : 0));
            case "adaptive-max" -> PoolOp.adaptiveMax3d(out.d(), out.h(), out.w());
            case "adaptive-avg" -> PoolOp.adaptiveAvg3d(out.d(), out.h(), out.w());
            // the window's kernel; outputs from 1 to in - k (PyTorch's 3-D out + k - 1 < in), the samples drawn from the seed
            case "fractional-max" -> PoolOp.fractionalMax3d(spec.kernelD(), spec.kernelH(), spec.kernelW(),
                    1 + (int) Math.floorMod(seed, input.d() - spec.kernelD()), 1 + (int) Math.floorMod(seed >> 4, input.h() - spec.kernelH()),
                    1 + (int) Math.floorMod(seed >> 8, input.w() - spec.kernelW()), FractionalSamples.seeded(seed));
            default -> throw new IllegalArgumentException(name);
        };
    }
}
