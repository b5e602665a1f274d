package io.clpool.reference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.clpool.IndexTensor;
import io.clpool.PoolOp;
import io.clpool.PoolResult;
import io.clpool.Tensor;
import io.clpool.spec.AvgOptions;
import io.clpool.spec.PoolSpec;
import io.clpool.spec.Shape;
import io.clpool.support.Compare;
import org.junit.jupiter.api.Test;

/**
 * The oracle's 3-D rules ({@code docs/SEMANTICS.md} §3) on tiny volumes worked out by hand: the
 * d-then-h-then-w scan order for ties and NaN, infinities, all-negative input beside padding, the
 * product divisor with each axis's window end clipped to {@code i + p}, backward sums in output
 * order, LP's scaling of a partial window, and the index checks naming the depth.
 */
class ReferencePooling3dTest {
    private static final float NAN = Float.NaN;
    private static final float INF = Float.POSITIVE_INFINITY;
    private final ReferencePooling reference = new ReferencePooling();

    /** One plane, 1×1×D×H×W, values in (d, h, w) row-major order. */
    private static Tensor volume(int d, int h, int w, float... values) {
        return new Tensor(Shape.of(1, 1, d, h, w), values);
    }

    private static Tensor negatedIndexVolume() {
        // x[d][h][w] = -(1 + 4d + 2h + w): the smaller the offset, the larger the value.
        return volume(2, 2, 2, -1, -2, -3, -4, -5, -6, -7, -8);
    }

    private static float[] valuesAt(float[] x, int[] indices) {
        float[] v = new float[indices.length];
        for (int i = 0; i < v.length; i++) {
            v[i] = x[indices[i]];
        }
        return v;
    }

    // Kernel 2, stride 1, padding 1 over 2x2x2: 3x3x3 windows; output o covers {o - 1, o} on each
    // axis, so its first in-bounds tap is at max(o - 1, 0) = 0, 0, 1 and its last at min(o, 1) = 0, 1, 1.
    private static final PoolSpec PADDED = PoolSpec.of3d(2).withStride(1).withPadding(1);
    private static final int[] FIRST_IN_BOUNDS = {
        0, 0, 1, 0, 0, 1, 2, 2, 3,
        0, 0, 1, 0, 0, 1, 2, 2, 3,
        4, 4, 5, 4, 4, 5, 6, 6, 7};
    private static final int[] LAST_IN_BOUNDS = {
        0, 1, 1, 2, 3, 3, 2, 3, 3,
        4, 5, 5, 6, 7, 7, 6, 7, 7,
        4, 5, 5, 6, 7, 7, 6, 7, 7};

    @Test
    void allNegativeVolumeNextToPaddingReturnsItsTrueMaxAndMin() {
        // A zero-padded im2col would return 0 for every window that holds padding.
        Tensor x = negatedIndexVolume();
        PoolResult max = reference.forward(PoolOp.max(PADDED), x);
        assertEquals(Shape.of(1, 1, 3, 3, 3), max.values().shape());
        assertArrayEquals(FIRST_IN_BOUNDS, max.indices().data());
        assertArrayEquals(valuesAt(x.data(), FIRST_IN_BOUNDS), max.values().data());
        PoolResult min = reference.forward(PoolOp.min(PADDED), x);
        assertArrayEquals(LAST_IN_BOUNDS, min.indices().data());
        assertArrayEquals(valuesAt(x.data(), LAST_IN_BOUNDS), min.values().data());
        // Average: the corner window holds x[0] and seven padding taps; the centre holds all eight.
        Tensor counted = reference.forward(PoolOp.avg(PADDED), x).values();
        assertEquals(-0.125f, counted.get(0, 0, 0, 0, 0));
        assertEquals(-4.5f, counted.get(0, 0, 1, 1, 1));
        assertEquals(-1f, counted.get(0, 0, 2, 2, 2));
        Tensor excluded = reference.forward(PoolOp.avg(PADDED, new AvgOptions(false, 0)), x).values();
        assertEquals(-1f, excluded.get(0, 0, 0, 0, 0));
        assertEquals(-3f, excluded.get(0, 0, 0, 1, 2), "x[0,0,1] and x[0,1,1]: (-2 - 4) / 2");
        assertEquals(-8f, excluded.get(0, 0, 2, 2, 2));
    }

