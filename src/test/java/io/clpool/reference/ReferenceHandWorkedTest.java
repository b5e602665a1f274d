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
}
