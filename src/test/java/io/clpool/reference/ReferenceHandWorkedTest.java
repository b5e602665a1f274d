package io.clpool.reference;

import io.clpool.support.Calls;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.clpool.IndexTensor;
import io.clpool.PoolResult;
import io.clpool.Pooling;
import io.clpool.Tensor;
import io.clpool.spec.AvgOptions;
import io.clpool.spec.PoolSpec;
import io.clpool.spec.Shape;
import io.clpool.support.Compare;
import org.junit.jupiter.api.Test;

/**
 * The oracle against numbers worked out by hand from PyTorch's rules, for the corners the
 * conformance cases do not pin down: the average divisor at the padded edge, LP with negative
 * inputs, adaptive windows larger than the input, and unpooling duplicates.
 */
class ReferenceHandWorkedTest {
    private final Pooling reference = new ReferencePooling();

    private static Tensor grid(int h, int w, float... values) {
        return new Tensor(Shape.of(1, 1, h, w), values);
    }

    /** x = 1..9 on 3×3, kernel 2, stride 2, padding 1: windows of 1, 2, 2 and 4 in-bounds taps, all of padded size 4. */
    @Test
    void averageDivisorCountsPaddingOnlyWhenAsked() {
        Tensor x = grid(3, 3, 1, 2, 3, 4, 5, 6, 7, 8, 9);
        PoolSpec spec = PoolSpec.of(2).withPadding(1);
        Compare.close(new float[] {0.25f, 1.25f, 2.75f, 7f}, Calls.avgPool2d(reference, x, spec, AvgOptions.DEFAULT).data(), "counted");
        Compare.close(new float[] {1f, 2.5f, 5.5f, 7f}, Calls.avgPool2d(reference, x, spec, new AvgOptions(false, 0)).data(),
                "not counted");
        Compare.close(new float[] {1f / 3, 5f / 3, 11f / 3, 28f / 3}, Calls.avgPool2d(reference, x, spec, new AvgOptions(true, 3)).data(),
                "override");
        Compare.close(new float[] {0.25f, 0.5f, 0.5f, 0.5f, 0.25f, 0.25f, 0.5f, 0.25f, 0.25f},
                Calls.avgPool2dBackward(reference, grid(2, 2, 1, 2, 2, 1), x.shape(), spec, AvgOptions.DEFAULT).data(), "gradient");
    }

    /**
     * avg_pool1d([1, 2, 3, 4], k=3, s=2, p=1, ceil_mode=True) = [1, 3, 2]: the ceil-mode window
     * starting at 3 ends at i + p = 5, so it counts one padding tap and one input tap.
     */
    @Test
    void averageWindowEndIsClippedToTheRightPadding() {
        Tensor x = grid(1, 4, 1, 2, 3, 4);
        PoolSpec spec = new PoolSpec(1, 3, 1, 2, 0, 1, 1, 1, true);
        Compare.close(new float[] {1f, 3f, 2f}, Calls.avgPool2d(reference, x, spec, AvgOptions.DEFAULT).data(), "counted");
        Compare.close(new float[] {1.5f, 3f, 4f}, Calls.avgPool2d(reference, x, spec, new AvgOptions(false, 0)).data(), "not counted");
    }

    /**
     * pow takes negative bases with integral p: at p = 2 windows [-1, -2] and [-1, 2] give
     * sqrt(5); at p = 3 their sums are -9, whose cube root (pow with 1/3) is NaN, and 7.
     */
    @Test
    void lpWithNegativeInputs() {
        Tensor x = grid(1, 4, -1, -2, -1, 2);
        PoolSpec spec = PoolSpec.of(1, 2);
        Compare.close(new float[] {(float) Math.sqrt(5), (float) Math.sqrt(5)}, Calls.lpPool2d(reference, x, spec, 2).data(), "p=2");
        Compare.close(new float[] {Float.NaN, (float) Math.cbrt(7)}, Calls.lpPool2d(reference, x, spec, 3).data(), "p=3");
    }

    /** Output larger than the input: windows [0,1) [0,2) [1,2) [1,3) [2,3) of [1, 5, 2]. */
    @Test
    void adaptiveWindowsOverlapWhenTheOutputIsLarger() {
        Tensor x = grid(1, 3, 1, 5, 2);
        PoolResult max = Calls.adaptiveMaxPool2d(reference, x, 1, 5);
        Compare.bitEqual(new float[] {1f, 5f, 5f, 5f, 2f}, max.values().data(), "max values");
        Compare.bitEqual(new int[] {0, 1, 1, 1, 2}, max.indices().data(), "max indices");
        Tensor ones = grid(1, 5, 1, 1, 1, 1, 1);
        Compare.close(new float[] {1f, 3f, 1f}, Calls.adaptiveMaxPool2dBackward(reference, ones, max.indices(), x.shape()).data(),
                "max gradient");
        Compare.close(new float[] {1f, 3f, 5f, 3.5f, 2f}, Calls.adaptiveAvgPool2d(reference, x, 1, 5).data(), "average");
        Compare.close(new float[] {1.5f, 2f, 1.5f}, Calls.adaptiveAvgPool2dBackward(reference, ones, x.shape()).data(), "avg gradient");
    }

