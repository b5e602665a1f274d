package io.clpool.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.clpool.Algorithm;
import io.clpool.PoolOp;
import io.clpool.Tensor;
import io.clpool.reference.TermMagnitudes;
import io.clpool.support.Calls;
import io.clpool.support.Compare;
import io.clpool.support.ConformanceCase;
import io.clpool.support.ConformanceCheck;
import io.clpool.support.DeviceTest;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The 36 PyTorch 2.11 channels-last and half-precision cases of conformance2 on the device, with
 * AUTO and DIRECT (both run the general kernels for these tensors), and the max and adaptive cases
 * on IM2COL too (max on its general im2col kernels; it refuses averages here), through the host
 * facade and, for one case of each layout, dtype and op, through a {@link PoolPlan} on device
 * tensors (max cases on AUTO and IM2COL): max and adaptive-max values and indices bit for bit,
 * averages and gradients within {@link io.clpool.Tolerance}'s rule for the dtype.
 */
class OpenClFormatsConformanceTest extends DeviceTest {
    private static final List<Algorithm> ALGORITHMS = List.of(Algorithm.AUTO, Algorithm.DIRECT);

    Stream<Arguments> cases() {
        return Stream.concat(ALGORITHMS.stream().flatMap(a -> ConformanceCase.formats().stream().map(c -> Arguments.of(a, c))),
                ConformanceCase.formats().stream().filter(OpenClFormatsConformanceTest::runsOnIm2col)
                        .map(c -> Arguments.of(Algorithm.IM2COL, c)));
    }

    /** IM2COL runs max (its general kernels) and the adaptive ops (which never use im2col), not averages. */
    static boolean runsOnIm2col(ConformanceCase c) {
        return c.poolOp().spec() == null || c.poolOp() instanceof PoolOp.Extremum;
    }

    /** Each (layout, dtype, op) once on AUTO, and its max cases once more on IM2COL. */
    static Stream<Arguments> onePerFormatAndOpOnEachAlgorithm() {
        return Stream.concat(onePerFormatAndOp().map(c -> Arguments.of(Algorithm.AUTO, c)),
                onePerFormatAndOp().filter(c -> c.poolOp() instanceof PoolOp.Extremum).map(c -> Arguments.of(Algorithm.IM2COL, c)));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void matchesPyTorch(Algorithm algorithm, ConformanceCase c) {
        try (OpenClPooling device = new OpenClPooling(context, algorithm)) {
            ConformanceCheck.run(device, c);
        }
    }

    /** The first case of each (layout, dtype, op): nine. */
    static Stream<ConformanceCase> onePerFormatAndOp() {
        Map<String, ConformanceCase> first = new LinkedHashMap<>();
        for (ConformanceCase c : ConformanceCase.formats()) {
            first.putIfAbsent(c.layout() + " " + c.dtype() + " " + c.op(), c);
        }
        assertEquals(9, first.size(), first.keySet()::toString);
        return first.values().stream();
    }

    /**
     * A plan on device tensors of the case's layout and dtype: the forward's outputs from
     * {@link PoolPlan#allocateOutputs()}, the backward of max ops fed the device's own indices.
     */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("onePerFormatAndOpOnEachAlgorithm")
    void planOnDeviceTensorsMatchesPyTorch(Algorithm algorithm, ConformanceCase c) {
        PoolOp op = c.poolOp();
        Tensor x = c.x();
        Tensor y = c.y();
        Tensor gy = c.gy();
        try (PoolPlan plan = PoolPlan.create(context, op, x.shape(), x.dtype(), algorithm);
             DeviceTensor input = DeviceTensor.upload(context, x);
             var result = plan.allocateOutputs();
             DeviceTensor gradOutput = DeviceTensor.upload(context, gy);
             DeviceTensor gradInput = DeviceTensor.allocate(context, x.shape(), x.dtype())) {
            assertEquals(y.shape(), plan.outputShape(), c + " output shape");
            assertEquals(x.dtype(), result.values().dtype(), c + " output dtype");
            if (op.hasIndices()) {
                Calls.await(plan.forward(input, result.values(), result.indices()));
                Calls.await(plan.backward(gradOutput, result.indices(), gradInput));
            } else {
                Calls.await(plan.forward(input, result.values()));
                Calls.await(plan.backward(gradOutput, gradInput));
            }
            Tensor values = result.values().download();
            assertEquals(y.shape(), values.shape(), c + " downloaded shape");
            float[] magnitudes = TermMagnitudes.forward(op, x);
            if (magnitudes == null) {
                Compare.bitEqual(y.data(), values.data(), c + " plan values");
                Compare.bitEqual(c.idx().data(), result.indices().download().data(), c + " plan indices");
            } else {
                Compare.close(y.data(), values.data(), magnitudes, c + " plan values", c.dtype());
            }
            Tensor gx = gradInput.download();
            assertEquals(x.shape(), gx.shape(), c + " gradient shape");
            Compare.close(c.gx().data(), gx.data(), TermMagnitudes.backward(op, gy, x, values, op.hasIndices() ? c.idx() : null),
                    c + " plan gradient", c.dtype());
        }
    }
}
