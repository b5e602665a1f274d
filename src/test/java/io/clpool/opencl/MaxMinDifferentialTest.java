package io.clpool.opencl;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import io.clpool.Algorithm;
import io.clpool.IndexTensor;
import io.clpool.PoolResult;
import io.clpool.Pooling;
import io.clpool.Tensor;
import io.clpool.reference.ReferencePooling;
import io.clpool.support.Compare;
import io.clpool.support.Inputs;
import io.clpool.support.SweepCase;
import io.clpool.support.TestAlgorithms;
import io.clpool.support.DeviceTest;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Max and min pooling on OpenCL against the reference over the whole fixed-window sweep:
 * values and indices bit for bit, backward within tolerance, and two backward runs bitwise equal.
 */
class MaxMinDifferentialTest extends DeviceTest {
    private static final List<Algorithm> ALGORITHMS = TestAlgorithms.ALL;

    private final Pooling reference = new ReferencePooling();

    @TestFactory
    Stream<DynamicTest> maxPoolingMatchesReference() {
        return sweep(false);
    }

    @TestFactory
    Stream<DynamicTest> minPoolingMatchesReference() {
        return sweep(true);
    }

    private Stream<DynamicTest> sweep(boolean min) {
        List<SweepCase> cases = SweepCase.fixedWindowSweep(true);
        assertTrue(cases.size() > 300, "the sweep should cover hundreds of cases, got " + cases.size());
        return ALGORITHMS.stream().flatMap(algorithm -> cases.stream().map(c ->
                dynamicTest((min ? "min " : "max ") + algorithm + " " + c, () -> check(algorithm, c, min))));
    }

    private void check(Algorithm algorithm, SweepCase c, boolean min) {
        try (OpenClPooling device = new OpenClPooling(context, algorithm)) {
            Tensor input = c.input();
            PoolResult expected = min ? reference.minPool2d(input, c.spec()) : reference.maxPool2d(input, c.spec());
            PoolResult actual = min ? device.minPool2d(input, c.spec()) : device.maxPool2d(input, c.spec());
            Compare.bitEqual(expected.values().data(), actual.values().data(), "values");
            Compare.bitEqual(expected.indices().data(), actual.indices().data(), "indices");

            Tensor gradOut = Inputs.gradient(expected.values().shape(), c.seed());
            IndexTensor indices = expected.indices();
            Tensor expectedGrad = reference.maxPool2dBackward(gradOut, indices, input.shape(), c.spec());
            Tensor first = device.maxPool2dBackward(gradOut, indices, input.shape(), c.spec());
            Tensor second = device.maxPool2dBackward(gradOut, indices, input.shape(), c.spec());
            Compare.close(expectedGrad.data(), first.data(), "gradient");
            Compare.bitEqual(first.data(), second.data(), "two backward runs");
        }
    }

    @ParameterizedTest
    @EnumSource(Inputs.class)
    void deviceResidentForwardAndBackwardMatchHostCalls(Inputs flavour) {
        SweepCase c = new SweepCase(io.clpool.spec.Shape.of(2, 3, 7, 93),
                io.clpool.spec.PoolSpec.of(3).withStride(2).withPadding(1), flavour, 7);
        try (OpenClPooling device = new OpenClPooling(context, Algorithm.IM2COL);
             DeviceTensor input = device.upload(c.input());
             DevicePoolResult pooled = device.maxPool2d(input, c.spec());
             DeviceTensor gradOut = device.upload(Inputs.gradient(pooled.values().shape(), 3));
             DeviceTensor grad = device.maxPool2dBackward(gradOut, pooled.indices(), input.shape(), c.spec())) {
            PoolResult expected = reference.maxPool2d(c.input(), c.spec());
            Compare.bitEqual(expected.values().data(), pooled.values().download().data(), "values");
            Compare.bitEqual(expected.indices().data(), pooled.indices().download().data(), "indices");
            Tensor expectedGrad = reference.maxPool2dBackward(gradOut.download(), expected.indices(), input.shape(), c.spec());
            Compare.close(expectedGrad.data(), grad.download().data(), "gradient");
        }
    }
}
