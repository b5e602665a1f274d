package io.clpool.opencl;

import io.clpool.support.Calls;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import io.clpool.Algorithm;
import io.clpool.PoolResult;
import io.clpool.Pooling;
import io.clpool.Tensor;
import io.clpool.reference.ReferencePooling;
import io.clpool.spec.Shape;
import io.clpool.support.Compare;
import io.clpool.support.Inputs;
import io.clpool.support.DeviceTest;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Adaptive max and average pooling (direct kernels, no algorithm choice) on OpenCL against the
 * reference: odd input shapes against output sizes that divide them, do not, equal them, and
 * exceed them, with every input flavour. Max values and indices bit for bit; averages and
 * gradients within tolerance; two backward runs bitwise equal.
 */
class AdaptiveDifferentialTest extends DeviceTest {
    private static final Shape[] SHAPES = {Shape.of(1, 1, 1, 1), Shape.of(1, 1, 28, 28), Shape.of(2, 3, 7, 93), Shape.of(3, 5, 17, 4)};
    /** Global (1×1), small, non-square, prime, and larger than every input side in one or both axes. */
    private static final int[][] OUTPUT_SIZES = {{1, 1}, {2, 2}, {3, 5}, {7, 7}, {5, 31}, {13, 1}, {40, 100}, {1, 97}};

    private final Pooling reference = new ReferencePooling();
    record Case(Shape shape, int outH, int outW, Inputs flavour, long seed) {
        Tensor input() {
            return flavour.tensor(shape, seed);
        }

        @Override
        public String toString() {
            return shape + " -> " + outH + "x" + outW + " " + flavour + " seed=" + seed;
        }
    }

    static List<Case> cases() {
        List<Case> cases = new ArrayList<>();
        long seed = 4242;
        for (Shape shape : SHAPES) {
            for (int[] size : OUTPUT_SIZES) {
                for (Inputs flavour : Inputs.values()) {
                    cases.add(new Case(shape, size[0], size[1], flavour, seed++));
                }
            }
        }
        return cases;
    }

    @TestFactory
    Stream<DynamicTest> adaptiveMaxMatchesReference() {
        return cases().stream().map(c -> dynamicTest("adaptive max " + c, () -> checkMax(c)));
    }

    @TestFactory
    Stream<DynamicTest> adaptiveAverageMatchesReference() {
        return cases().stream().map(c -> dynamicTest("adaptive avg " + c, () -> checkAvg(c)));
    }

    @TestFactory
    Stream<DynamicTest> globalPoolingMatchesReference() {
        return Stream.of(SHAPES).flatMap(shape -> Stream.of(Inputs.values()).map(flavour ->
                dynamicTest("global " + shape + " " + flavour, () -> {
                    Tensor input = flavour.tensor(shape, 77);
                    try (OpenClPooling device = new OpenClPooling(context, Algorithm.IM2COL)) {
                        PoolResult expected = Calls.globalMaxPool2d(reference, input);
                        PoolResult actual = Calls.globalMaxPool2d(device, input);
                        Compare.bitEqual(expected.values().data(), actual.values().data(), "global max values");
                        Compare.bitEqual(expected.indices().data(), actual.indices().data(), "global max indices");
                        Compare.close(Calls.globalAvgPool2d(reference, input).data(), Calls.globalAvgPool2d(device, input).data(), "global average");
                    }
                })));
    }

    private void checkMax(Case c) {
        try (OpenClPooling device = new OpenClPooling(context, Algorithm.IM2COL)) {
            Tensor input = c.input();
            PoolResult expected = Calls.adaptiveMaxPool2d(reference, input, c.outH(), c.outW());
            PoolResult actual = Calls.adaptiveMaxPool2d(device, input, c.outH(), c.outW());
            Compare.bitEqual(expected.values().data(), actual.values().data(), "values");
            Compare.bitEqual(expected.indices().data(), actual.indices().data(), "indices");

            Tensor gradOut = Inputs.gradient(expected.values().shape(), c.seed());
            Tensor expectedGrad = Calls.adaptiveMaxPool2dBackward(reference, gradOut, expected.indices(), input.shape());
            Tensor first = Calls.adaptiveMaxPool2dBackward(device, gradOut, expected.indices(), input.shape());
            Tensor second = Calls.adaptiveMaxPool2dBackward(device, gradOut, expected.indices(), input.shape());
            Compare.close(expectedGrad.data(), first.data(), "gradient");
            Compare.bitEqual(first.data(), second.data(), "two backward runs");
        }
    }

    private void checkAvg(Case c) {
        try (OpenClPooling device = new OpenClPooling(context, Algorithm.IM2COL)) {
            Tensor input = c.input();
            Tensor expected = Calls.adaptiveAvgPool2d(reference, input, c.outH(), c.outW());
            Compare.close(expected.data(), Calls.adaptiveAvgPool2d(device, input, c.outH(), c.outW()).data(), "values");

            Tensor gradOut = Inputs.gradient(expected.shape(), c.seed());
            Tensor expectedGrad = Calls.adaptiveAvgPool2dBackward(reference, gradOut, input.shape());
            Tensor first = Calls.adaptiveAvgPool2dBackward(device, gradOut, input.shape());
            Tensor second = Calls.adaptiveAvgPool2dBackward(device, gradOut, input.shape());
            Compare.close(expectedGrad.data(), first.data(), "gradient");
            Compare.bitEqual(first.data(), second.data(), "two backward runs");
        }
    }
}
