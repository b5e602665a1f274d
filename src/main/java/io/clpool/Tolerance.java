package io.clpool;

/**
 * The project's one rule for "equals the reference": selections (max/min values, indices,
 * unpooling) bit for bit, with any NaN equal to any NaN; sums within 1e-5 relative / 1e-6
 * absolute, NaN matching NaN and infinities matching exactly. The CLI's {@code check} and
 * {@code demo} and the test suite all judge with it.
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
        return Float.isNaN(expected) ? Float.isNaN(actual)
                : Float.isInfinite(expected) ? expected == actual
                : Math.abs((double) actual - expected) <= ABSOLUTE + RELATIVE * Math.abs((double) expected);
    }
}
