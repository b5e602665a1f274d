package io.clpool.opencl;

import io.clpool.support.Calls;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.clpool.Algorithm;
import io.clpool.PoolResult;
import io.clpool.Pooling;
import io.clpool.Tensor;
import io.clpool.reference.ReferencePooling;
import io.clpool.spec.AvgOptions;
import io.clpool.spec.PoolSpec;
import io.clpool.spec.Shape;
import io.clpool.support.Compare;
import io.clpool.support.Inputs;
import io.clpool.support.TestAlgorithms;
import io.clpool.support.TestDevices;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Host-tensor calls whose batch does not fit the device's maximum allocation are split into
 * chunks of samples; the result equals the reference's. The limit is lowered on the context so
 * that small tensors need splitting.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DirectBatchSplitTest {
    /** One sample of the input below is 3·40·40·4 = 19,200 bytes: 3 samples fit, the batch of 7 does not. */
    private static final long LIMIT = 60_000;
    private static final Shape SHAPE = Shape.of(7, 3, 40, 40);

    private final Pooling reference = new ReferencePooling();
    private ClContext context;

    @BeforeAll
    void open() {
        context = TestDevices.openContext();
    }

    @AfterEach
    void restore() {
        context.limitMaxAllocation(Long.MAX_VALUE);
    }

    @AfterAll
    void close() {
        if (context != null) {
            context.close();
        }
    }

    static java.util.List<Algorithm> algorithms() {
        return TestAlgorithms.ALL;
    }

    @ParameterizedTest
    @MethodSource("algorithms")
    void maxPoolingSplitsTheBatch(Algorithm algorithm) {
        // IM2COL's column buffer (8 bytes per tap per output) is the largest buffer: 1 sample per chunk
        PoolSpec spec = PoolSpec.of(3).withStride(2).withPadding(1);
        Tensor x = Inputs.SPECIAL.tensor(SHAPE, 3);
        PoolResult expected = Calls.maxPool2d(reference, x, spec);
        Tensor dy = Inputs.gradient(expected.values().shape(), 4);
        Tensor expectedGrad = Calls.maxPool2dBackward(reference, dy, expected.indices(), SHAPE, spec);
        context.limitMaxAllocation(algorithm == Algorithm.IM2COL ? 8L * 9 * 3 * 20 * 20 + 1 : LIMIT);
        assertThrows(IllegalArgumentException.class, () -> context.allocate(SHAPE.elementCount() * 4, "whole batch"),
                "the whole batch should not fit, or this test tests nothing");
        try (OpenClPooling device = new OpenClPooling(context, algorithm)) {
            PoolResult actual = Calls.maxPool2d(device, x, spec);
            Compare.bitEqual(expected.values().data(), actual.values().data(), "values");
            Compare.bitEqual(expected.indices().data(), actual.indices().data(), "indices");
            Compare.close(expectedGrad.data(), Calls.maxPool2dBackward(device, dy, expected.indices(), SHAPE, spec).data(),
                    "gradient");
            PoolResult min = Calls.minPool2d(device, x, spec);
            Compare.bitEqual(Calls.minPool2d(reference, x, spec).indices().data(), min.indices().data(), "min indices");
        }
    }

    @Test
    void averageAndLpPoolingSplitTheBatch() {
        context.limitMaxAllocation(LIMIT);
        PoolSpec spec = PoolSpec.of(2);
        Tensor x = Inputs.NORMAL.tensor(SHAPE, 5);
        Tensor positive = new Tensor(SHAPE, x.data().clone());
        for (int i = 0; i < positive.data().length; i++) {
            positive.data()[i] = Math.abs(positive.data()[i]) + 0.25f;
        }
        try (OpenClPooling device = new OpenClPooling(context, Algorithm.DIRECT)) {
            Tensor avg = Calls.avgPool2d(reference, x, spec, AvgOptions.DEFAULT);
            Compare.close(avg.data(), Calls.avgPool2d(device, x, spec, AvgOptions.DEFAULT).data(), "avg values");
            Tensor dy = Inputs.gradient(avg.shape(), 6);
            Compare.close(Calls.avgPool2dBackward(reference, dy, SHAPE, spec, AvgOptions.DEFAULT).data(),
                    Calls.avgPool2dBackward(device, dy, SHAPE, spec, AvgOptions.DEFAULT).data(), "avg gradient");
            Tensor lp = Calls.lpPool2d(reference, positive, spec, 2.0);
            Compare.close(lp.data(), Calls.lpPool2d(device, positive, spec, 2.0).data(), "lp values");
            Compare.close(Calls.lpPool2dBackward(reference, dy, positive, lp, spec, 2.0).data(),
                    Calls.lpPool2dBackward(device, dy, positive, lp, spec, 2.0).data(), "lp gradient");
        }
    }

    @Test
    void aSampleLargerThanTheLimitFailsWithTheSizes() {
        context.limitMaxAllocation(1000);
        try (OpenClPooling device = new OpenClPooling(context, Algorithm.DIRECT)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Calls.maxPool2d(device, Inputs.NORMAL.tensor(SHAPE, 1), PoolSpec.of(2)));
            assertTrue(e.getMessage().contains("maximum allocation is 1000 bytes"), e.getMessage());
        }
    }
}
