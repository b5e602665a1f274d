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

    /** Taps in one window. */
    public int taps() {
        return kernelH * kernelW;
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
        return strideH >= dilationH * (kernelH - 1) + 1 && strideW >= dilationW * (kernelW - 1) + 1;
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
     * The pooled shape of {@code input}, or an exception naming both sizes when the input is too
     * small, or when some window would cover only padding (possible with dilation).
     */
    public Shape outputShape(Shape input) {
        long outH = outputLength(input.h(), kernelH, strideH, padH, dilationH, ceilMode);
        long outW = outputLength(input.w(), kernelW, strideW, padW, dilationW, ceilMode);
        if (outH < 1 || outW < 1) {
            throw new IllegalArgumentException("Given input size (" + input.c() + "x" + input.h() + "x" + input.w()
                    + "), calculated output size (" + input.c() + "x" + Math.max(outH, 0) + "x" + Math.max(outW, 0)
                    + ") is too small");
        }
        requireEveryWindowTouchesInput("row", "H", (int) outH, input.h(), kernelH, strideH, padH, dilationH);
        requireEveryWindowTouchesInput("column", "W", (int) outW, input.w(), kernelW, strideW, padW, dilationW);
        return input.withSpatial((int) outH, (int) outW);
    }

    private static void requireEveryWindowTouchesInput(String axis, String suffix, int out, int input, int kernel,
                                                       int stride, int pad, int dilation) {
        for (int o = 0; o < out; o++) {
            int start = o * stride - pad;
            boolean touches = false;
            for (int k = 0; k < kernel && !touches; k++) {
                int at = start + k * dilation;
                touches = at >= 0 && at < input;
            }
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
        if (h < 1 || w < 1 || h > Integer.MAX_VALUE || w > Integer.MAX_VALUE) {
            throw Checks.invalid("the unpooled size", "positive", "(" + h + "x" + w + ") from pooled " + pooled + " and " + this);
        }
        return pooled.withSpatial((int) h, (int) w);
    }

    @Override
    public String toString() {
        return "kernel=" + kernelH + "x" + kernelW + " stride=" + strideH + "x" + strideW + " padding=" + padH + "x" + padW
                + " dilation=" + dilationH + "x" + dilationW + (ceilMode ? " ceil" : "");
    }
}