    @Test
    void adaptiveAverageExamplesOfTheReadme() {
        Tensor x = grid(1, 5, 1, 2, 3, 4, 5);
        Compare.close(new float[] {2f, 4f}, Calls.adaptiveAvgPool2d(reference, x, 1, 2).data(), "length 2");
        Compare.close(new float[] {1f, 1.5f, 2.5f, 3f, 3.5f, 4.5f, 5f}, Calls.adaptiveAvgPool2d(reference, x, 1, 7).data(), "length 7");
        Compare.close(new float[] {3f}, Calls.globalAvgPool2d(reference, x).data(), "global");
        assertEquals(4, Calls.globalMaxPool2d(reference, x).indices().data()[0], "global max index");
    }

    @Test
    void unpoolingKeepsTheLastDuplicateAndDefaultsToTheSpecsSize() {
        Shape pooled = Shape.of(1, 1, 2, 2);
        Tensor values = new Tensor(pooled, new float[] {1f, 2f, 3f, 4f});
        IndexTensor indices = new IndexTensor(pooled, new int[] {3, 0, 3, 1});
        Compare.bitEqual(new float[] {2f, 4f, 0f, 3f}, Calls.maxUnpool2d(reference, values, indices, pooled).data(), "duplicates");
        assertEquals(Shape.of(1, 1, 4, 4), PoolSpec.of(2).unpoolOutputShape(pooled), "(i - 1)s - 2p + k");
        assertEquals(Shape.of(1, 1, 3, 3), PoolSpec.of(3).withStride(2).withPadding(1).unpoolOutputShape(pooled), "with padding");
    }

    /**
     * float64 is computed in double, in the reference's order: hand-worked doubles, compared
     * exactly (sums on the device are judged within 2 ulp; here the oracle itself is pinned).
     */
    @Test
    void float64AveragesAreDoubleSums() {
        Shape shape = Shape.of(1, 1, 2, 2);
        // ((0.1 + 0.2) + 0.3) + 0.4 in double: 0.30000000000000004, 0.6000000000000001, 1.0; over 4: 0.25.
        Tensor x = Tensor.ofDoubles(shape, new double[] {0.1, 0.2, 0.3, 0.4});
        Tensor y = reference.forward(io.clpool.PoolOp.avg(PoolSpec.of(2)), x).values();
        assertEquals(io.clpool.spec.DType.FLOAT64, y.dtype());
        assertEquals(0.25, y.doubles()[0]);
        // 2^53 + 2 and 2 with a unit window divisor override of 2: (2^53 + 2 + 2) / 2 = 2^52 + 2, exact in double.
        Tensor big = Tensor.ofDoubles(Shape.of(1, 1, 1, 2), new double[] {0x1p53 + 2, 2});
        Tensor mean = reference.forward(io.clpool.PoolOp.avg(PoolSpec.of(1, 2), new AvgOptions(true, 2)), big).values();
        assertEquals(0x1p52 + 2, mean.doubles()[0]);
        assertEquals(0x1p52, Calls.avgPool2d(reference, big.toType(io.clpool.spec.DType.FLOAT32), PoolSpec.of(1, 2),
                new AvgOptions(true, 2)).data()[0], "float32 loses the 2s");
        // Adaptive avg of 1/3 (the double nearest) three times: ((t + t) + t) / 3, t = 0x1.5555555555555p-2.
        double t = 1.0 / 3;
        Tensor thirds = Tensor.ofDoubles(Shape.of(1, 1, 1, 3), new double[] {t, t, t});
        double expected = ((t + t) + t) / 3;
        assertEquals(0x1.5555555555555p-2, expected, "worked: 2t and 3t = 1 exactly, 1 / 3 = t");
        assertEquals(expected, reference.forward(io.clpool.PoolOp.adaptiveAvg(1, 1), thirds).values().doubles()[0]);
        // Backward: dY = 0.1 shared over 2 taps: 0.05 each, the double quotient.
        Tensor dx = reference.backward(io.clpool.PoolOp.avg(PoolSpec.of(1, 2)), Tensor.ofDoubles(Shape.of(1, 1, 1, 1), new double[] {0.1}),
                big, null, null);
        assertEquals(io.clpool.spec.DType.FLOAT64, dx.dtype());
        org.junit.jupiter.api.Assertions.assertArrayEquals(new double[] {0.05, 0.05}, dx.doubles());
        // LP p = 2 of 3 and 4: sqrt(9 + 16) = 5 (the window's average times its taps, squared root).
        Tensor lp = reference.forward(io.clpool.PoolOp.lp(PoolSpec.of(1, 2), 2.0), Tensor.ofDoubles(Shape.of(1, 1, 1, 2), new double[] {3, 4})).values();
        assertEquals(5.0, lp.doubles()[0]);
        // Max keeps the double exactly, its index too; channels last too.
        Tensor m = Tensor.ofDoubles(Shape.of(1, 2, 1, 2), new double[] {1 + 0x1p-52, 1, -0.1, Double.NaN});
        PoolResult r = reference.forward(io.clpool.PoolOp.max(PoolSpec.of(1, 2)), m.withLayout(io.clpool.spec.Layout.CHANNELS_LAST));
        org.junit.jupiter.api.Assertions.assertArrayEquals(new double[] {1 + 0x1p-52, Double.NaN}, r.values().doubles());
        org.junit.jupiter.api.Assertions.assertArrayEquals(new int[] {0, 1}, r.indices().data());
    }
}
