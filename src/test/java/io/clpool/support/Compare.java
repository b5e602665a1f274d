package io.clpool.support;

import static org.junit.jupiter.api.Assertions.fail;

import io.clpool.Tolerance;

/** Assertions under {@link Tolerance}'s rule: bit for bit for max/min, 1e-5 rel / 1e-6 abs for sums. */
public final class Compare {
    private Compare() {}

    /** Equal bit for bit, except that any NaN equals any NaN. */
    public static void bitEqual(float[] expected, float[] actual, String what) {
        sameLength(expected.length, actual.length, what);
        for (int i = 0; i < expected.length; i++) {
            if (!Tolerance.exact(expected[i], actual[i])) {
                fail(what + ": element " + i + " expected " + expected[i] + " but was " + actual[i]);
            }
        }
    }

    public static void bitEqual(int[] expected, int[] actual, String what) {
        sameLength(expected.length, actual.length, what);
        for (int i = 0; i < expected.length; i++) {
            if (expected[i] != actual[i]) {
                fail(what + ": index " + i + " expected " + expected[i] + " but was " + actual[i]);
            }
        }
    }

    /** |actual − expected| ≤ 1e-6 + 1e-5·|expected|; NaN matches NaN, infinities must match. */
    public static void close(float[] expected, float[] actual, String what) {
        sameLength(expected.length, actual.length, what);
        for (int i = 0; i < expected.length; i++) {
            float e = expected[i];
            float a = actual[i];
            if (!Tolerance.close(e, a)) {
                fail(what + ": element " + i + " expected " + e + " but was " + a + " (tolerance 1e-5 rel / 1e-6 abs)");
            }
        }
    }

    /**
     * {@link Tolerance#close(float, float, float)} per element: the allowed error scales with
     * {@code magnitudes[i]}, the sum of |term| that formed element i (from
     * {@code io.clpool.reference.TermMagnitudes}), so a sum that cancels is judged by its terms.
     */
    public static void close(float[] expected, float[] actual, float[] magnitudes, String what) {
        close(expected, actual, magnitudes, what, io.clpool.spec.DType.FLOAT32);
    }

    /** As {@link #close(float[], float[], float[], String)} for values stored in {@code type} ({@link Tolerance}'s rule per type). */
    public static void close(float[] expected, float[] actual, float[] magnitudes, String what, io.clpool.spec.DType type) {
        sameLength(expected.length, actual.length, what);
        sameLength(expected.length, magnitudes.length, what + " (magnitudes)");
        for (int i = 0; i < expected.length; i++) {
            float e = expected[i];
            float a = actual[i];
            if (!Tolerance.close(e, a, magnitudes[i], type)) {
                fail(what + ": element " + i + " expected " + e + " but was " + a + " (" + type.label() + " tolerance at magnitude "
                        + Math.max(Math.abs(e), magnitudes[i]) + ")");
            }
        }
    }

    /** Values of any type equal bit for bit (any NaN equals any NaN): float64 as doubles, the others as floats. */
    public static void bitEqual(io.clpool.Tensor expected, io.clpool.Tensor actual, String what) {
        if (expected.dtype() != actual.dtype()) {
            fail(what + ": type " + actual.dtype().label() + ", expected " + expected.dtype().label());
        }
        if (expected.dtype() != io.clpool.spec.DType.FLOAT64) {
            bitEqual(expected.data(), actual.data(), what);
            return;
        }
        double[] e = expected.doubles();
        double[] a = actual.doubles();
        sameLength(e.length, a.length, what);
        for (int i = 0; i < e.length; i++) {
            if (!Tolerance.exact(e[i], a[i])) {
                fail(what + ": element " + i + " expected " + e[i] + " but was " + a[i]);
            }
        }
    }

    /** Sums of any type within {@link Tolerance}'s rule for the type at {@code magnitudes}. */
    public static void close(io.clpool.Tensor expected, io.clpool.Tensor actual, float[] magnitudes, String what) {
        close(expected, actual, magnitudes, what, false);
    }

    /**
     * As {@link #close(io.clpool.Tensor, io.clpool.Tensor, float[], String)}; {@code throughPow}: the
     * values passed through pow (LP), judged by {@link Tolerance#closeThroughPow} in float64.
     */
    public static void close(io.clpool.Tensor expected, io.clpool.Tensor actual, float[] magnitudes, String what, boolean throughPow) {
        io.clpool.spec.DType type = expected.dtype();
        if (actual.dtype() != type) {
            fail(what + ": type " + actual.dtype().label() + ", expected " + type.label());
        }
        if (type != io.clpool.spec.DType.FLOAT64) {
            close(expected.data(), actual.data(), magnitudes, what, type);
            return;
        }
        double[] e = expected.doubles();
        double[] a = actual.doubles();
        sameLength(e.length, a.length, what);
        sameLength(e.length, magnitudes.length, what + " (magnitudes)");
        for (int i = 0; i < e.length; i++) {
            boolean close = throughPow ? Tolerance.closeThroughPow(e[i], a[i], magnitudes[i], type)
                    : Tolerance.close(e[i], a[i], magnitudes[i], type);
            if (!close) {
                fail(what + ": element " + i + " expected " + e[i] + " but was " + a[i] + " (float64 tolerance at magnitude "
                        + Math.max(Math.abs(e[i]), magnitudes[i]) + ")");
            }
        }
    }

    private static void sameLength(int expected, int actual, String what) {
        if (expected != actual) {
            fail(what + ": length " + actual + ", expected " + expected);
        }
    }
}
