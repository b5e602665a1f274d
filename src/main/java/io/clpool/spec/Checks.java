package io.clpool.spec;

/**
 * The one place where validation messages are worded. Every message follows PyTorch's form,
 * "X should be Y, but got name: value", so a user can act on it without reading our code.
 */
public final class Checks {
    private Checks() {}

    /** Fails with {@code "<what> should be <expectation>, but got <got>"}. */
    public static IllegalArgumentException invalid(String what, String expectation, String got) {
        return new IllegalArgumentException(what + " should be " + expectation + ", but got " + got);
    }

    public static void requirePositive(String what, String name, long value) {
        if (value <= 0) {
            throw invalid(what, "greater than zero", name + ": " + value);
        }
    }

    public static void requirePositivePair(String what, String nameH, int valueH, String nameW, int valueW) {
        if (valueH <= 0 || valueW <= 0) {
            throw invalid(what, "greater than zero", nameH + ": " + valueH + ", " + nameW + ": " + valueW);
        }
    }

    /** Positive sizes, one per spatial axis: {@code names} and {@code values} in D, H, W order (or H, W). */
    public static void requirePositiveAxes(String what, String[] names, int... values) {
        requireAxes(what, "greater than zero", 1, names, values);
    }

    /** Non-negative sizes, one per spatial axis. */
    public static void requireNonNegativeAxes(String what, String[] names, int... values) {
        requireAxes(what, "non-negative", 0, names, values);
    }

    private static void requireAxes(String what, String expectation, int least, String[] names, int... values) {
        for (int value : values) {
            if (value < least) {
                StringBuilder got = new StringBuilder();
                for (int i = 0; i < values.length; i++) {
                    got.append(i == 0 ? "" : ", ").append(names[i]).append(": ").append(values[i]);
                }
                throw invalid(what, expectation, got.toString());
            }
        }
    }

    public static void requireNonNegativePair(String what, String nameH, int valueH, String nameW, int valueW) {
        if (valueH < 0 || valueW < 0) {
            throw invalid(what, "non-negative", nameH + ": " + valueH + ", " + nameW + ": " + valueW);
        }
    }

    /**
     * The largest plane (H·W elements) any op accepts: indices, and the device kernels' offsets
     * inside a plane, are int32 ({@code h·W + w}).
     */
    public static final long MAX_PLANE_ELEMENTS = Integer.MAX_VALUE;

    /**
     * Fails unless an H×W plane can be indexed in int32: {@code H·W ≤ 2^31 − 1}. {@code which}
     * names the plane ("input", "output", "unpooled output").
     */
    public static void requireIndexablePlane(String which, long h, long w) {
        requireIndexablePlane(which, 1, h, w, false);
    }

    /** As {@link #requireIndexablePlane(String, long, long)} for a plane of {@code d·h·w} (3-D when {@code volumetric}). */
    public static void requireIndexablePlane(String which, long d, long h, long w, boolean volumetric) {
        long elements = saturatingMultiply(saturatingMultiply(d, h), w);
        if (elements > MAX_PLANE_ELEMENTS) {
            throw invalid("the " + which + " plane", "at most " + MAX_PLANE_ELEMENTS
                    + " elements (indices are int32 offsets inside a plane)",
                    which + (volumetric ? " D x H x W: " + d + "x" : " H x W: ") + h + "x" + w + " = " + elements);
        }
    }

    /** Fails unless the plane of {@code shape} can be indexed in int32. */
    public static void requireIndexablePlane(String which, Shape shape) {
        requireIndexablePlane(which, shape.d(), shape.h(), shape.w(), shape.volumetric());
    }

    /**
     * {@code a·b} for non-negative sizes, or {@code Long.MAX_VALUE} where the product passes it:
     * for byte counts that are then compared with a limit (the device's maximum allocation), so
     * that an overflow reads as "too large" instead of wrapping to a small buffer. E.g. IM2COL's
     * column buffer, outputs × taps × 4 bytes, passes 2^63 for a 46339x46339 output of a
     * 46340x46340 window.
     */
    public static long saturatingMultiply(long a, long b) {
        return Math.multiplyHigh(a, b) != 0 || a * b < 0 ? Long.MAX_VALUE : a * b;
    }

    public static <T> T requireNonNull(T value, String name) {
        if (value == null) {
            throw new IllegalArgumentException(name + " should not be null");
        }
        return value;
    }

    /** Shapes of two tensors that must agree. */
    public static void requireShape(String name, Shape expected, Shape actual) {
        if (!expected.equals(actual)) {
            throw invalid(name + " shape", expected.toString(), actual.toString());
        }
    }
}