    /**
     * Taps are visited d, then h, then w: offset 3 = (d 0, h 1, w 1) comes before offset 4 =
     * (d 1, h 0, w 0), so the tie goes to 3; a w-then-h-then-d scan would pick 4.
     */
    @Test
    void tiesKeepTheFirstTapInDepthRowColumnOrder() {
        PoolSpec whole = PoolSpec.of3d(2);
        PoolResult max = reference.maxPool2d(volume(2, 2, 2, 0, 0, 0, 5, 5, 0, 0, 0), whole);
        assertArrayEquals(new float[] {5}, max.values().data());
        assertArrayEquals(new int[] {3}, max.indices().data());
        PoolResult min = reference.minPool2d(volume(2, 2, 2, 0, 0, 0, -5, -5, 0, 0, 0), whole);
        assertArrayEquals(new float[] {-5}, min.values().data());
        assertArrayEquals(new int[] {3}, min.indices().data());
        Tensor constant = volume(2, 2, 2, 1, 1, 1, 1, 1, 1, 1, 1);
        assertArrayEquals(new int[] {0}, reference.maxPool2d(constant, whole).indices().data());
        assertArrayEquals(new int[] {0}, reference.minPool2d(constant, whole).indices().data());
        PoolResult adaptive = reference.adaptiveMaxPool3d(volume(2, 2, 2, 0, 0, 0, 5, 5, 0, 0, 0), 1, 1, 1);
        assertArrayEquals(new int[] {3}, adaptive.indices().data());
    }

    @Test
    void nanPropagatesAndTheLastNanInScanOrderOwnsTheIndex() {
        Tensor x = volume(2, 2, 2, 1, NAN, 9, 2, NAN, 3, 4, 0);
        PoolResult max = reference.forward(PoolOp.max(PoolSpec.of3d(2)), x);
        Compare.bitEqual(new float[] {NAN}, max.values().data(), "max value");
        assertArrayEquals(new int[] {4}, max.indices().data());
        PoolResult min = reference.forward(PoolOp.min(PoolSpec.of3d(2)), x);
        Compare.bitEqual(new float[] {NAN}, min.values().data(), "min value");
        assertArrayEquals(new int[] {4}, min.indices().data());
        PoolResult adaptive = reference.forward(PoolOp.adaptiveMax3d(1, 1, 1), x);
        Compare.bitEqual(new float[] {NAN}, adaptive.values().data(), "adaptive max value");
        assertArrayEquals(new int[] {4}, adaptive.indices().data());
        Compare.bitEqual(new float[] {NAN}, reference.forward(PoolOp.avg(PoolSpec.of3d(2)), x).values().data(), "average");
    }

    @Test
    void infinitiesAreValuesAndTiesOfThemKeepTheFirst() {
        Tensor x = volume(2, 2, 2, 1, INF, 2, 3, -INF, 5, INF, 6);
        PoolResult max = reference.forward(PoolOp.max(PoolSpec.of3d(2)), x);
        assertArrayEquals(new float[] {INF}, max.values().data());
        assertArrayEquals(new int[] {1}, max.indices().data());
        PoolResult min = reference.forward(PoolOp.min(PoolSpec.of3d(2)), x);
        assertArrayEquals(new float[] {-INF}, min.values().data());
        assertArrayEquals(new int[] {4}, min.indices().data());
        // inf + -inf: the average is NaN.
        Compare.bitEqual(new float[] {NAN}, reference.forward(PoolOp.avg(PoolSpec.of3d(2)), x).values().data(), "average");
    }

