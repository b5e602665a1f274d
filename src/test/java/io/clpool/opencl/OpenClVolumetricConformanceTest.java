package io.clpool.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.clpool.Algorithm;
import io.clpool.PoolOp;
import io.clpool.Tensor;
import io.clpool.reference.TermMagnitudes;
import io.clpool.support.Calls;
import io.clpool.support.Compare;
import io.clpool.support.ConformanceCase;
import io.clpool.support.ConformanceCheck;
import io.clpool.support.DeviceTest;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The 20 PyTorch 2.11 3-D cases of conformance2 (max_pool3d, avg_pool3d, adaptive_max_pool3d,
 * adaptive_avg_pool3d) on the OpenCL device, on DIRECT and on AUTO: max and adaptive-max values
 * and indices bit for bit (NaN equals NaN), averages and every gradient within
 * {@link io.clpool.Tolerance} scaled by their terms' magnitudes, as {@link ConformanceCheck} holds
 * every backend. Then every case again through a {@link PoolPlan} on device tensors (values,
 * indices and gradients never leave the device between the calls), its backward run on the
 * plan's own indices and on PyTorch's uploaded ones (checked first, since they come from
 * elsewhere). IM2COL runs the max and adaptive cases too (3-D max on its general im2col kernels,
 * the adaptive ops never use im2col), both ways; a 3-D average window is refused on it naming
 * IM2COL and the ops it runs there.
 */
class OpenClVolumetricConformanceTest extends DeviceTest {
    private static final List<Algorithm> ALGORITHMS = List.of(Algorithm.DIRECT, Algorithm.AUTO);

    static Stream<ConformanceCase> cases() {
        return ConformanceCase.volumetric().stream();
    }

    static Stream<Arguments> casesOnEachAlgorithm() {
        return Stream.concat(ALGORITHMS.stream().flatMap(a -> cases().map(c -> Arguments.of(a, c))),
                cases().filter(c -> !refusedOnIm2col(c)).map(c -> Arguments.of(Algorithm.IM2COL, c)));
    }

    /** The fixed 3-D windows IM2COL does not run: averages (max runs on its general kernels). */
    static boolean refusedOnIm2col(ConformanceCase c) {
        return c.poolOp().spec() != null && !(c.poolOp() instanceof PoolOp.Extremum);
    }

    static Stream<ConformanceCase> casesRefusedOnIm2col() {
        return cases().filter(OpenClVolumetricConformanceTest::refusedOnIm2col);
    }

    @Test
    void theTwentyCasesCoverEveryThreeDimensionalOp() {
        assertEquals(20, cases().count());
        assertEquals(List.of("adaptive-avg3d", "adaptive-max3d", "avg3d", "max3d"),
                cases().map(ConformanceCase::op).distinct().sorted().toList());
        // At least one case per op with a NaN/inf input, and max cases with dilation, padding and ceil mode.
        assertTrue(cases().anyMatch(c -> c.op().equals("max3d") && c.json().contains("\"special\"")));
        assertTrue(cases().anyMatch(c -> c.op().equals("max3d") && c.spec().hasDilation()));
        assertTrue(cases().anyMatch(c -> c.op().equals("max3d") && c.spec().ceilMode() && c.spec().hasPadding()));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("casesOnEachAlgorithm")
    void hostTensorsMatchPyTorch(Algorithm algorithm, ConformanceCase c) {
        try (OpenClPooling device = new OpenClPooling(context, algorithm)) {
            ConformanceCheck.run(device, c);
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("casesOnEachAlgorithm")
    void aPlanOnDeviceTensorsMatchesPyTorch(Algorithm algorithm, ConformanceCase c) {
        PoolOp op = c.poolOp();
        Tensor x = c.x();
        try (PoolPlan plan = PoolPlan.create(context, op, x.shape(), algorithm);
             DeviceTensor input = DeviceTensor.upload(context, x);
             DevicePoolResult y = plan.allocateOutputs();
             DeviceTensor gradOut = DeviceTensor.upload(context, c.gy());
             DeviceTensor gradIn = DeviceTensor.allocate(context, x.shape())) {
            assertEquals(c.y().shape(), plan.outputShape(), c + " output shape");
            if (op.hasIndices()) {
                Calls.await(plan.forward(input, y.values(), y.indices()));
                Compare.bitEqual(c.y().data(), y.values().download().data(), c + " values");
                Compare.bitEqual(c.idx().data(), y.indices().download().data(), c + " indices");
                Calls.await(plan.backward(gradOut, y.indices(), gradIn));
                Compare.close(c.gx().data(), gradIn.download().data(),
                        TermMagnitudes.backward(op, c.gy(), x, c.y(), c.idx()), c + " gradient from the plan's indices");
                // PyTorch's indices, uploaded: from elsewhere, so checked on the device first; the
                // same indices must give the same gradient, bit for bit.
                try (DeviceIndices torch = DeviceIndices.upload(context, c.idx());
                     DeviceTensor again = DeviceTensor.allocate(context, x.shape())) {
                    plan.requireValidIndices(torch);
                    Calls.await(plan.backward(gradOut, torch, again));
                    Compare.bitEqual(gradIn.download().data(), again.download().data(), c + " gradient from PyTorch's indices");
                }
            } else {
                Calls.await(plan.forward(input, y.values()));
                Compare.close(c.y().data(), y.values().download().data(), TermMagnitudes.forward(op, x), c + " values");
                Calls.await(plan.backward(gradOut, gradIn));
                Compare.close(c.gx().data(), gradIn.download().data(), TermMagnitudes.backward(op, c.gy(), x, c.y(), null),
                        c + " gradient");
            }
        }
    }

    @Test
    void im2colRunsTheMaxAndAdaptiveCasesAndRefusesTheAverages() {
        assertEquals(List.of("avg3d"), casesRefusedOnIm2col().map(ConformanceCase::op).distinct().toList());
        assertTrue(casesOnEachAlgorithm().anyMatch(a -> a.get()[0] == Algorithm.IM2COL
                && ((ConformanceCase) a.get()[1]).op().equals("max3d")), "max3d on IM2COL");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("casesRefusedOnIm2col")
    void im2colRefusesTheAverageWindows(ConformanceCase c) {
        try (OpenClPooling im2col = new OpenClPooling(context, Algorithm.IM2COL)) {
            PoolOp op = c.poolOp();
            long buffers = context.liveObjects(NativeKind.BUFFER);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> im2col.forward(op, c.x()));
            assertEquals("the IM2COL algorithm runs 3-D windows, channels-last tensors, float16/bfloat16 and float64 for max and min pooling "
                    + "only: use DIRECT or AUTO for float32 "
                    + op.name() + " pooling of " + c.x().shape() + " (" + op.spec() + ")", e.getMessage());
            assertEquals(buffers, context.liveObjects(NativeKind.BUFFER), "buffers left behind by a refused call");
        }
    }
}
