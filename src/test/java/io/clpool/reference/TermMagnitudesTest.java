package io.clpool.reference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.clpool.IndexTensor;
import io.clpool.Tensor;
import io.clpool.Tolerance;
import io.clpool.spec.AvgOptions;
import io.clpool.spec.PoolSpec;
import io.clpool.spec.Shape;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Issue 10: the condition-aware tolerance of summed results, and PyTorch's exact LP powers. */
class TermMagnitudesTest {
    private final ReferencePooling reference = new ReferencePooling();

    private static Tensor plane(int h, int w, float... values) {
        return new Tensor(Shape.of(1, 1, h, w), values);
    }

    /** The H100's LP result for p = 1 on a 5x5 ceil-mode window: a sum of terms of about 1 that cancels. */
    @Test
    void cancellationIsJudgedByTheTermsNotTheResult() {
        float expected = 0.026238203f;
        float actual = 0.02623963f;
        assertFalse(Tolerance.close(expected, actual), "relative to the result it fails");
        assertTrue(Tolerance.close(expected, actual, 25f), "relative to 25 terms of about 1 it is rounding");
        assertFalse(Tolerance.close(expected, 0.0272f, 25f), "an error past the terms' rounding still fails");
    }

    /** float64: within two units in the last place of double at max(|expected|, magnitude); NaN and infinities as float32. */
    @Test
    void float64SumsAreJudgedInDoubleUnits() {
        io.clpool.spec.DType f64 = io.clpool.spec.DType.FLOAT64;
        assertTrue(Tolerance.close(1.0, 1 + 0x1p-51, 0, f64), "2 ulp at 1");
        assertFalse(Tolerance.close(1.0, 1 + 0x1p-51 + 0x1p-52, 0, f64), "3 ulp at 1");
        assertFalse(Tolerance.close(1.0, 1 + 1e-9, 0, f64), "far inside float32's tolerance, far outside double's");
        assertTrue(Tolerance.close(0.0, 0x1p-50, 4.0, f64), "cancellation: judged at the terms' magnitude 4 (ulp 2^-50)");
        assertFalse(Tolerance.close(0.0, 0x1p-48, 4.0, f64));
        assertTrue(Tolerance.close(Double.NaN, Double.NaN, 1, f64));
        assertFalse(Tolerance.close(Double.NaN, 1, 1, f64));
        assertFalse(Tolerance.close(1, Double.NaN, 1, f64));
        assertTrue(Tolerance.close(Double.NEGATIVE_INFINITY, Double.NEGATIVE_INFINITY, 0, f64));
        assertFalse(Tolerance.close(Double.POSITIVE_INFINITY, Double.MAX_VALUE, Double.POSITIVE_INFINITY, f64));
        assertTrue(Tolerance.close(0.0, Double.MIN_VALUE, 0, f64), "at 0: double's smallest subnormal step");
        assertTrue(Tolerance.close(1.0, 1.0000001, 0, io.clpool.spec.DType.FLOAT32), "other types: their own rule on the doubles");
        assertTrue(Tolerance.exact(Double.NaN, -Double.NaN));
        assertFalse(Tolerance.exact(0.0, -0.0));
    }

    @Test
    void theMagnitudeRuleIsNeverStricterAndKeepsTheNanAndInfinityRules() {
        assertTrue(Tolerance.close(100f, 100.0009f, 0f));
        assertTrue(Tolerance.close(100f, 100.0009f, 1f), "a magnitude below |expected| does not tighten");
        assertTrue(Tolerance.close(100f, 100.0009f, Float.NaN));
        assertTrue(Tolerance.close(Float.NaN, Float.NaN, 5f));
        assertFalse(Tolerance.close(Float.NaN, 1f, 5f));
        assertFalse(Tolerance.close(1f, Float.NaN, 5f));
        assertTrue(Tolerance.close(Float.POSITIVE_INFINITY, Float.POSITIVE_INFINITY, Float.POSITIVE_INFINITY));
        assertFalse(Tolerance.close(Float.POSITIVE_INFINITY, Float.MAX_VALUE, Float.POSITIVE_INFINITY));
        assertFalse(Tolerance.close(1f, Float.POSITIVE_INFINITY, 5f));
    }

    @Test
    void averageMagnitudeIsTheMeanOfAbsoluteValues() {
        Tensor x = plane(2, 3, 1, -1, 4, 2, -2, -8);
        // Window 0: (1 + 1 + 2 + 2) / 4; the ceil-mode window 1 divides by its 2 in-bounds taps.
        assertArrayEquals(new float[] {1.5f, 6f}, TermMagnitudes.avgPool2d(x, PoolSpec.of(2).withCeilMode(true), AvgOptions.DEFAULT));
        // Adaptive 1x2 over 3 columns: columns [0, 2) and [1, 3).
        assertArrayEquals(new float[] {1.5f, 15f / 4}, TermMagnitudes.adaptiveAvgPool2d(x, 1, 2));
    }