    /** A window of −inf (for max) or +inf (for min) never improves on its start: the index stays the first in-bounds tap. */
    @Test
    void infiniteVolumeKeepsTheFirstInBoundsIndexBesidePadding() {
        Tensor negative = volume(2, 2, 2, -INF, -INF, -INF, -INF, -INF, -INF, -INF, -INF);
        PoolResult max = reference.forward(PoolOp.max(PADDED), negative);
        assertArrayEquals(FIRST_IN_BOUNDS, max.indices().data());
        assertEquals(-INF, max.values().data()[13]);
        Tensor positive = volume(2, 2, 2, INF, INF, INF, INF, INF, INF, INF, INF);
        PoolResult min = reference.forward(PoolOp.min(PADDED), positive);
        assertArrayEquals(FIRST_IN_BOUNDS, min.indices().data());
        assertEquals(INF, min.values().data()[26]);
    }

    /**
     * avg_pool1d([1, 2, 3, 4], k=3, s=2, p=1, ceil_mode=True) = [1, 3, 2] along each of D, H and W
     * of a 3-D window: the ceil-mode window starting at 3 ends at i + p = 5, so it counts one
     * padding tap and one input tap.
     */
    @Test
    void averageWindowEndIsClippedToTheRightPaddingOnEveryAxis() {
        PoolSpec alongD = new PoolSpec(3, 1, 1, 2, 1, 1, 1, 0, 0, 1, 1, 1, true, 3);
        PoolSpec alongH = new PoolSpec(1, 3, 1, 1, 2, 1, 0, 1, 0, 1, 1, 1, true, 3);
        PoolSpec alongW = new PoolSpec(1, 1, 3, 1, 1, 2, 0, 0, 1, 1, 1, 1, true, 3);
        Tensor[] inputs = {volume(4, 1, 1, 1, 2, 3, 4), volume(1, 4, 1, 1, 2, 3, 4), volume(1, 1, 4, 1, 2, 3, 4)};
        PoolSpec[] specs = {alongD, alongH, alongW};
        for (int axis = 0; axis < 3; axis++) {
            Compare.close(new float[] {1f, 3f, 2f}, reference.avgPool2d(inputs[axis], specs[axis], AvgOptions.DEFAULT).data(),
                    "counted, axis " + axis);
            Compare.close(new float[] {1.5f, 3f, 4f}, reference.avgPool2d(inputs[axis], specs[axis], new AvgOptions(false, 0)).data(),
                    "not counted, axis " + axis);
        }
    }

