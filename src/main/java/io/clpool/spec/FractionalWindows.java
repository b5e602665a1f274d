package io.clpool.spec;

/**
 * Window placement of fractional max pooling, PyTorch's {@code generate_intervals}
 * ({@code aten/src/ATen/native/FractionalMaxPooling.h}; the CUDA kernel's {@code get_interval} is
 * the same rule) in float32, the scalar type of a float32 input:
 * {@code alpha = float(in − k) / float(out − 1)}; window {@code o < out − 1} starts at
 * {@code int((o + u)·alpha) − int(u·alpha)} (o converted to float, each operation rounded to
 * float, {@code int} truncating), and the last window at {@code in − k}. With one output, its
 * window is the last. The device kernels ({@code kernels/fractional.cl}) compute the same: alpha
 * comes from here (an OpenCL division need not be correctly rounded), the rest is one addition and
 * one multiplication, each rounded, FP_CONTRACT off.
 *
 * <p>A float64 input places its windows in double ({@link #alpha(int, int, int, DType)},
 * {@link #start(int, double, double, int, int, int, DType)}): PyTorch's sample is the tensor's
 * type and alpha its accumulation type, both double there. clpool's samples are float32 values,
 * widened exactly.
 */
public final class FractionalWindows {
    private FractionalWindows() {}

    /** {@code alpha} for an axis of {@code in} inputs, {@code out} outputs and kernel {@code k}; 0 when out is 1 (unused). */
    public static float alpha(int in, int out, int k) {
        return out > 1 ? (float) (in - k) / (float) (out - 1) : 0f;
    }

    /** {@code alpha} for inputs stored in {@code type}: in double for float64, else {@link #alpha(int, int, int)} widened. */
    public static double alpha(int in, int out, int k, DType type) {
        if (type != DType.FLOAT64) {
            return alpha(in, out, k);
        }
        return out > 1 ? (double) (in - k) / (double) (out - 1) : 0.0;
    }

    /** The first input row (column) of window {@code o} for inputs stored in {@code type}: in double for float64. */
    public static int start(int o, double u, double alpha, int in, int out, int k, DType type) {
        if (type != DType.FLOAT64) {
            return start(o, (float) u, (float) alpha, in, out, k);
        }
        if (o == out - 1) {
            return in - k;
        }
        return (int) ((o + u) * alpha) - (int) (u * alpha);
    }

    /** The first input row (column) of window {@code o}, with sample {@code u}. */
    public static int start(int o, float u, float alpha, int in, int out, int k) {
        if (o == out - 1) {
            return in - k;
        }
        return (int) ((o + u) * alpha) - (int) (u * alpha);
    }

    /**
     * Validates the geometry on an input of {@code in} along one axis: kernel and output positive
     * (by the op), {@code out + k − 1 ≤ in} (PyTorch's check).
     */
    public static void requireFits(String axis, int in, int out, int k) {
        requireFits(axis, in, out, k, false);
    }

    /**
     * As {@link #requireFits(String, int, int, int)}, or with {@code strict} PyTorch's 3-D check
     * {@code out + k − 1 < in} ({@code FractionalMaxPool3d.cpp}: {@code outputT + poolSizeT - 1 < inputT},
     * likewise H and W).
     */
    public static void requireFits(String axis, int in, int out, int k, boolean strict) {
        if ((long) out + k - 1 > in || (strict && (long) out + k - 1 == in)) {
            throw Checks.invalid("fractional max pooling output " + axis + " + kernel " + axis + " - 1",
                    (strict ? "less than" : "at most") + " the input " + axis + " " + in, "output " + out + ", kernel " + k);
        }
    }

    /**
     * Checks that every window of one axis lies inside the input for sample {@code u}: starts are
     * non-decreasing in o (each step of the float computation is monotone), so the window before
     * the last is the one to check. Holds for every sample in [0, 1) unless the axis is longer
     * than float's integers (about 2^23); never let a window leave the input.
     */
    public static void requireInside(String axis, int in, int out, int k, float u, long plane) {
        if (out < 2) {
            return;
        }
        int start = start(out - 2, u, alpha(in, out, k), in, out, k);
        if (start < 0 || start > in - k) {
            throw Checks.invalid("every fractional max pooling window", "inside the input",
                    "window " + (out - 2) + " of the " + axis + " axis of plane " + plane + " starting at " + start
                            + " with sample " + u + " (input " + axis + " " + in + ", kernel " + k + ")");
        }
    }
}
