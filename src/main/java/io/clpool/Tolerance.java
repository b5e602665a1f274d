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
 *
 * <p>The half types and float64 are judged in units in the last place of their type
 * ({@link #close(float, float, float, io.clpool.spec.DType)}, {@link #close(double, double, double, io.clpool.spec.DType)}).
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
        return close(expected, actual, magnitude, io.clpool.spec.DType.FLOAT32);
    }

    /**
     * The rule for a summed result stored in {@code type}: float32 as {@link #close(float, float, float)};
     * float16 and bfloat16 within two units in the last place of the type at the scale
     * max(|expected|, magnitude) (both sides computed in float32 and rounded once to the type, so
     * a different summation order can flip a rounding). NaN and infinities as there.
     */
    public static boolean close(float expected, float actual, float magnitude, io.clpool.spec.DType type) {
        return type == io.clpool.spec.DType.FLOAT32 ? closeFloat32(expected, actual, magnitude)
                : withinUlps(expected, actual, magnitude, type, 2);
    }

    /** Equal bit for bit, except that any NaN equals any NaN (float64). */
    public static boolean exact(double expected, double actual) {
        return Double.doubleToLongBits(expected) == Double.doubleToLongBits(actual);
    }

    /**
     * The rule for a summed float64 result (or any type, given doubles): float64 within two units
     * in the last place of double at max(|expected|, magnitude), as the half types are in theirs
     * (both sides computed in double and rounded once); NaN matches NaN and infinities must match.
     * Other types: {@link #close(float, float, float, io.clpool.spec.DType)} on the values as floats.
     */
    public static boolean close(double expected, double actual, double magnitude, io.clpool.spec.DType type) {
        return closeWithinUlps(expected, actual, magnitude, type, 2);
    }

    /**
     * OpenCL bounds double {@code pow} at 16 units in the last place (OpenCL C 1.2 §7.4; Java's
     * {@code Math.pow} is within 1), so a float64 LP result, which passes through {@code pow},
     * may differ from the reference by the device's pow error as well as by rounding.
     */
    public static final int FLOAT64_POW_ULPS = 16;

    /**
     * A float64 LP result ({@link #FLOAT64_POW_ULPS}: within 16 units in the last place of double
     * at max(|expected|, magnitude)); other types as {@link #close(double, double, double, io.clpool.spec.DType)}.
     */
    public static boolean closeThroughPow(double expected, double actual, double magnitude, io.clpool.spec.DType type) {
        return closeWithinUlps(expected, actual, magnitude, type, FLOAT64_POW_ULPS);
    }

    private static boolean closeWithinUlps(double expected, double actual, double magnitude, io.clpool.spec.DType type, int ulps) {
        if (type != io.clpool.spec.DType.FLOAT64) {
            return close((float) expected, (float) actual, (float) magnitude, type);
        }
        return withinUlps(expected, actual, magnitude, type, ulps);
    }

    /**
     * Within {@code ulps} units in the last place of {@code type} at max(|expected|, magnitude):
     * the rule of every type but float32, in one place. NaN matches NaN; infinities must match.
     */
    private static boolean withinUlps(double expected, double actual, double magnitude, io.clpool.spec.DType type, int ulps) {
        if (Double.isNaN(expected)) {
            return Double.isNaN(actual);
        }
        if (Double.isInfinite(expected)) {
            return expected == actual;
        }
        double scale = Math.max(Math.abs(expected), magnitude > 0 ? magnitude : 0);
        return Math.abs(actual - expected) <= ulps * unitInLastPlace(scale, type);
    }

    /** One unit in the last place of {@code type} at {@code scale} (its smallest subnormal step at 0). */
    static double unitInLastPlace(double scale, io.clpool.spec.DType type) {
        int mantissaBits = switch (type) {
            case FLOAT16 -> 10;
            case BFLOAT16 -> 7;
            case FLOAT32 -> 23;
            case FLOAT64 -> 52;
        };
        int minExponent = type == io.clpool.spec.DType.FLOAT16 ? -14 : type == io.clpool.spec.DType.FLOAT64 ? -1022 : -126;
        int exponent = scale == 0 ? minExponent : Math.max(Math.getExponent(scale), minExponent);
        return Math.scalb(1.0, exponent - mantissaBits);
    }

    private static boolean closeFloat32(float expected, float actual, float magnitude) {
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
