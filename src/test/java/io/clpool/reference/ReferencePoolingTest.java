package io.clpool.reference;

import io.clpool.support.Calls;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.clpool.IndexTensor;
import io.clpool.PoolResult;
import io.clpool.Tensor;
import io.clpool.spec.PoolSpec;
import io.clpool.spec.Shape;
import org.junit.jupiter.api.Test;

/** The oracle's rules, checked by hand on tiny inputs, so that the oracle itself is trusted. */
class ReferencePoolingTest {
    private static final float NAN = Float.NaN;
    private final ReferencePooling pooling = new ReferencePooling();

    private static Tensor plane(int h, int w, float... values) {
        return new Tensor(Shape.of(1, 1, h, w), values);
    }

    @Test
    void allNegativeWindowNextToPaddingReturnsItsTrueMax() {
        // A zero-padded im2col would return 0 here.
        PoolResult r = Calls.maxPool2d(pooling, plane(2, 2, -3, -2, -4, -5), PoolSpec.of(2).withStride(1).withPadding(1));
        assertArrayEquals(new float[] {-3, -2, -2, -3, -2, -2, -4, -4, -5}, r.values().data());
        assertArrayEquals(new int[] {0, 1, 1, 0, 1, 1, 2, 2, 3}, r.indices().data());
    }

    @Test
    void tiesKeepTheFirstTap() {
        PoolResult r = Calls.maxPool2d(pooling, plane(2, 2, 1, 1, 1, 1), PoolSpec.of(2));
        assertEquals(0, r.indices().data()[0]);
        PoolResult min = Calls.minPool2d(pooling, plane(2, 2, 1, 1, 1, 1), PoolSpec.of(2));
        assertEquals(0, min.indices().data()[0]);
    }

    @Test
    void nanPropagatesAndTheLastNanOwnsTheIndex() {
        PoolResult r = Calls.maxPool2d(pooling, plane(2, 2, NAN, 5, NAN, 7), PoolSpec.of(2));
        assertTrue(Float.isNaN(r.values().data()[0]));
        assertEquals(2, r.indices().data()[0]);
        PoolResult min = Calls.minPool2d(pooling, plane(2, 2, 1, NAN, -9, 7), PoolSpec.of(2));
        assertTrue(Float.isNaN(min.values().data()[0]));
        assertEquals(1, min.indices().data()[0]);
    }

    @Test
    void negativeInfinityWindowKeepsTheFirstInBoundsIndex() {
        float inf = Float.NEGATIVE_INFINITY;
        PoolResult r = Calls.maxPool2d(pooling, plane(2, 2, inf, inf, inf, inf), PoolSpec.of(2).withStride(1).withPadding(1));
        assertEquals(inf, r.values().data()[4]);
        assertArrayEquals(new int[] {0, 0, 1, 0, 0, 1, 2, 2, 3}, r.indices().data());
    }

    @Test
    void minIsNegatedMaxOfNegation() {
        float[] x = {3, -1, 2, 8, -7, 0, 5, 5, 1, -2, 4, 6};
        float[] negated = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            negated[i] = -x[i];
        }
        PoolSpec spec = PoolSpec.of(2).withStride(1);
        PoolResult min = Calls.minPool2d(pooling, plane(3, 4, x), spec);
        PoolResult max = Calls.maxPool2d(pooling, plane(3, 4, negated), spec);
        for (int i = 0; i < min.values().data().length; i++) {
            assertEquals(-max.values().data()[i], min.values().data()[i]);
        }
        assertArrayEquals(max.indices().data(), min.indices().data());
    }

    @Test
    void backwardAddsGradientsOfWindowsSharingAWinner() {
        Tensor x = plane(1, 3, 1, 9, 2);
        PoolSpec spec = PoolSpec.of(1, 2).withStride(1);
        PoolResult r = Calls.maxPool2d(pooling, x, spec);
        assertArrayEquals(new int[] {1, 1}, r.indices().data());
        Tensor dx = Calls.maxPool2dBackward(pooling, new Tensor(r.values().shape(), new float[] {0.5f, 2f}), r.indices(),
                x.shape(), spec);
        assertArrayEquals(new float[] {0, 2.5f, 0}, dx.data());
    }

    @Test
    void backwardRejectsAnIndexOutsideItsWindow() {
        Tensor x = plane(2, 4, 1, 2, 3, 4, 5, 6, 7, 8);
        PoolSpec spec = PoolSpec.of(2);
        Tensor dy = new Tensor(Shape.of(1, 1, 1, 2), new float[] {1, 1});
        IndexTensor wrong = new IndexTensor(dy.shape(), new int[] {5, 1});
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Calls.maxPool2dBackward(pooling, dy, wrong, x.shape(), spec));
        assertEquals("index should be inside its pooling window for an input plane of 2x4, but got index: 1 at output "
                + "(n=0, c=0, h=0, w=1)", e.getMessage());
        IndexTensor outside = new IndexTensor(dy.shape(), new int[] {0, 99});
        e = assertThrows(IllegalArgumentException.class, () -> Calls.maxPool2dBackward(pooling, dy, outside, x.shape(), spec));
        assertEquals("index should be in [0, 8) for an input plane of 2x4, but got index: 99 at output (n=0, c=0, h=0, w=1)",
                e.getMessage());
    }

    @Test
    void dilatedWindowSkipsTheTapsBetween() {
        Tensor x = plane(1, 5, 1, 100, 2, 100, 3);
        PoolResult r = Calls.maxPool2d(pooling, x, PoolSpec.of(1, 3).withStride(1).withDilation(1, 2));
        assertArrayEquals(new float[] {3}, r.values().data());
        assertArrayEquals(new int[] {4}, r.indices().data());
    }

    /** Issue 10: the padded tap count 46341² passes 2^31; as an int it was a negative divisor. */
    @Test
    void averageDivisorOfAWindowWithMoreThan2pow31TapsIsItsTrueCount() {
        PoolSpec spec = PoolSpec.of(46341).withPadding(23170);
        Tensor y = pooling.avgPool2d(plane(1, 1, 3f), spec, io.clpool.spec.AvgOptions.DEFAULT);
        assertEquals(3f / 2_147_488_281L, y.data()[0]);
        Tensor excluded = pooling.avgPool2d(plane(1, 1, 3f), spec, new io.clpool.spec.AvgOptions(false, 0));
        assertEquals(3f, excluded.data()[0]);
        Tensor wide = pooling.avgPool2d(plane(2, 1, 1f, 2f),
                new PoolSpec(2, 1_073_741_825, 2, 1_073_741_825, 0, 536_870_912, 1, 1, false), io.clpool.spec.AvgOptions.DEFAULT);
        assertEquals(3f / 2_147_483_650L, wide.data()[0]);
    }
}
