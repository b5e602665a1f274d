package io.clpool;

/**
 * The project's one rule for "equals the reference": selections (max/min values, indices,
 * unpooling) bit for bit, with any NaN equal to any NaN; sums within 1e-5 relative / 1e-6
 * absolute, NaN matching NaN and infinities matching exactly. The CLI's {@code check} and
 * {@code demo} and the test suite all judge with it.
 *
 * <p>A sum's rounding error scales with its terms, not with its result: a sum of terms of about 1
 * that cancels to 0.026 may differ between devices (another summation order) by far more than
 * 1e-5 of 0.026. {@link #close(float, float, float)} therefore scales the relative part by the
 * result's <em>magnitude</em>, the sum of the absolute values of the terms that formed it, on the
 * result's scale ({@code io.clpool.reference.TermMagnitudes} computes it per op).
 */
public final class Tolerance {
    public static final double RELATIVE = 1e-5;
    public static final double ABSOLUTE = 1e-6;

    private Tolerance() {}

    /** Equal bit for bit, except that any NaN equals any NaN. */
    public static boolean exact(float expected, float actual) {
        return Float.floatToIntBits(expected) == Float.floatToIntBits(actual);
    }

    /** |actual − expected| ≤ 1e-6 + 1e-5·|expected|; NaN matches NaN, infinities must match. */
    public static boolean close(float expected, float actual) {
        return close(expected, actual, 0f);
    }

    /**
     * The condition-aware rule for a summed result: |actual − expected| ≤ 1e-6 + 1e-5·m, where
     * m = max(|expected|, magnitude) and {@code magnitude} is the sum of the absolute values of the
     * terms that formed the value (so never stricter than {@link #close(float, float)}). NaN
     * matches NaN and infinities must match, as there; a magnitude that is NaN counts as none.
     */
    public static boolean close(float expected, float actual, float magnitude) {
        if (Float.isNaN(expected)) {
            return Float.isNaN(actual);
        }
        if (Float.isInfinite(expected)) {
            return expected == actual;
        }
        double scale = Math.abs((double) expected);
        if (magnitude > scale) {
            scale = magnitude; // false for NaN
        }
        return Math.abs((double) actual - expected) <= ABSOLUTE + RELATIVE * scale;
    }
}