    @Test
    void lpMagnitudeReplacesTheSumByTheSumOfAbsolutePowers() {
        Tensor x = plane(2, 2, 1, -1, 2, -2);
        // p = 1: y = (K·S/n) = 0, the terms' magnitude is K·Σ|x|/n = 6.
        assertEquals(0f, reference.lpPool2d(x, PoolSpec.of(2), 1.0).data()[0]);
        assertArrayEquals(new float[] {6f}, TermMagnitudes.lpPool2d(x, PoolSpec.of(2), 1.0));
        // p = 2: no cancellation, the magnitude is the result.
        assertArrayEquals(reference.lpPool2d(x, PoolSpec.of(2), 2.0).data(), TermMagnitudes.lpPool2d(x, PoolSpec.of(2), 2.0));
        // A partial (ceil-mode) window is scaled by K/n in both.
        Tensor row = plane(1, 3, 1, -1, 3);
        PoolSpec ceil = PoolSpec.of(1, 2).withCeilMode(true);
        assertArrayEquals(new float[] {2f, 6f}, TermMagnitudes.lpPool2d(row, ceil, 1.0));
        assertArrayEquals(new float[] {0f, 6f}, reference.lpPool2d(row, ceil, 1.0).data());
    }

    @Test
    void backwardMagnitudesSumTheAbsoluteGradientTerms() {
        Tensor dy = plane(1, 2, 1f, -3f);
        // Max: both windows of a stride-1 1x2 kernel over 1x3 pick element 1.
        IndexTensor idx = new IndexTensor(Shape.of(1, 1, 1, 2), new int[] {1, 1});
        PoolSpec spec = PoolSpec.of(1, 2).withStride(1);
        assertArrayEquals(new float[] {0f, 4f, 0f}, TermMagnitudes.maxPool2dBackward(dy, idx, Shape.of(1, 1, 1, 3), spec));
        assertArrayEquals(new float[] {0f, 4f, 0f},
                TermMagnitudes.adaptiveMaxPool2dBackward(dy, idx, Shape.of(1, 1, 1, 3)));
        assertArrayEquals(new float[] {0.5f, 2f, 1.5f},
                TermMagnitudes.avgPool2dBackward(dy, Shape.of(1, 1, 1, 3), spec, AvgOptions.DEFAULT));
        assertArrayEquals(new float[] {0.5f, 2f, 1.5f}, TermMagnitudes.adaptiveAvgPool2dBackward(dy, Shape.of(1, 1, 1, 3)));
        // LP, p = 1: each window adds dY·1·1 to both taps (scaled mean ≠ 0).
        Tensor x = plane(1, 3, 1f, 2f, 4f);
        Tensor y = reference.lpPool2d(x, spec, 1.0);
        assertArrayEquals(new float[] {1f, 4f, 3f}, TermMagnitudes.lpPool2dBackward(dy, x, y, spec, 1.0));
        assertArrayEquals(new float[] {1f, -2f, -3f}, reference.lpPool2dBackward(dy, x, y, spec, 1.0).data());
    }

    /** Every summed result of the reference lies within its own magnitude (triangle inequality). */
    @Test
    void resultsNeverExceedTheirMagnitudes() {
        Random random = new Random(10);
        float[] data = new float[2 * 3 * 9 * 11];
        for (int i = 0; i < data.length; i++) {
            data[i] = random.nextFloat() * 4 - 2;
        }
        Tensor x = new Tensor(Shape.of(2, 3, 9, 11), data);
        PoolSpec spec = PoolSpec.of(3).withStride(2).withPadding(1).withCeilMode(true);
        within(reference.avgPool2d(x, spec, AvgOptions.DEFAULT).data(), TermMagnitudes.avgPool2d(x, spec, AvgOptions.DEFAULT));
        within(reference.lpPool2d(x, PoolSpec.of(3).withStride(2).withCeilMode(true), 1.0).data(),
                TermMagnitudes.lpPool2d(x, PoolSpec.of(3).withStride(2).withCeilMode(true), 1.0));
        within(reference.adaptiveAvgPool2d(x, 4, 5).data(), TermMagnitudes.adaptiveAvgPool2d(x, 4, 5));
        Tensor v = new Tensor(Shape.of(2, 3, 3, 9, 11), new float[3 * data.length]);
        for (int i = 0; i < v.data().length; i++) {
            v.data()[i] = random.nextFloat() * 4 - 2;
        }
        PoolSpec cube = PoolSpec.of3d(3).withStride(2).withPadding(1).withCeilMode(true);
        within(reference.avgPool2d(v, cube, AvgOptions.DEFAULT).data(), TermMagnitudes.avgPool2d(v, cube, AvgOptions.DEFAULT));
        within(reference.adaptiveAvgPool3d(v, 2, 4, 5).data(), TermMagnitudes.adaptiveAvgPool3d(v, 2, 4, 5));
    }

