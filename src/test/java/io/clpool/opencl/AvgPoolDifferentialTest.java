package io.clpool.opencl;

import io.clpool.support.Calls;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import io.clpool.Algorithm;
import io.clpool.Pooling;
import io.clpool.Tensor;
import io.clpool.reference.ReferencePooling;
import io.clpool.spec.AvgOptions;
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
 * Average pooling on OpenCL against the reference over the fixed-window sweep (no dilation:
 * avg_pool2d has none), each case with padding counted, not counted, and a divisor override:
 * forward and backward within tolerance, two backward runs bitwise equal.
 */
class AvgPoolDifferentialTest extends DeviceTest {
    /** count_include_pad true (PyTorch's default) and false, and an override that is no window's size. */
    private static final List<AvgOptions> OPTIONS = List.of(AvgOptions.DEFAULT, new AvgOptions(false, 0), new AvgOptions(true, 7));

    private final Pooling reference = new ReferencePooling();

    @TestFactory
    Stream<DynamicTest> averagePoolingMatchesReference() {
        List<SweepCase> cases = SweepCase.fixedWindowSweep(false);
        assertTrue(cases.size() > 150, "the sweep should cover hundreds of cases, got " + cases.size());
        return TestAlgorithms.ALL.stream().flatMap(algorithm -> cases.stream().flatMap(c -> OPTIONS.stream().map(options ->
                dynamicTest("avg " + algorithm + " " + c + " " + options, () -> check(algorithm, c, options)))));
    }

    private void check(Algorithm algorithm, SweepCase c, AvgOptions options) {
        try (OpenClPooling device = new OpenClPooling(context, algorithm)) {
            Tensor input = c.input();
            Tensor expected = Calls.avgPool2d(reference, input, c.spec(), options);
            Compare.close(expected.data(), Calls.avgPool2d(device, input, c.spec(), options).data(), "values");

            Tensor gradOut = Inputs.gradient(expected.shape(), c.seed());
            Tensor expectedGrad = Calls.avgPool2dBackward(reference, gradOut, input.shape(), c.spec(), options);
            Tensor first = Calls.avgPool2dBackward(device, gradOut, input.shape(), c.spec(), options);
            Tensor second = Calls.avgPool2dBackward(device, gradOut, input.shape(), c.spec(), options);
            Compare.close(expectedGrad.data(), first.data(), "gradient");
            Compare.bitEqual(first.data(), second.data(), "two backward runs");
        }
    }
}