    /**
     * Ones on 4×4×4, kernel 3, stride 2, padding 1, ceil mode: 3 windows per axis, starting at −1,
     * 1 and 3. Their extents clipped to i + p = 5 are 3, 3, 2 and their in-bounds extents 2, 3, 1.
     * PyTorch's divisor is the product of the clipped extents (count_include_pad) or of the
     * in-bounds ones, so the last corner window is 1/8, not 1/27.
     */
    @Test
    void averageDivisorIsTheProductOfTheClippedExtents() {
        float[] ones = new float[64];
        java.util.Arrays.fill(ones, 1f);
        Tensor x = volume(4, 4, 4, ones);
        PoolSpec spec = PoolSpec.of3d(3).withStride(2).withPadding(1).withCeilMode(true);
        int[] clipped = {3, 3, 2};
        int[] inBounds = {2, 3, 1};
        float[] counted = new float[27];
        float[] overridden = new float[27];
        float[] excluded = new float[27];
        for (int od = 0, o = 0; od < 3; od++) {
            for (int oh = 0; oh < 3; oh++) {
                for (int ow = 0; ow < 3; ow++, o++) {
                    float taps = inBounds[od] * inBounds[oh] * inBounds[ow];
                    counted[o] = taps / (clipped[od] * clipped[oh] * clipped[ow]);
                    overridden[o] = taps / 5;
                    excluded[o] = 1f;
                }
            }
        }
        Tensor y = reference.avgPool2d(x, spec, AvgOptions.DEFAULT);
        assertEquals(Shape.of(1, 1, 3, 3, 3), y.shape());
        Compare.close(counted, y.data(), "counted");
        assertEquals(8f / 27, y.get(0, 0, 0, 0, 0), 1e-7f);
        assertEquals(1f, y.get(0, 0, 1, 1, 1));
        assertEquals(0.125f, y.get(0, 0, 2, 2, 2));
        assertEquals(6f / 18, y.get(0, 0, 0, 1, 2), 1e-7f);
        Compare.close(excluded, reference.avgPool2d(x, spec, new AvgOptions(false, 0)).data(), "not counted");
        Compare.close(overridden, reference.avgPool2d(x, spec, new AvgOptions(true, 5)).data(), "override");

        // Backward with dY = 1: separable, dX = f(d)·f(h)·f(w) with f(i) the sum of 1/extent over
        // the windows holding i: counted f = 1/3, 1/3 + 1/3, 1/3, 1/3 + 1/2; not counted
        // f = 1/2, 1/2 + 1/3, 1/3, 1/3 + 1.
        Tensor gy = new Tensor(y.shape(), ones27());
        Tensor dx = reference.avgPool2dBackward(gy, x.shape(), spec, AvgOptions.DEFAULT);
        Compare.close(separable(new float[] {1f / 3, 2f / 3, 1f / 3, 5f / 6}), dx.data(), "counted gradient");
        assertEquals(125f / 216, dx.get(0, 0, 3, 3, 3), 1e-7f);
        assertEquals(10f / 54, dx.get(0, 0, 1, 2, 3), 1e-7f);
        Tensor dxExcluded = reference.avgPool2dBackward(gy, x.shape(), spec, new AvgOptions(false, 0));
        Compare.close(separable(new float[] {1f / 2, 5f / 6, 1f / 3, 4f / 3}), dxExcluded.data(), "not counted gradient");
    }

    private static float[] ones27() {
        float[] gy = new float[27];
        java.util.Arrays.fill(gy, 1f);
        return gy;
    }

    private static float[] separable(float[] f) {
        float[] v = new float[f.length * f.length * f.length];
        for (int d = 0, i = 0; d < f.length; d++) {
            for (int h = 0; h < f.length; h++) {
                for (int w = 0; w < f.length; w++, i++) {
                    v[i] = f[d] * f[h] * f[w];
                }
            }
        }
        return v;
    }

    /**
     * All three windows of kernel 3, stride 1, padding 1 over depth [1, 9, 2] pick 9. Its gradient
     * adds theirs in output order: ((0 + 1) + 1e8) − 1e8 = 0 in float (1e8 + 1 rounds to 1e8); in
     * the reverse order it would be 1.
     */
    @Test
    void backwardAddsTheWindowsOfAWinnerInOutputOrder() {
        Tensor x = volume(3, 1, 1, 1, 9, 2);
        PoolSpec spec = new PoolSpec(3, 1, 1, 1, 1, 1, 1, 0, 0, 1, 1, 1, false, 3);
        PoolResult r = reference.forward(PoolOp.max(spec), x);
        assertArrayEquals(new int[] {1, 1, 1}, r.indices().data());
        Tensor gy = new Tensor(r.values().shape(), new float[] {1f, 1e8f, -1e8f});
        Tensor dx = reference.backward(PoolOp.max(spec), gy, x, r.values(), r.indices());
        assertArrayEquals(new float[] {0f, 0f, 0f}, dx.data());
        Tensor small = new Tensor(r.values().shape(), new float[] {0.5f, 2f, 0.25f});
        assertArrayEquals(new float[] {0f, 2.75f, 0f}, reference.maxPool2dBackward(small, r.indices(), x.shape(), spec).data());
    }

