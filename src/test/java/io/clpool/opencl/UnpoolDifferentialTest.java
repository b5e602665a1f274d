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
import io.clpool.spec.Shape;
import io.clpool.support.Compare;
import io.clpool.support.Inputs;
import io.clpool.support.SweepCase;
import io.clpool.support.DeviceTest;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Max unpooling on OpenCL against the reference, bit for bit (it only moves values): the
 * indices of max pooling over the whole fixed-window sweep, unpooled to the input's shape and,
 * where the indices fit, to the spec's default size; and random indices that collide on purpose,
 * where the last value in row-major order must win on every run.
 */
class UnpoolDifferentialTest extends DeviceTest {
    private final Pooling reference = new ReferencePooling();

    @TestFactory
    Stream<DynamicTest> unpoolingMaxPoolIndicesMatchesReference() {
        List<SweepCase> cases = SweepCase.fixedWindowSweep(true);
        return cases.stream().map(c -> dynamicTest("unpool " + c, () -> {
            PoolResult pooled = Calls.maxPool2d(reference, c.input(), c.spec());
            check(pooled.values(), pooled.indices(), c.shape(), c.seed());
            Shape byDefault = defaultSizeOrNull(c, pooled);
            if (byDefault != null && fits(pooled.indices(), byDefault)) {
                check(pooled.values(), pooled.indices(), byDefault, c.seed());
            }
        }));
    }

    private static Shape defaultSizeOrNull(SweepCase c, PoolResult pooled) {
        try {
            return c.spec().unpoolOutputShape(pooled.values().shape());
        } catch (IllegalArgumentException e) {
            return null; // a spec whose default size is empty: covered by the invalid-configuration table
        }
    }

    @TestFactory
    Stream<DynamicTest> collidingIndicesResolveToTheLastValue() {
        Shape[] pooled = {Shape.of(1, 1, 1, 1), Shape.of(2, 3, 7, 93), Shape.of(3, 5, 17, 4), Shape.of(1, 2, 28, 28)};
        int[][] planes = {{1, 1}, {2, 3}, {5, 5}, {28, 28}, {31, 7}};
        return Stream.of(pooled).flatMap(shape -> Stream.of(planes).map(plane -> {
            Shape out = shape.withSpatial(plane[0], plane[1]);
            long seed = 31L * shape.elementCount() + plane[0] * 7L + plane[1];
            return dynamicTest("unpool random indices " + shape + " -> " + out, () -> {
                Tensor values = Inputs.SPECIAL.tensor(shape, seed);
                check(values, randomIndices(shape, out, seed), out, seed);
            });
        }));
    }

    @Test
    void theLastDuplicateWinsOnTheDevice() {
        Shape pooled = Shape.of(1, 2, 1, 4);
        Tensor values = new Tensor(pooled, new float[] {1f, 2f, 3f, 4f, 5f, 6f, 7f, 8f});
        IndexTensor indices = new IndexTensor(pooled, new int[] {3, 0, 3, 1, 2, 2, 2, 2});
        Shape out = pooled.withSpatial(2, 2);
        try (OpenClPooling device = new OpenClPooling(context, Algorithm.IM2COL)) {
            Compare.bitEqual(new float[] {2f, 4f, 0f, 3f, 0f, 0f, 8f, 0f},
                    Calls.maxUnpool2d(device, values, indices, out).data(), "unpooled");
            Tensor gradOut = new Tensor(out, new float[] {10f, 20f, 30f, 40f, 50f, 60f, 70f, 80f});
            Compare.bitEqual(new float[] {40f, 10f, 40f, 20f, 70f, 70f, 70f, 70f},
                    Calls.maxUnpool2dBackward(device, gradOut, indices).data(), "gradient");
        }
    }

    private void check(Tensor values, IndexTensor indices, Shape out, long seed) {
        try (OpenClPooling device = new OpenClPooling(context, Algorithm.IM2COL)) {
            Tensor expected = Calls.maxUnpool2d(reference, values, indices, out);
            Tensor actual = Calls.maxUnpool2d(device, values, indices, out);
            Compare.bitEqual(expected.data(), actual.data(), "unpooled to " + out);
            Compare.bitEqual(actual.data(), Calls.maxUnpool2d(device, values, indices, out).data(), "two unpooling runs");

            Tensor gradOut = Inputs.gradient(out, seed);
            Compare.bitEqual(Calls.maxUnpool2dBackward(reference, gradOut, indices).data(),
                    Calls.maxUnpool2dBackward(device, gradOut, indices).data(), "gradient from " + out);
        }
    }

    private static boolean fits(IndexTensor indices, Shape out) {
        return java.util.Arrays.stream(indices.data()).allMatch(i -> i < out.planeSize());
    }

    private static IndexTensor randomIndices(Shape pooled, Shape out, long seed) {
        Random random = new Random(seed);
        int[] idx = new int[pooled.elementCountAsInt()];
        for (int i = 0; i < idx.length; i++) {
            idx[i] = random.nextInt((int) out.planeSize());
        }
        assertTrue(idx.length <= 1 || pooled.planeSize() > out.planeSize() || hasDuplicate(idx, pooled),
                "random indices should collide somewhere");
        return new IndexTensor(pooled, idx);
    }

    private static boolean hasDuplicate(int[] idx, Shape pooled) {
        int plane = (int) pooled.planeSize();
        for (int p = 0; p < idx.length; p += plane) {
            if (java.util.Arrays.stream(idx, p, p + plane).distinct().count() < plane) {
                return true;
            }
        }
        return false;
    }
}
