package io.clpool.opencl;

import io.clpool.support.Calls;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import io.clpool.Algorithm;
import io.clpool.Pooling;
import io.clpool.Tensor;
import io.clpool.reference.ReferencePooling;
import io.clpool.reference.TermMagnitudes;
import io.clpool.spec.PoolSpec;
import io.clpool.spec.Shape;
import io.clpool.support.Compare;
import io.clpool.support.Inputs;
import io.clpool.support.SweepCase;
import io.clpool.support.TestAlgorithms;
import io.clpool.support.DeviceTest;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * LP pooling on OpenCL against the reference: the fixed-window sweep without padding or dilation
 * (lp_pool2d has neither) at several norms, and negative inputs at p = 2 and p = 3, where only a
 * {@code pow} that takes negative bases with integral exponents gives real numbers (odd p: a
 * negative sum whose root is NaN, as in PyTorch). Forward and backward within tolerance, the
 * backward fed the reference's forward output so that each pass is checked on its own.
 */
class LpPoolDifferentialTest extends DeviceTest {
    private static final double[] NORMS = {1.0, 2.0, 3.0, 1.5, 4.0};

    private final Pooling reference = new ReferencePooling();

    @TestFactory
    Stream<DynamicTest> lpPoolingMatchesReferenceOverTheSweep() {
        List<SweepCase> cases = SweepCase.fixedWindowSweep(false).stream().filter(c -> !c.spec().hasPadding()).toList();
        assertTrue(cases.size() > 80, "the sweep should cover about a hundred unpadded cases, got " + cases.size());
        return TestAlgorithms.ALL.stream().flatMap(algorithm -> cases.stream().map(c -> {
            double norm = NORMS[(int) (c.seed() % NORMS.length)];
            return dynamicTest("lp p=" + norm + " " + algorithm + " " + c, () -> check(algorithm, c, norm));
        }));
    }

    @TestFactory
    Stream<DynamicTest> negativeInputsWithIntegralNorms() {
        List<PoolSpec> specs = List.of(PoolSpec.of(2), PoolSpec.of(3).withStride(1), PoolSpec.of(2, 3).withStride(3).withCeilMode(true));
        Shape shape = Shape.of(2, 3, 7, 93);
        return TestAlgorithms.ALL.stream().flatMap(algorithm -> Stream.of(2.0, 3.0).flatMap(norm -> specs.stream().flatMap(spec ->
                Stream.of(Inputs.NEGATIVE, Inputs.NORMAL, Inputs.TIES).map(flavour -> {
                    SweepCase c = new SweepCase(shape, spec, flavour, 11);
                    return dynamicTest("lp p=" + norm + " " + algorithm + " " + c, () -> check(algorithm, c, norm));
                }))));
    }

    private void check(Algorithm algorithm, SweepCase c, double norm) {
        try (OpenClPooling device = new OpenClPooling(context, algorithm)) {
            Tensor input = c.input();
            Tensor expected = Calls.lpPool2d(reference, input, c.spec(), norm);
            Compare.close(expected.data(), Calls.lpPool2d(device, input, c.spec(), norm).data(),
                    TermMagnitudes.lpPool2d(input, c.spec(), norm), "values");

            Tensor gradOut = Inputs.gradient(expected.shape(), c.seed());
            Tensor expectedGrad = Calls.lpPool2dBackward(reference, gradOut, input, expected, c.spec(), norm);
            Tensor first = Calls.lpPool2dBackward(device, gradOut, input, expected, c.spec(), norm);
            Tensor second = Calls.lpPool2dBackward(device, gradOut, input, expected, c.spec(), norm);
            Compare.close(expectedGrad.data(), first.data(),
                    TermMagnitudes.lpPool2dBackward(gradOut, input, expected, c.spec(), norm), "gradient");
            Compare.bitEqual(first.data(), second.data(), "two backward runs");
        }
    }
}