    /** Adaptive windows over depth 3 to 2: [0, 2) and [1, 3); H and W whole. */
    @Test
    void adaptiveWindowsOverlapAlongDepth() {
        Tensor x = volume(3, 1, 2, 1, 4, 5, 2, 3, 5);
        PoolResult max = reference.adaptiveMaxPool3d(x, 2, 1, 1);
        assertArrayEquals(new float[] {5f, 5f}, max.values().data());
        assertArrayEquals(new int[] {2, 2}, max.indices().data(), "the tie between offsets 2 and 5 keeps 2");
        Tensor gy = new Tensor(max.values().shape(), new float[] {1f, 2f});
        assertArrayEquals(new float[] {0f, 0f, 3f, 0f, 0f, 0f},
                reference.backward(PoolOp.adaptiveMax3d(2, 1, 1), gy, x, max.values(), max.indices()).data());
        Compare.close(new float[] {3f, 3.75f}, reference.adaptiveAvgPool3d(x, 2, 1, 1).data(), "average");
        Tensor ones = new Tensor(max.values().shape(), new float[] {1f, 1f});
        Compare.close(new float[] {0.25f, 0.25f, 0.5f, 0.5f, 0.25f, 0.25f},
                reference.adaptiveAvgPool2dBackward(ones, x.shape()).data(), "average gradient");
        // Output larger than the input along depth: windows [0,1) [0,2) [1,2) [1,3) [2,3) of slice sums 5, 7, 8.
        Compare.close(new float[] {2.5f, 3f, 3.5f, 3.75f, 4f}, reference.adaptiveAvgPool3d(x, 5, 1, 1).data(), "five slices");
    }

    @Test
    void unpoolingWritesIntoAZeroVolumeAndKeepsTheLastDuplicate() {
        Shape pooled = Shape.of(1, 1, 1, 1, 2);
        Tensor values = new Tensor(pooled, new float[] {1f, 2f});
        PoolOp unpool = PoolOp.maxUnpool3d(2, 2, 2);
        Compare.bitEqual(new float[] {2f, 0, 0, 0, 0, 0, 0, 1f},
                reference.forward(unpool, values, new IndexTensor(pooled, new int[] {7, 0})).values().data(), "placed");
        Compare.bitEqual(new float[] {0, 0, 0, 2f, 0, 0, 0, 0},
                reference.forward(unpool, values, new IndexTensor(pooled, new int[] {3, 3})).values().data(), "duplicates");
        Tensor gy = volume(2, 2, 2, 0, 1, 2, 3, 4, 5, 6, 7);
        Compare.bitEqual(new float[] {7f, 0f},
                reference.backward(unpool, gy, values, null, new IndexTensor(pooled, new int[] {7, 0})).data(), "gradient");
        // Undoing a max pooling: each window's winner back in place, zeros elsewhere.
        Tensor x = volume(2, 2, 4, 1, 8, 2, 0, 3, 4, 5, 6, 7, 2, 9, 1, 0, 5, 3, 3);
        PoolSpec spec = PoolSpec.of3d(2);
        PoolResult r = reference.forward(PoolOp.max(spec), x);
        assertArrayEquals(new int[] {1, 10}, r.indices().data());
        Tensor back = reference.forward(PoolOp.maxUnpool(spec, r.values().shape()), r.values(), r.indices()).values();
        assertEquals(x.shape(), back.shape());
        Compare.bitEqual(new float[] {0, 8, 0, 0, 0, 0, 0, 0, 0, 0, 9, 0, 0, 0, 0, 0}, back.data(), "round trip");
    }

