package io.clpool.spec;

/**
 * An immutable, validated description of a fixed-window 2-D pooling: kernel, stride, padding,
 * dilation and ceil mode, each per axis. Construction fails with a message that names the bad
 * values; a constructed spec is always legal, though an input can still be too small for it
 * (see {@link #outputShape(Shape)}).
 */
public record PoolSpec(int kernelH, int kernelW, int strideH, int strideW, int padH, int padW,
                       int dilationH, int dilationW, boolean ceilMode) {

    public PoolSpec {
        Checks.requirePositivePair("kernel size", "kernelH", kernelH, "kernelW", kernelW);
        Checks.requirePositivePair("stride", "strideH", strideH, "strideW", strideW);
        Checks.requirePositivePair("dilation", "dilationH", dilationH, "dilationW", dilationW);
        Checks.requireNonNegativePair("padding", "padH", padH, "padW", padW);
        if (padH > kernelH / 2 || padW > kernelW / 2) {
            String got = padH > kernelH / 2 ? "padH=" + padH + ", kernelH=" + kernelH : "padW=" + padW + ", kernelW=" + kernelW;
            throw new IllegalArgumentException("pad should be at most half of kernel size, but got " + got);
        }
    }

    /** A square kernel with stride equal to the kernel, no padding, no dilation. */
    public static PoolSpec of(int kernel) {
        return of(kernel, kernel);
    }

    /** A kernel of kernelH×kernelW with stride equal to the kernel, no padding, no dilation. */
    public static PoolSpec of(int kernelH, int kernelW) {
        return new PoolSpec(kernelH, kernelW, kernelH, kernelW, 0, 0, 1, 1, false);
    }

    public PoolSpec withStride(int stride) {
        return withStride(stride, stride);
    }

    public PoolSpec withStride(int sH, int sW) {
        return new PoolSpec(kernelH, kernelW, sH, sW, padH, padW, dilationH, dilationW, ceilMode);
    }

    public PoolSpec withPadding(int pad) {
        return withPadding(pad, pad);
    }

    public PoolSpec withPadding(int pH, int pW) {
        return new PoolSpec(kernelH, kernelW, strideH, strideW, pH, pW, dilationH, dilationW, ceilMode);
    }

    public PoolSpec withDilation(int dilation) {
        return withDilation(dilation, dilation);
    }

    public PoolSpec withDilation(int dH, int dW) {
        return new PoolSpec(kernelH, kernelW, strideH, strideW, padH, padW, dH, dW, ceilMode);
    }

    public PoolSpec withCeilMode(boolean ceil) {
        return new PoolSpec(kernelH, kernelW, strideH, strideW, padH, padW, dilationH, dilationW, ceil);
    }

    /** Taps in one window: a {@code long}, since kernelH·kernelW of two ints can exceed an int. */
    public long taps() {
        return (long) kernelH * kernelW;
    }

    public boolean hasPadding() {
        return padH != 0 || padW != 0;
    }

    public boolean hasDilation() {
        return dilationH != 1 || dilationW != 1;
    }

    /**
     * True when no input element belongs to two windows (stride at least the effective kernel on
     * both axes), so a backward pass is an elementwise map.
     */
    public boolean windowsDisjoint() {
        return strideH >= (long) dilationH * (kernelH - 1) + 1 && strideW >= (long) dilationW * (kernelW - 1) + 1;
    }

    /**
     * The output length along one axis: the single rule every backend and test uses.
     * {@code o = floor((i + 2p − d(k−1) − 1 + (ceil ? s−1 : 0)) / s) + 1}; with ceil mode the
     * last window must start inside the input or the left padding, else it is dropped.
     * May return a value below 1; {@link #outputShape} turns that into an error.
     */
    public static long outputLength(long input, int kernel, int stride, int pad, int dilation, boolean ceilMode) {
        long numerator = input + 2L * pad - (long) dilation * (kernel - 1) - 1 + (ceilMode ? stride - 1 : 0);
        long out = Math.floorDiv(numerator, stride) + 1;
        if (ceilMode && (out - 1) * stride >= input + pad) {
            out--;
        }
        return out;
    }

    /**
     * The pooled shape of {@code input}, or an exception naming the sizes when the input is too
     * small, when some window would cover only padding (possible with dilation), or when a size
     * passes the limits every backend relies on:
     * <ul>
     * <li>the input and output planes hold at most 2^31 − 1 elements each (indices are int32
     *     offsets inside a plane: {@link Checks#requireIndexablePlane});</li>
     * <li>per axis, the padded input ({@code i + 2p}) and the windows' reach from the first
     *     window's start to the last window's last tap ({@code (o − 1)·s + max(s, d·(k − 1) + 1)}) are at
     *     most 2^31 − 1, so that every window coordinate ({@code o·s − p + k·d}, window ends,
     *     stride bands, {@code i + p}) fits an int on the host and on the device.</li>
     * </ul>
     * The window itself may have more than 2^31 taps ({@link #taps()} is a {@code long}).
     */
    public Shape outputShape(Shape input) {
        Checks.requireIndexablePlane("input", input.h(), input.w());
        long outH = outputLength(input.h(), kernelH, strideH, padH, dilationH, ceilMode);
        long outW = outputLength(input.w(), kernelW, strideW, padW, dilationW, ceilMode);
        if (outH < 1 || outW < 1) {
            throw new IllegalArgumentException("Given input size (" + input.c() + "x" + input.h() + "x" + input.w()
                    + "), calculated output size (" + input.c() + "x" + Math.max(outH, 0) + "x" + Math.max(outW, 0)
                    + ") is too small");
        }
        requireIntCoordinates("H", input.h(), outH, kernelH, strideH, padH, dilationH);
        requireIntCoordinates("W", input.w(), outW, kernelW, strideW, padW, dilationW);
        Checks.requireIndexablePlane("output", outH, outW);
        requireEveryWindowTouchesInput("row", "H", (int) outH, input.h(), kernelH, strideH, padH, dilationH);
        requireEveryWindowTouchesInput("column", "W", (int) outW, input.w(), kernelW, strideW, padW, dilationW);
        return input.withSpatial((int) outH, (int) outW);
    }

    /**
     * Every coordinate a window computes along one axis fits an int: the padded input
     * {@code i + 2p}, and the reach {@code (o − 1)·s + max(s, d·(k − 1) + 1)} of the windows and
     * of their stride bands, measured from the first window's start {@code −p}. Then {@code o·s}
     * for every {@code o ≤ out}, a tap {@code o·s − p + k·d}, a window's end {@code o·s − p + k},
     * a band row {@code o·s − p + r} ({@code r < s}), {@code i + p} and {@code h + p − k·d} all lie
     * in {@code [−2^31 + 1, 2^31 − 1]}. All in long here, so nothing in this check overflows.
     */
    private static void requireIntCoordinates(String axis, int input, long out, int kernel, int stride, int pad,
                                              int dilation) {
        long padded = input + 2L * pad;
        if (padded > Integer.MAX_VALUE) {
            throw Checks.invalid("the padded input size along " + axis, "at most " + Integer.MAX_VALUE,
                    "input" + axis + " + 2*pad" + axis + ": " + input + " + 2*" + pad + " = " + padded);
        }
        long extent = (long) dilation * (kernel - 1) + 1;
        long reach = (out - 1) * stride + Math.max(stride, extent);
        if (reach > Integer.MAX_VALUE) {
            throw Checks.invalid("the reach of the pooling windows along " + axis, "at most " + Integer.MAX_VALUE,
                    "(output" + axis + " - 1)*stride" + axis + " + max(stride" + axis + ", dilation" + axis + "*(kernel" + axis
                    + " - 1) + 1): (" + out + " - 1)*" + stride + " + max(" + stride + ", " + extent + ") = " + reach);
        }
    }

    /**
     * Rejects a window whose taps all fall in the padding (possible only with dilation: with
     * {@code d = 1} and {@code p ≤ k/2} every window holds an input tap). O(1) per window: the
     * first tap at or after 0 is tap {@code ceil(−start / d)}; the window touches the input iff
     * that tap exists and lies before the input's end.
     */
    private static void requireEveryWindowTouchesInput(String axis, String suffix, int out, int input, int kernel,
                                                       int stride, int pad, int dilation) {
        if (dilation == 1) {
            return;
        }
        for (int o = 0; o < out; o++) {
            long start = (long) o * stride - pad;
            long first = start >= 0 ? 0 : (-start + dilation - 1) / dilation;
            boolean touches = first < kernel && start + first * dilation < input;
            if (!touches) {
                throw new IllegalArgumentException("the pooling window of output " + axis + " " + o
                        + " covers only padding, but got input" + suffix + "=" + input + ", kernel" + suffix + "=" + kernel
                        + ", stride" + suffix + "=" + stride + ", pad" + suffix + "=" + pad + ", dilation" + suffix + "=" + dilation);
            }
        }
    }

    /** PyTorch's default {@code max_unpool2d} output shape: {@code (i − 1)·s − 2p + k} per axis. */
    public Shape unpoolOutputShape(Shape pooled) {
        long h = (long) (pooled.h() - 1) * strideH - 2L * padH + kernelH;
        long w = (long) (pooled.w() - 1) * strideW - 2L * padW + kernelW;
        if (h < 1 || w < 1) {
            throw Checks.invalid("the unpooled size", "positive", "(" + h + "x" + w + ") from pooled " + pooled + " and " + this);
        }
        if (h > Integer.MAX_VALUE || w > Integer.MAX_VALUE) {
            throw Checks.invalid("the unpooled size", "at most " + Integer.MAX_VALUE + " per axis",
                    "(" + h + "x" + w + ") from pooled " + pooled + " and " + this);
        }
        Checks.requireIndexablePlane("pooled", pooled.h(), pooled.w());
        Checks.requireIndexablePlane("unpooled output", h, w);
        return pooled.withSpatial((int) h, (int) w);
    }

    @Override
    public String toString() {
        return "kernel=" + kernelH + "x" + kernelW + " stride=" + strideH + "x" + strideW + " padding=" + padH + "x" + padW
                + " dilation=" + dilationH + "x" + dilationW + (ceilMode ? " ceil" : "");
    }
}
