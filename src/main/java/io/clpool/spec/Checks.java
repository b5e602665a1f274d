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

    public static void requireNonNegativePair(String what, String nameH, int valueH, String nameW, int valueW) {
        if (valueH < 0 || valueW < 0) {
            throw invalid(what, "non-negative", nameH + ": " + valueH + ", " + nameW + ": " + valueW);
        }
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
