package io.clpool.cli;

import io.clpool.Tolerance;
import io.clpool.spec.DType;
import java.util.Locale;

/**
 * Whole-array comparisons under {@link Tolerance}'s rule, for the CLI's reports: each method
 * returns null when equal, else what differs first.
 */
final class Comparison {
    private Comparison() {}

    static String exact(float[] expected, float[] actual, String what) {
        if (expected.length != actual.length) {
            return what + ": " + actual.length + " elements, expected " + expected.length;
        }
        for (int i = 0; i < expected.length; i++) {
            if (!Tolerance.exact(expected[i], actual[i])) {
                return what + ": element " + i + " is " + actual[i] + ", expected " + expected[i] + " (bit for bit)";
            }
        }
        return null;
    }

    /** Values of any type bit for bit (any NaN equals any NaN): float64 as doubles. */
    static String exact(io.clpool.Tensor expected, io.clpool.Tensor actual, String what) {
        if (expected.dtype() != DType.FLOAT64 || actual.dtype() != DType.FLOAT64) {
            return exact(expected.data(), actual.data(), what);
        }
        double[] e = expected.doubles();
        double[] a = actual.doubles();
        if (e.length != a.length) {
            return what + ": " + a.length + " elements, expected " + e.length;
        }
        for (int i = 0; i < e.length; i++) {
            if (!Tolerance.exact(e[i], a[i])) {
                return what + ": element " + i + " is " + a[i] + ", expected " + e[i] + " (bit for bit)";
            }
        }
        return null;
    }

    /**
     * Sums of any type under {@link Tolerance}'s rule for it at {@code magnitudes}: float64 within
     * 2 units in the last place of double ({@code throughPow}, LP: {@link Tolerance#FLOAT64_POW_ULPS}).
     */
    static String close(io.clpool.Tensor expected, io.clpool.Tensor actual, float[] magnitudes, String what, boolean throughPow) {
        if (expected.dtype() != DType.FLOAT64 || actual.dtype() != DType.FLOAT64) {
            return close(expected.data(), actual.data(), magnitudes, what, expected.dtype());
        }
        double[] e = expected.doubles();
        double[] a = actual.doubles();
        if (e.length != a.length) {
            return what + ": " + a.length + " elements, expected " + e.length;
        }
        if (magnitudes.length != e.length) {
            return what + ": " + magnitudes.length + " magnitudes for " + e.length + " elements";
        }
        for (int i = 0; i < e.length; i++) {
            boolean close = throughPow ? Tolerance.closeThroughPow(e[i], a[i], magnitudes[i], DType.FLOAT64)
                    : Tolerance.close(e[i], a[i], magnitudes[i], DType.FLOAT64);
            if (!close) {
                return String.format(Locale.ROOT, "%s: element %d is %s, expected %s (tolerance %d units in the last place of "
                        + "float64 at magnitude %s)", what, i, a[i], e[i], throughPow ? Tolerance.FLOAT64_POW_ULPS : 2,
                        Math.max(Math.abs(e[i]), magnitudes[i]));
            }
        }
        return null;
    }

    static String exact(int[] expected, int[] actual, String what) {
        if (expected.length != actual.length) {
            return what + ": " + actual.length + " elements, expected " + expected.length;
        }
        for (int i = 0; i < expected.length; i++) {
            if (expected[i] != actual[i]) {
                return what + ": element " + i + " is " + actual[i] + ", expected " + expected[i];
            }
        }
        return null;
    }

    static String close(float[] expected, float[] actual, String what) {
        if (expected.length != actual.length) {
            return what + ": " + actual.length + " elements, expected " + expected.length;
        }
        for (int i = 0; i < expected.length; i++) {
            float e = expected[i];
            float a = actual[i];
            if (!Tolerance.close(e, a)) {
                return String.format(Locale.ROOT, "%s: element %d is %s, expected %s (tolerance 1e-5 relative, 1e-6 absolute)",
                        what, i, a, e);
            }
        }
        return null;
    }

