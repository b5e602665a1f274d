package io.clpool.opencl;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import io.clpool.Algorithm;
import io.clpool.PoolOp;
import io.clpool.PoolResult;
import io.clpool.Tensor;
import io.clpool.reference.ReferencePooling;
import io.clpool.spec.AvgOptions;
import io.clpool.spec.DType;
import io.clpool.spec.PoolSpec;
import io.clpool.spec.Shape;
import io.clpool.support.Compare;
import io.clpool.support.DeviceTest;
import io.clpool.support.Differential;
import io.clpool.support.Inputs;
import io.clpool.support.SystemProperty;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The CPU family's average backward over segments of 8 (direct.cl's avg_backward_gather_rows,
 * 8 columns by ROWS rows: stride 1 along rows, windows overlapping down the columns; and
 * avg_backward_gather_strided, 8 windows' columns of ROWS rows: strides above 1 along rows), forced
 * with {@code clpool.kernels=cpu}: against the reference within tolerance, and bit for bit against
 * the per-element gather (the GPU family with {@code clpool.gpu.gather=element}), which adds each
 * element's windows in the same order. Widths of 1, 7, 9, 16, 17, 47 and 93 (segments cut by the
 * input's end, rows whose ends take the checked path), padding with count_include_pad either way
 * (the divisors' column extents differ lane by lane there), divisor overrides, ceil mode,
 * strides 1 to 4 either way, kernels up to 7 wide, NaN, infinities and all-negative inputs, in float32 and the
 * half types. Likewise the plane scatter that takes float32 tensors of many planes.
 */
class AvgSegmentGatherTest extends DeviceTest {
    @TestFactory
    Stream<DynamicTest> segmentGathersMatchTheReferenceAndThePerElementGather() {
        Shape[] shapes = {Shape.of(1, 2, 5, 1), Shape.of(2, 1, 7, 7), Shape.of(1, 1, 6, 93), Shape.of(1, 3, 11, 9),
            Shape.of(1, 1, 13, 16), Shape.of(1, 2, 4, 17),
            Shape.of(1, 2, 6, 47)}; // 3x3 stride 2 padding 1: an unchecked segment whose last window passes the input's end
        PoolSpec[] specs = {PoolSpec.of(3).withStride(1).withPadding(1), PoolSpec.of(2).withStride(1),
            PoolSpec.of(3, 2).withStride(2, 1).withPadding(1, 1), PoolSpec.of(5).withStride(1).withPadding(2),
            PoolSpec.of(4, 3).withStride(3, 1).withPadding(2, 1).withCeilMode(true),
            // strides above 1 along rows: avg_backward_gather_strided
            PoolSpec.of(3).withStride(2).withPadding(1), PoolSpec.of(3).withStride(2).withCeilMode(true),
            PoolSpec.of(5, 4).withStride(1, 3).withPadding(2, 2).withCeilMode(true), PoolSpec.of(4).withStride(3).withPadding(1),
            // several kernel columns per window shift m, up to three shifts
            PoolSpec.of(3, 5).withStride(1, 4).withPadding(1, 2), PoolSpec.of(2, 7).withStride(1, 3).withPadding(1, 3)};
        AvgOptions[] options = {new AvgOptions(true, 0), new AvgOptions(false, 0), new AvgOptions(false, 7)};
        List<DynamicTest> tests = new ArrayList<>();
        ReferencePooling reference = new ReferencePooling();
        long seed = 9100;
        for (PoolSpec spec : specs) {
            assertTrue(!spec.windowsDisjoint() && KernelSource.directSegmentKernels(spec)
                    && (spec.strideW() > 1 || DirectKernels.rowsPerItem(spec) > 1), "a segment gather should take " + spec);
            for (DType dtype : List.of(DType.FLOAT32, DType.FLOAT16, DType.BFLOAT16)) {
                for (Shape shape : shapes) {
                    if (!RandomizedDifferentialTest.fits(spec, shape)) {
                        continue;
                    }
                    for (AvgOptions option : options) {
                        long s = ++seed;
                        Inputs flavour = Inputs.values()[(int) (s % Inputs.values().length)];
                        Tensor x = flavour.tensor(shape, s).toType(dtype);
                        PoolOp avg = PoolOp.avg(spec, option);
                        tests.add(dynamicTest("avg segments " + dtype.label() + " " + flavour + " " + shape + " " + spec + " " + option,
                                () -> check(avg, x, s, reference)));
                    }
                }
            }
        }
        assertTrue(tests.size() > 300, "the segment-gather cases should number over three hundred, got " + tests.size());
        return tests.stream();
    }

    /**
     * The CPU family's average and LP plane scatters (direct.cl's avg_backward_scatter and
     * lp_backward_scatter: stride 1 along rows, kernels up to 9 wide, at least two planes per
     * compute unit, so these shapes take twice as many planes as the device has units, and at
     * least 8), float32 and the half types (which sum in a float ring and round once): within
     * tolerance of the reference and bit for bit the per-element gather. Widths
     * cut the 8-column steps anywhere, padding either way (windows before column 0 whose factors
     * the first step keeps; LP has none), kernels 1 to 9 wide (shifts of up to 8 lanes), strides
     * above 1 and above the kernel down the columns (rows no window reaches, zeroed), ceil mode,
     * divisor overrides, LP norms 2 (compiled as a constant), 3 and 1.5, zeros (a window whose y^p
     * is 0 adds nothing) and NaN.
     */
    @TestFactory
    Stream<DynamicTest> planeScatterMatchesTheReferenceAndThePerElementGather() {
        int planes = Math.max(8, 2 * context.device().computeUnits());
        int[] widths = {1, 2, 7, 8, 9, 16, 17, 31, 93};
        PoolSpec[] specs = {PoolSpec.of(3).withStride(1).withPadding(1), PoolSpec.of(2).withStride(1),
            PoolSpec.of(3, 9).withStride(1).withPadding(1, 4), PoolSpec.of(5).withStride(2, 1).withPadding(2),
            PoolSpec.of(2, 3).withStride(3, 1).withPadding(1, 1), PoolSpec.of(4, 6).withStride(2, 1).withPadding(2, 3).withCeilMode(true),
            PoolSpec.of(1, 4).withStride(1), PoolSpec.of(3).withStride(1), PoolSpec.of(2, 9).withStride(3, 1).withCeilMode(true),
            PoolSpec.of(4, 5).withStride(2, 1)};
        AvgOptions[] options = {new AvgOptions(true, 0), new AvgOptions(false, 0), new AvgOptions(false, 7)};
        double[] norms = {2.0, 3.0, 1.5};
        List<DynamicTest> tests = new ArrayList<>();
        ReferencePooling reference = new ReferencePooling();
        long seed = 9700;
        for (PoolSpec spec : specs) {
            assertTrue(!spec.windowsDisjoint() && KernelSource.directSegmentKernels(spec) && spec.strideW() == 1
                    && spec.kernelW() <= 9, "the plane scatter should take " + spec);
            for (int w : widths) {
                Shape shape = Shape.of(2, planes / 2, 3 + w % 6, w);
                if (!RandomizedDifferentialTest.fits(spec, shape)) {
                    continue;
                }
                for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT16, DType.BFLOAT16}) {
                    AvgOptions option = options[w % options.length];
                    long s = ++seed;
                    Inputs flavour = Inputs.values()[(int) (s % Inputs.values().length)];
                    Tensor x = flavour.tensor(shape, s).toType(dtype);
                    PoolOp avg = PoolOp.avg(spec, option);
                    tests.add(dynamicTest("avg plane scatter " + dtype.label() + " " + flavour + " " + shape + " " + spec + " " + option,
                            () -> check(avg, x, s, reference)));
                    if (!spec.hasPadding()) {
                        double norm = norms[w % norms.length];
                        Inputs lpFlavour = Inputs.values()[(int) ((s + 1) % Inputs.values().length)];
                        Tensor lpInput = lpFlavour.tensor(shape, s + 1).toType(dtype);
                        PoolOp lp = PoolOp.lp(spec, norm);
                        tests.add(dynamicTest("lp plane scatter " + dtype.label() + " p=" + norm + " " + lpFlavour + " " + shape + " " + spec,
                                () -> check(lp, lpInput, s + 1, reference)));
                    }
                }
            }
        }
        assertTrue(tests.size() > 240, "the plane-scatter cases should number over two hundred and forty, got " + tests.size());
        return tests.stream();
    }

    /**
     * The CPU family's LP backward where the vector plane scatter does not go: strides above 1
     * along rows take the strided gather (direct.cl's lp_backward_gather_strided, whatever the
     * plane count: these shapes alternate between 2 planes and twice the device's units), kernels
     * over 9 wide with stride 1 along rows the plane scatter one window at a time
     * (lp_backward_scatter_windows, at least two planes per compute unit); float32 and the half
     * types: within tolerance of the reference and bit for bit the per-element gather. Windows at
     * the input's borders (their taps clipped), strides above the kernel down the columns (rows
     * no window reaches), heights that cut the gather's 4-row blocks anywhere, several kernel
     * columns per window shift, ceil mode, p = 2, 3 and 1.5, zeros and NaN.
     */
    @TestFactory
    Stream<DynamicTest> lpStridedGatherAndWindowScatterMatchTheReferenceAndThePerElementGather() {
        int planes = Math.max(8, 2 * context.device().computeUnits());
        int[] widths = {1, 2, 7, 9, 17, 31, 93};
        PoolSpec[] strided = {PoolSpec.of(3).withStride(2), PoolSpec.of(3).withStride(2).withCeilMode(true),
            PoolSpec.of(2, 3).withStride(3, 2), PoolSpec.of(5, 4).withStride(2, 3).withCeilMode(true),
            PoolSpec.of(4).withStride(1, 3), PoolSpec.of(3, 5).withStride(1, 4)};
        PoolSpec[] wide = {PoolSpec.of(2, 11).withStride(1), PoolSpec.of(3, 10).withStride(2, 1).withCeilMode(true)};
        double[] norms = {2.0, 3.0, 1.5};
        List<DynamicTest> tests = new ArrayList<>();
        ReferencePooling reference = new ReferencePooling();
        long seed = 9900;
        for (PoolSpec spec : Stream.concat(Stream.of(strided), Stream.of(wide)).toList()) {
            boolean stridedGather = spec.strideW() > 1;
            assertTrue(!spec.windowsDisjoint() && KernelSource.directSegmentKernels(spec) && (stridedGather || spec.kernelW() > 9),
                    "the strided gather or the window scatter should take " + spec);
            for (int w : widths) {
                for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT16, DType.BFLOAT16}) {
                    long s = ++seed;
                    Shape shape = Shape.of(2, (stridedGather && s % 2 == 0 ? 2 : planes) / 2, 4 + w % 6, w);
                    if (!RandomizedDifferentialTest.fits(spec, shape)) {
                        continue;
                    }
                    double norm = norms[(int) (s % norms.length)];
                    Inputs flavour = Inputs.values()[(int) (s % Inputs.values().length)];
                    Tensor x = flavour.tensor(shape, s).toType(dtype);
                    PoolOp lp = PoolOp.lp(spec, norm);
                    tests.add(dynamicTest("lp " + (stridedGather ? "strided gather " : "window scatter ") + dtype.label() + " p=" + norm
                            + " " + flavour + " " + shape + " " + spec, () -> check(lp, x, s, reference)));
                }
            }
        }
        assertTrue(tests.size() > 100, "the strided-gather and window-scatter cases should number over a hundred, got "
                + tests.size());
        return tests.stream();
    }

    private void check(PoolOp op, Tensor x, long seed, ReferencePooling reference) {
        PoolResult pooled = reference.forward(op, x);
        Tensor dy = Differential.gradient(pooled.values().shape(), seed, x.dtype());
        Tensor segments;
        try (SystemProperty cpu = SystemProperty.set(KernelFamilies.KERNELS_PROPERTY, "cpu");
             OpenClPooling device = new OpenClPooling(context, Algorithm.DIRECT)) {
            Differential.check(device, reference, op, x, null, seed);
            segments = device.backward(op, dy, x, pooled.values(), null);
        }
        Tensor perElement;
        try (SystemProperty gpu = SystemProperty.set(KernelFamilies.KERNELS_PROPERTY, "gpu");
             SystemProperty element = SystemProperty.set(DirectKernels.GATHER_PROPERTY, "element");
             OpenClPooling device = new OpenClPooling(context, Algorithm.DIRECT)) {
            perElement = device.backward(op, dy, x, pooled.values(), null);
        }
        // Bit for bit; any NaN equals any NaN (a NaN's payload follows the compiler's operand order).
        Compare.bitEqual(perElement, segments, op + " gradient, segment kernels against the per-element gather");
    }
}
