package io.clpool.spec;

/**
 * An immutable, validated description of a fixed-window pooling over two (H, W) or three
 * (D, H, W) spatial axes: kernel, stride, padding, dilation per axis, and ceil mode. A 2-D spec
 * has depth kernel 1, stride 1, padding 0 and dilation 1, and runs on 4-D inputs only; a 3-D spec
 * on 5-D inputs only. Construction fails with a message that names the bad values; a constructed
 * spec is always legal, though an input can still be too small for it (see
 * {@link #outputShape(Shape)}). Every axis follows the same rules ({@link #outputLength}).
 */
public record PoolSpec(int kernelD, int kernelH, int kernelW, int strideD, int strideH, int strideW,
                       int padD, int padH, int padW, int dilationD, int dilationH, int dilationW,
                       boolean ceilMode, int spatialAxes) {

    private static final String[] KERNEL_3D = {"kernelD", "kernelH", "kernelW"};
    private static final String[] STRIDE_3D = {"strideD", "strideH", "strideW"};
    private static final String[] PAD_3D = {"padD", "padH", "padW"};
    private static final String[] DILATION_3D = {"dilationD", "dilationH", "dilationW"};

    public PoolSpec {
        if (spatialAxes == 2) {
            if (kernelD != 1 || strideD != 1 || padD != 0 || dilationD != 1) {
                throw Checks.invalid("the depth window of a 2-D spec", "kernel 1, stride 1, padding 0, dilation 1",
                        "kernelD: " + kernelD + ", strideD: " + strideD + ", padD: " + padD + ", dilationD: " + dilationD);
            }
            Checks.requirePositivePair("kernel size", "kernelH", kernelH, "kernelW", kernelW);
            Checks.requirePositivePair("stride", "strideH", strideH, "strideW", strideW);
            Checks.requirePositivePair("dilation", "dilationH", dilationH, "dilationW", dilationW);
            Checks.requireNonNegativePair("padding", "padH", padH, "padW", padW);
        } else if (spatialAxes == 3) {
            Checks.requirePositiveAxes("kernel size", KERNEL_3D, kernelD, kernelH, kernelW);
            Checks.requirePositiveAxes("stride", STRIDE_3D, strideD, strideH, strideW);
            Checks.requirePositiveAxes("dilation", DILATION_3D, dilationD, dilationH, dilationW);
            Checks.requireNonNegativeAxes("padding", PAD_3D, padD, padH, padW);
        } else {
            throw Checks.invalid("the spatial axes of a pooling window", "2 or 3", "spatialAxes: " + spatialAxes);
        }
        if (Math.multiplyHigh((long) kernelD * kernelH, kernelW) != 0 || (long) kernelD * kernelH * kernelW < 0) {
            // Tap counts and average divisors are longs on the host and on the device.
            throw Checks.invalid("the taps of a window, kernelD*kernelH*kernelW", "at most " + Long.MAX_VALUE,
                    "kernel: " + kernelD + "x" + kernelH + "x" + kernelW);
        }
        if (padD > kernelD / 2 || padH > kernelH / 2 || padW > kernelW / 2) {
            String got = padD > kernelD / 2 ? "padD=" + padD + ", kernelD=" + kernelD
                    : padH > kernelH / 2 ? "padH=" + padH + ", kernelH=" + kernelH : "padW=" + padW + ", kernelW=" + kernelW;
            throw new IllegalArgumentException("pad should be at most half of kernel size, but got " + got);
        }
    }

    /** A 2-D spec: kernel, stride, padding and dilation along H and W. */
    public PoolSpec(int kernelH, int kernelW, int strideH, int strideW, int padH, int padW,
                    int dilationH, int dilationW, boolean ceilMode) {
        this(1, kernelH, kernelW, 1, strideH, strideW, 0, padH, padW, 1, dilationH, dilationW, ceilMode, 2);
    }

    /** A square 2-D kernel with stride equal to the kernel, no padding, no dilation. */
    public static PoolSpec of(int kernel) {
        return of(kernel, kernel);
    }

    /** A 2-D kernel of kernelH×kernelW with stride equal to the kernel, no padding, no dilation. */
    public static PoolSpec of(int kernelH, int kernelW) {
        return new PoolSpec(kernelH, kernelW, kernelH, kernelW, 0, 0, 1, 1, false);
    }

    /** A 3-D kernel of kernelD×kernelH×kernelW with stride equal to the kernel, no padding, no dilation. */
    public static PoolSpec of3d(int kernelD, int kernelH, int kernelW) {
        return new PoolSpec(kernelD, kernelH, kernelW, kernelD, kernelH, kernelW, 0, 0, 0, 1, 1, 1, false, 3);
    }

    /** A cubic 3-D kernel with stride equal to the kernel, no padding, no dilation. */
    public static PoolSpec of3d(int kernel) {
        return of3d(kernel, kernel, kernel);
    }

    /** True for a 3-D (D, H, W) window. */
    public boolean volumetric() {
        return spatialAxes == 3;
    }

    /** The same stride along every spatial axis. */
    public PoolSpec withStride(int stride) {
        return volumetric() ? withStride(stride, stride, stride) : withStride(stride, stride);
    }

    public PoolSpec withStride(int sH, int sW) {
        requirePlanar("withStride(sH, sW)");
        return new PoolSpec(kernelH, kernelW, sH, sW, padH, padW, dilationH, dilationW, ceilMode);
    }

    public PoolSpec withStride(int sD, int sH, int sW) {
        requireVolumetric("withStride(sD, sH, sW)");
        return new PoolSpec(kernelD, kernelH, kernelW, sD, sH, sW, padD, padH, padW, dilationD, dilationH, dilationW, ceilMode, 3);
    }

    /** The same padding along every spatial axis. */
    public PoolSpec withPadding(int pad) {
        return volumetric() ? withPadding(pad, pad, pad) : withPadding(pad, pad);
    }

    public PoolSpec withPadding(int pH, int pW) {
        requirePlanar("withPadding(pH, pW)");
        return new PoolSpec(kernelH, kernelW, strideH, strideW, pH, pW, dilationH, dilationW, ceilMode);
    }

    public PoolSpec withPadding(int pD, int pH, int pW) {
        requireVolumetric("withPadding(pD, pH, pW)");
        return new PoolSpec(kernelD, kernelH, kernelW, strideD, strideH, strideW, pD, pH, pW, dilationD, dilationH, dilationW, ceilMode, 3);
    }

    /** The same dilation along every spatial axis. */
    public PoolSpec withDilation(int dilation) {
        return volumetric() ? withDilation(dilation, dilation, dilation) : withDilation(dilation, dilation);
    }

    public PoolSpec withDilation(int dH, int dW) {
        requirePlanar("withDilation(dH, dW)");
        return new PoolSpec(kernelH, kernelW, strideH, strideW, padH, padW, dH, dW, ceilMode);
    }

    public PoolSpec withDilation(int dD, int dH, int dW) {
        requireVolumetric("withDilation(dD, dH, dW)");
        return new PoolSpec(kernelD, kernelH, kernelW, strideD, strideH, strideW, padD, padH, padW, dD, dH, dW, ceilMode, 3);
    }

    public PoolSpec withCeilMode(boolean ceil) {
        return new PoolSpec(kernelD, kernelH, kernelW, strideD, strideH, strideW, padD, padH, padW,
                dilationD, dilationH, dilationW, ceil, spatialAxes);
    }

    private void requirePlanar(String method) {
        if (volumetric()) {
            throw new IllegalStateException(method + " is for 2-D specs, but this one is 3-D: " + this);
        }
    }

    private void requireVolumetric(String method) {
        if (!volumetric()) {
            throw new IllegalStateException(method + " is for 3-D specs, but this one is 2-D: " + this);
        }
    }

    /**
     * Taps in one window: a {@code long}, since kernelH·kernelW of two ints can exceed an int
     * (a spec whose tap count passes a long is refused when constructed).
     */
    public long taps() {
        return (long) kernelD * kernelH * kernelW;
    }

    public boolean hasPadding() {
        return padD != 0 || padH != 0 || padW != 0;
    }

    public boolean hasDilation() {
        return dilationD != 1 || dilationH != 1 || dilationW != 1;
    }

    /**
     * True when no input element belongs to two windows (stride at least the effective kernel on
     * every axis), so a backward pass is an elementwise map.
     */
    public boolean windowsDisjoint() {
        return strideD >= (long) dilationD * (kernelD - 1) + 1
                && strideH >= (long) dilationH * (kernelH - 1) + 1 && strideW >= (long) dilationW * (kernelW - 1) + 1;
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
        requireRank(input, "input");
        Checks.requireIndexablePlane("input", input);
        long outD = outputLength(input.d(), kernelD, strideD, padD, dilationD, ceilMode);
        long outH = outputLength(input.h(), kernelH, strideH, padH, dilationH, ceilMode);
        long outW = outputLength(input.w(), kernelW, strideW, padW, dilationW, ceilMode);
        if (outD < 1 || outH < 1 || outW < 1) {
            String depth = volumetric() ? input.d() + "x" : "";
            String outDepth = volumetric() ? Math.max(outD, 0) + "x" : "";
            throw new IllegalArgumentException("Given input size (" + input.c() + "x" + depth + input.h() + "x" + input.w()
                    + "), calculated output size (" + input.c() + "x" + outDepth + Math.max(outH, 0) + "x" + Math.max(outW, 0)
                    + ") is too small");
        }
        if (volumetric()) {
            requireIntCoordinates("D", input.d(), outD, kernelD, strideD, padD, dilationD);
        }
        requireIntCoordinates("H", input.h(), outH, kernelH, strideH, padH, dilationH);
        requireIntCoordinates("W", input.w(), outW, kernelW, strideW, padW, dilationW);
        Checks.requireIndexablePlane("output", outD, outH, outW, volumetric());
        requireEveryWindowTouchesInput("depth slice", "D", (int) outD, input.d(), kernelD, strideD, padD, dilationD);
        requireEveryWindowTouchesInput("row", "H", (int) outH, input.h(), kernelH, strideH, padH, dilationH);
        requireEveryWindowTouchesInput("column", "W", (int) outW, input.w(), kernelW, strideW, padW, dilationW);
        return input.withSpatial((int) outD, (int) outH, (int) outW);
    }

    /** A 2-D spec runs on 4-D shapes and a 3-D spec on 5-D ones, as PyTorch's pool2d and pool3d. */
    public void requireRank(Shape shape, String name) {
        Checks.requireNonNull(shape, name);
        if (shape.spatialAxes() != spatialAxes) {
            throw Checks.invalid("the " + name + " of a " + spatialAxes + "-D pooling",
                    (spatialAxes + 2) + "-D (" + (volumetric() ? "N, C, D, H, W" : "N, C, H, W") + ")",
                    shape.rank() + "-D " + shape);
        }
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

    /** PyTorch's default {@code max_unpool2d} / {@code max_unpool3d} output shape: {@code (i − 1)·s − 2p + k} per axis. */
    public Shape unpoolOutputShape(Shape pooled) {
        requireRank(pooled, "pooled input");
        long d = (long) (pooled.d() - 1) * strideD - 2L * padD + kernelD;
        long h = (long) (pooled.h() - 1) * strideH - 2L * padH + kernelH;
        long w = (long) (pooled.w() - 1) * strideW - 2L * padW + kernelW;
        String size = (volumetric() ? d + "x" : "") + h + "x" + w;
        if (d < 1 || h < 1 || w < 1) {
            throw Checks.invalid("the unpooled size", "positive", "(" + size + ") from pooled " + pooled + " and " + this);
        }
        if (d > Integer.MAX_VALUE || h > Integer.MAX_VALUE || w > Integer.MAX_VALUE) {
            throw Checks.invalid("the unpooled size", "at most " + Integer.MAX_VALUE + " per axis",
                    "(" + size + ") from pooled " + pooled + " and " + this);
        }
        Checks.requireIndexablePlane("pooled", pooled);
        Checks.requireIndexablePlane("unpooled output", d, h, w, volumetric());
        return pooled.withSpatial((int) d, (int) h, (int) w);
    }

    @Override
    public String toString() {
        return volumetric()
                ? "kernel=" + kernelD + "x" + kernelH + "x" + kernelW + " stride=" + strideD + "x" + strideH + "x" + strideW
                        + " padding=" + padD + "x" + padH + "x" + padW + " dilation=" + dilationD + "x" + dilationH + "x" + dilationW
                        + (ceilMode ? " ceil" : "")
                : "kernel=" + kernelH + "x" + kernelW + " stride=" + strideH + "x" + strideW + " padding=" + padH + "x" + padW
                        + " dilation=" + dilationH + "x" + dilationW + (ceilMode ? " ceil" : "");
    }
}