    /**
     * Input 2×3×4×4×4, kernel 2: output (n=1, c=2, d=1, h=0, w=1) is position 45; its window spans
     * d 2..3, h 0..1, w 2..3. Offset 2 is (d 0, h 0, w 2): inside the window's rows and columns but
     * not its depth slices.
     */
    @Test
    void anIndexOutsideItsWindowIsRejectedNamingItsDepth() {
        Shape in = Shape.of(2, 3, 4, 4, 4);
        float[] data = new float[(int) in.elementCount()];
        for (int i = 0; i < data.length; i++) {
            data[i] = (i * 37) % 101;
        }
        Tensor x = new Tensor(in, data);
        PoolSpec spec = PoolSpec.of3d(2);
        PoolResult r = reference.forward(PoolOp.max(spec), x);
        Tensor gy = new Tensor(r.values().shape(), new float[r.values().data().length]);
        int[] wrong = r.indices().data().clone();
        wrong[45] = 2;
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> reference.backward(PoolOp.max(spec), gy, x, r.values(), new IndexTensor(r.indices().shape(), wrong)));
        assertEquals("index should be inside its pooling window for an input plane of 4x4x4, but got index: 2 at output "
                + "(n=1, c=2, d=1, h=0, w=1)", e.getMessage());
        wrong[45] = 64;
        e = assertThrows(IllegalArgumentException.class,
                () -> reference.maxPool2dBackward(gy, new IndexTensor(r.indices().shape(), wrong), in, spec));
        assertEquals("index should be in [0, 64) for an input plane of 4x4x4, but got index: 64 at output (n=1, c=2, d=1, h=0, w=1)",
                e.getMessage());
        wrong[45] = 34; // (d 2, h 0, w 2): in the window
        reference.maxPool2dBackward(gy, new IndexTensor(r.indices().shape(), wrong), in, spec);
    }

    @Test
    void adaptiveAndUnpoolingIndicesAreCheckedInTheVolume() {
        Tensor x = volume(4, 2, 2, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16);
        PoolOp adaptive = PoolOp.adaptiveMax3d(2, 1, 1);
        PoolResult r = reference.forward(adaptive, x);
        assertArrayEquals(new int[] {7, 15}, r.indices().data());
        IndexTensor wrong = new IndexTensor(r.indices().shape(), new int[] {7, 0}); // depth slice 0 is not in [2, 4)
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> reference.backward(adaptive, r.values(), x, r.values(), wrong));
        assertEquals("index should be inside its adaptive pooling window for an input plane of 4x2x2, but got index: 0 at output "
                + "(n=0, c=0, d=1, h=0, w=0)", e.getMessage());

        Shape pooled = Shape.of(1, 1, 1, 1, 2);
        e = assertThrows(IllegalArgumentException.class, () -> reference.forward(PoolOp.maxUnpool3d(2, 2, 2),
                new Tensor(pooled, new float[] {1f, 2f}), new IndexTensor(pooled, new int[] {7, 8})));
        assertEquals("index should be in [0, 8) for an unpooled plane of 2x2x2, but got index: 8 at value (n=0, c=0, d=0, h=0, w=1)",
                e.getMessage());
    }

    @Test
    void aWindowOfTheOtherRankIsRejectedNamingTheShape() {
        Tensor fiveD = volume(2, 4, 4, new float[32]);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> reference.forward(PoolOp.max(PoolSpec.of(2)), fiveD));
        assertEquals("the input of a 2-D pooling should be 4-D (N, C, H, W), but got 5-D 1x1x2x4x4", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> reference.adaptiveAvgPool2d(fiveD, 2, 2));
        assertEquals("the input of a 2-D adaptive pooling should be 4-D (N, C, H, W), but got 5-D 1x1x2x4x4", e.getMessage());
        Tensor fourD = new Tensor(Shape.of(1, 1, 4, 4), new float[16]);
        e = assertThrows(IllegalArgumentException.class, () -> reference.avgPool2d(fourD, PoolSpec.of3d(2), AvgOptions.DEFAULT));
        assertEquals("the input of a 3-D pooling should be 5-D (N, C, D, H, W), but got 4-D 1x1x4x4", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> reference.adaptiveMaxPool3d(fourD, 1, 2, 2));
        assertEquals("the input of a 3-D adaptive pooling should be 5-D (N, C, D, H, W), but got 4-D 1x1x4x4", e.getMessage());
        // A 4-D gradient for a 5-D input: the gradient's rank decides the op's, and the input is named.
        Tensor gy = new Tensor(Shape.of(1, 1, 2, 2), new float[4]);
        e = assertThrows(IllegalArgumentException.class, () -> reference.adaptiveAvgPool2dBackward(gy, fiveD.shape()));
        assertEquals("the input of a 2-D adaptive pooling should be 4-D (N, C, H, W), but got 5-D 1x1x2x4x4", e.getMessage());
    }

    /**
     * LP pooling in 3-D (PyTorch's {@code lp_pool3d}: {@code (avg_pool3d(x^p) · kd·kh·kw)^(1/p)}):
     * kernel 2 in ceil mode over 2×2×3, so the second window holds the last column only, 4 of its
     * 8 taps, and its sum is scaled by 8/4. Backward: {@code dY · (K/n) · x / y} for p = 2.
     */
    @Test
    void lpPoolingScalesAPartialVolumeByItsMissingTaps() {
        // x[d][h][w]: window 0 (w 0, 1) squares to 7·1 + 9 = 16; window 1 (w 2) to 1 + 1 + 0 + 0 = 2.
        Tensor x = volume(2, 2, 3,
                1, 1, 1,
                1, 1, -1,
                1, 1, 0,
                3, 1, 0);
        PoolOp.Lp lp = PoolOp.lp(PoolSpec.of3d(2).withCeilMode(true), 2.0);
        Tensor y = reference.forward(lp, x).values();
        assertEquals(Shape.of(1, 1, 1, 1, 2), y.shape());
        assertArrayEquals(new float[] {4, 2}, y.data(), "sqrt(16 / 8 · 8), sqrt(2 / 4 · 8)");
        Tensor dy = new Tensor(y.shape(), new float[] {1, 1});
        assertArrayEquals(new float[] {
            0.25f, 0.25f, 1,
            0.25f, 0.25f, -1,
            0.25f, 0.25f, 0,
            0.75f, 0.25f, 0}, reference.backward(lp, dy, x, y, null).data(), "x / 4 in window 0, 2 · x / 2 in window 1");
        // Depth 1: the 2-D LP pooling of the plane.
        Tensor slab = volume(1, 2, 3, 1, 2, 3, 4, 5, 6);
        Tensor plane = new Tensor(Shape.of(1, 1, 2, 3), slab.data());
        Compare.bitEqual(reference.forward(PoolOp.lp(PoolSpec.of(2).withCeilMode(true), 3.0), plane).values().data(),
                reference.forward(PoolOp.lp(new PoolSpec(1, 2, 2, 1, 2, 2, 0, 0, 0, 1, 1, 1, true, 3), 3.0), slab).values().data(),
                "LP of a depth-1 volume");
    }

    /** Depth 1 is not 2-D, but a 3-D window of depth 1 on it computes what the 2-D window does on the plane. */
    @Test
    void depthOneVolumeMatchesThePlane() {
        float[] data = {3, -1, 2, 8, -7, 0, 5, 5, 1, -2, 4, 6};
        Tensor plane = new Tensor(Shape.of(1, 1, 3, 4), data);
        Tensor slab = volume(1, 3, 4, data);
        PoolSpec flat = PoolSpec.of(2).withStride(1).withPadding(1);
        PoolSpec deep = new PoolSpec(1, 2, 2, 1, 1, 1, 0, 1, 1, 1, 1, 1, false, 3);
        PoolResult a = reference.maxPool2d(plane, flat);
        PoolResult b = reference.maxPool2d(slab, deep);
        Compare.bitEqual(a.values().data(), b.values().data(), "max values");
        assertArrayEquals(a.indices().data(), b.indices().data());
        Compare.bitEqual(reference.avgPool2d(plane, flat, AvgOptions.DEFAULT).data(),
                reference.avgPool2d(slab, deep, AvgOptions.DEFAULT).data(), "average");
        Compare.bitEqual(reference.adaptiveAvgPool2d(plane, 2, 3).data(), reference.adaptiveAvgPool3d(slab, 1, 2, 3).data(),
                "adaptive average");
    }
}