    /**
     * 3-D: the same rules over a volume, with the divisor of §3 (the product of the clipped
     * extents). x = [1, -1, 2, -2] along D×W of 2×1×2.
     */
    @Test
    void volumetricMagnitudesUseTheVolumesWindowsAndDivisors() {
        Tensor x = new Tensor(Shape.of(1, 1, 2, 1, 2), new float[] {1, -1, 2, -2});
        PoolSpec whole = PoolSpec.of3d(2, 1, 2);
        assertArrayEquals(new float[] {0f}, reference.avgPool2d(x, whole, AvgOptions.DEFAULT).data());
        assertArrayEquals(new float[] {1.5f}, TermMagnitudes.avgPool2d(x, whole, AvgOptions.DEFAULT));
        assertArrayEquals(new float[] {1.5f}, TermMagnitudes.adaptiveAvgPool3d(x, 1, 1, 1));
        assertArrayEquals(new float[] {1.5f}, TermMagnitudes.forward(io.clpool.PoolOp.adaptiveAvg3d(1, 1, 1), x));
        // Padding 1 along D with stride 2: windows [-1, 1) and [1, 3) clipped to i + p = 3, each of
        // 2 x 1 x 2 = 4 counted taps of which 2 are inputs.
        PoolSpec padded = PoolSpec.of3d(2, 1, 2).withPadding(1, 0, 0);
        assertArrayEquals(new float[] {0.5f, 1f}, TermMagnitudes.avgPool2d(x, padded, AvgOptions.DEFAULT));
        assertArrayEquals(new float[] {1f, 2f}, TermMagnitudes.avgPool2d(x, padded, new AvgOptions(false, 0)));
        Tensor dy = new Tensor(Shape.of(1, 1, 2, 1, 1), new float[] {-2f, 4f});
        assertArrayEquals(new float[] {0.5f, 0.5f, 1f, 1f}, TermMagnitudes.avgPool2dBackward(dy, x.shape(), padded, AvgOptions.DEFAULT));
        assertArrayEquals(new float[] {1f, 1f, 2f, 2f}, TermMagnitudes.adaptiveAvgPool2dBackward(dy, x.shape()),
                "adaptive to 2 x 1 x 1: one depth slice of 2 taps per window");
        // Max: one window per depth slice, won by offsets 0 and 2.
        IndexTensor idx = new IndexTensor(dy.shape(), new int[] {0, 2});
        assertArrayEquals(new float[] {2f, 0f, 4f, 0f}, TermMagnitudes.maxPool2dBackward(dy, idx, x.shape(), PoolSpec.of3d(1, 1, 2)));
        assertArrayEquals(new float[] {2f, 0f, 4f, 0f}, TermMagnitudes.adaptiveMaxPool2dBackward(dy, idx, x.shape()));
    }

    private static void within(float[] values, float[] magnitudes) {
        assertEquals(values.length, magnitudes.length);
        for (int i = 0; i < values.length; i++) {
            assertTrue(Math.abs(values[i]) <= magnitudes[i] * (1 + 1e-6f), i + ": " + values[i] + " > " + magnitudes[i]);
        }
    }

    /**
     * PyTorch's pow special-cases these exponents; LP pooling with p = 1 and 2 sums x and x·x
     * exactly, and p = 2's backward takes 1/sqrt.
     */
    @Test
    void integralPowersAreExact() {
        float x = 1.1f;
        assertEquals(x, ReferencePooling.lpPower(x, 1f));
        assertEquals(x * x, ReferencePooling.lpPower(x, 2f));
        assertEquals(x * x * x, ReferencePooling.lpPower(x, 3f));
        assertEquals((float) Math.sqrt(x), ReferencePooling.lpPower(x, 0.5f));
        // rsqrt, reciprocal and the inverse square, as PyTorch's pow kernels special-case them
        assertEquals(1f / (float) Math.sqrt(x), ReferencePooling.lpPower(x, -0.5f));
        assertEquals(1f / x, ReferencePooling.lpPower(x, -1f));
        assertEquals(1f / (x * x), ReferencePooling.lpPower(x, -2f));
        assertEquals(1.0 / Math.sqrt(1.1), ReferencePooling.lpPower(1.1, -0.5));
        assertEquals(Float.POSITIVE_INFINITY, ReferencePooling.lpPower(0f, -0.5f));
        assertEquals(1f, ReferencePooling.lpPower(Float.NaN, 0f));
        assertEquals(-2f, ReferencePooling.lpPower(-2f, 1f));
        assertEquals((float) Math.pow(x, 1.5), ReferencePooling.lpPower(x, 1.5f));
        Tensor in = plane(2, 2, 0.1f, 0.2f, 0.3f, 0.7f);
        float mean = (((0f + 0.1f * 0.1f) + 0.2f * 0.2f) + 0.3f * 0.3f + 0.7f * 0.7f) / 4f;
        assertEquals((float) Math.sqrt(mean * 4f), reference.lpPool2d(in, PoolSpec.of(2), 2.0).data()[0]);
    }
}