    /**
     * The condition-aware form of {@link #close(float[], float[], String)}: element i within
     * 1e-6 + 1e-5·max(|expected|, magnitudes[i]), magnitudes from
     * {@link io.clpool.reference.TermMagnitudes} (the sum of |term| that formed the element).
     */
    static String close(float[] expected, float[] actual, float[] magnitudes, String what) {
        return close(expected, actual, magnitudes, what, DType.FLOAT32);
    }

    /**
     * As {@link #close(float[], float[], float[], String)} for results stored in {@code type}: float16
     * and bfloat16 within two units in the last place of the type at that scale
     * ({@link Tolerance#close(float, float, float, DType)}).
     */
    static String close(float[] expected, float[] actual, float[] magnitudes, String what, DType type) {
        if (expected.length != actual.length) {
            return what + ": " + actual.length + " elements, expected " + expected.length;
        }
        if (magnitudes.length != expected.length) {
            return what + ": " + magnitudes.length + " magnitudes for " + expected.length + " elements";
        }
        for (int i = 0; i < expected.length; i++) {
            float e = expected[i];
            float a = actual[i];
            if (!Tolerance.close(e, a, magnitudes[i], type)) {
                String tolerance = type == DType.FLOAT32 ? "1e-5 relative to magnitude %s, 1e-6 absolute"
                        : "2 units in the last place of " + type.label() + " at magnitude %s";
                return String.format(Locale.ROOT, "%s: element %d is %s, expected %s (tolerance " + tolerance + ")",
                        what, i, a, e, Math.max(Math.abs(e), magnitudes[i]));
            }
        }
        return null;
    }

    /** A forward against the reference: values as the op's rule says, then indices bit for bit. */
    static String forward(PoolingRequest request, io.clpool.Tensor input, PoolingRequest.Forward expected,
                          PoolingRequest.Forward actual) {
        io.clpool.Tensor want = expected.values();
        io.clpool.Tensor got = actual.values();
        if (!want.shape().equals(got.shape()) || want.dtype() != got.dtype()) {
            return "forward values: " + got.dtype().label() + " " + got.shape() + ", expected " + want.dtype().label() + " " + want.shape();
        }
        float[] magnitudes = io.clpool.reference.TermMagnitudes.forward(request.op(), input);
        String problem = magnitudes == null
                ? exact(expected.values(), actual.values(), "forward values")
                : close(expected.values(), actual.values(), magnitudes, "forward values", request.op() instanceof io.clpool.PoolOp.Lp);
        if (problem == null && request.op().hasIndices()) {
            problem = exact(expected.indices().data(), actual.indices().data(), "forward indices");
        }
        return problem;
    }

    /**
     * A gradient against the reference: a sum over windows, so within the tolerance scaled by its
     * terms' magnitudes ({@code gradOutput}, {@code input} and the reference's forward give them).
     */
    static String gradient(PoolingRequest request, io.clpool.Tensor gradOutput, io.clpool.Tensor input,
                           PoolingRequest.Forward forward, float[] expected, float[] actual) {
        io.clpool.IndexTensor indices = request.op().hasIndices() ? forward.indices() : null;
        float[] magnitudes = io.clpool.reference.TermMagnitudes.backward(request.op(), gradOutput, input, forward.values(), indices);
        return magnitudes == null ? exact(expected, actual, "backward") : close(expected, actual, magnitudes, "backward", input.dtype());
    }

    /** As {@link #gradient(PoolingRequest, io.clpool.Tensor, io.clpool.Tensor, PoolingRequest.Forward, float[], float[])} for gradients of any type. */
    static String gradient(PoolingRequest request, io.clpool.Tensor gradOutput, io.clpool.Tensor input,
                           PoolingRequest.Forward forward, io.clpool.Tensor expected, io.clpool.Tensor actual) {
        io.clpool.IndexTensor indices = request.op().hasIndices() ? forward.indices() : null;
        float[] magnitudes = io.clpool.reference.TermMagnitudes.backward(request.op(), gradOutput, input, forward.values(), indices);
        return magnitudes == null ? exact(expected, actual, "backward")
                : close(expected, actual, magnitudes, "backward", request.op() instanceof io.clpool.PoolOp.Lp);
    }
}
