package io.clpool.opencl;

import io.clpool.support.Calls;
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
            PoolResult expected = min ? Calls.minPool2d(reference, input, c.spec()) : Calls.maxPool2d(reference, input, c.spec());
            PoolResult actual = min ? Calls.minPool2d(device, input, c.spec()) : Calls.maxPool2d(device, input, c.spec());
            Compare.bitEqual(expected.values().data(), actual.values().data(), "values");
            Compare.bitEqual(expected.indices().data(), actual.indices().data(), "indices");

            Tensor gradOut = Inputs.gradient(expected.values().shape(), c.seed());
            IndexTensor indices = expected.indices();
            Tensor expectedGrad = Calls.maxPool2dBackward(reference, gradOut, indices, input.shape(), c.spec());
            Tensor first = Calls.maxPool2dBackward(device, gradOut, indices, input.shape(), c.spec());
            Tensor second = Calls.maxPool2dBackward(device, gradOut, indices, input.shape(), c.spec());
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
             DeviceTensor input = Calls.upload(device, c.input());
             DevicePoolResult pooled = Calls.maxPool2d(device, input, c.spec());
             DeviceTensor gradOut = Calls.upload(device, Inputs.gradient(pooled.values().shape(), 3));
             DeviceTensor grad = Calls.maxPool2dBackward(device, gradOut, pooled.indices(), input.shape(), c.spec())) {
            PoolResult expected = Calls.maxPool2d(reference, c.input(), c.spec());
            Compare.bitEqual(expected.values().data(), pooled.values().download().data(), "values");
            Compare.bitEqual(expected.indices().data(), pooled.indices().download().data(), "indices");
            Tensor expectedGrad = Calls.maxPool2dBackward(reference, gradOut.download(), expected.indices(), input.shape(), c.spec());
            Compare.close(expectedGrad.data(), grad.download().data(), "gradient");
        }
    }
}
