package io.clpool.reference;

import io.clpool.spec.AdaptiveWindows;
import io.clpool.spec.AvgOptions;
import io.clpool.spec.PoolSpec;
import io.clpool.spec.Shape;
import java.math.BigInteger;

/**
 * One output's window of contiguous taps: the in-bounds depth slices [d0, d1), rows [h0, h1) and
 * columns [w0, w1) of its input plane, and the divisor of its sum. In 2-D the depth extent is
 * [0, 1). {@code exactDivisor} is the count in double, which float64 divides by (PyTorch divides
 * its double sum by the int64 count). {@link Outputs} is the walk every summing loop of the
 * reference and of {@link TermMagnitudes} takes over the outputs.
 */
record Window(int d0, int d1, int h0, int h1, int w0, int w1, float divisor, double exactDivisor) {

    /**
     * The walk every summing loop takes over the outputs, in order: planes, then od, oh, ow.
     * {@code o} counts the outputs, {@code base} is the first input of the output's plane. A cursor
     * rather than a visitor of lambdas: each loop keeps its own JIT profile, where one shared call
     * site made the reference (the tests' hot loop) about 1.4 times slower.
     */
    static final class Outputs {
        private final Shape out;
        private final int count;
        private final int planeSize;
        int o = -1;
        int base;
        int od;
        int oh;
        int ow;

        Outputs(Shape in, Shape out) {
            this.out = out;
            this.count = out.elementCountAsInt();
            this.planeSize = (int) in.planeSize();
        }

        /** Moves to the next output; false after the last. */
        boolean next() {
            if (++o >= count) {
                return false;
            }
            if (o == 0 || ++ow < out.w()) {
                return true;
            }
            ow = 0;
            if (++oh < out.h()) {
                return true;
            }
            oh = 0;
            if (++od < out.d()) {
                return true;
            }
            od = 0;
            base += planeSize;
            return true;
        }
    }

    /** The offset of tap (d, h, w) in a plane of {@code in}. */
    static int offset(Shape in, int d, int h, int w) {
        return (d * in.h() + h) * in.w() + w;
    }

    /**
     * An average-pooling window and its divisor (PyTorch's rule, {@code docs/SEMANTICS.md} §2, §3):
     * with count_include_pad, the product over the axes of the window's extent with its end
     * clipped to {@code i + p}; without, the product of the in-bounds extents; a divisor override
     * replaces either.
     */
    static Window average(int od, int oh, int ow, Shape in, PoolSpec spec, AvgOptions options) {
        // Coordinates fit an int (PoolSpec.outputShape bounds the windows' reach and i + 2p);
        // the tap counts are products of them, formed exactly (tapCount).
        int dStart = od * spec.strideD() - spec.padD();
        int hStart = oh * spec.strideH() - spec.padH();
        int wStart = ow * spec.strideW() - spec.padW();
        int dEnd = Math.min(dStart + spec.kernelD(), in.d() + spec.padD());
        int hEnd = Math.min(hStart + spec.kernelH(), in.h() + spec.padH());
        int wEnd = Math.min(wStart + spec.kernelW(), in.w() + spec.padW());
        int d0 = Math.max(dStart, 0);
        int h0 = Math.max(hStart, 0);
        int w0 = Math.max(wStart, 0);
        int d1 = Math.min(dEnd, in.d());
        int h1 = Math.min(hEnd, in.h());
        int w1 = Math.min(wEnd, in.w());
        float divisor = options.hasDivisorOverride() ? options.divisorOverride()
                : options.countIncludePad() ? tapCount(dEnd - dStart, hEnd - hStart, wEnd - wStart)
                : tapCount(d1 - d0, h1 - h0, w1 - w0);
        double exactDivisor = options.hasDivisorOverride() ? options.divisorOverride()
                : options.countIncludePad() ? exactTapCount(dEnd - dStart, hEnd - hStart, wEnd - wStart)
                : exactTapCount(d1 - d0, h1 - h0, w1 - w0);
        return new Window(d0, d1, h0, h1, w0, w1, divisor, exactDivisor);
    }

    /** An adaptive window ({@link AdaptiveWindows} on every axis) of {@code in} pooled to {@code out}; its divisor is its size. */
    static Window adaptive(int od, int oh, int ow, Shape in, Shape out) {
        int d0 = AdaptiveWindows.start(od, in.d(), out.d());
        int d1 = AdaptiveWindows.end(od, in.d(), out.d());
        int h0 = AdaptiveWindows.start(oh, in.h(), out.h());
        int h1 = AdaptiveWindows.end(oh, in.h(), out.h());
        int w0 = AdaptiveWindows.start(ow, in.w(), out.w());
        int w1 = AdaptiveWindows.end(ow, in.w(), out.w());
        return new Window(d0, d1, h0, h1, w0, w1, tapCount(d1 - d0, h1 - h0, w1 - w0), exactTapCount(d1 - d0, h1 - h0, w1 - w0));
    }

    /** A window whose taps are not summed (a fractional max's, fully inside the input): divisor 1. */
    static Window box(int d0, int d1, int h0, int h1, int w0, int w1) {
        return new Window(d0, d1, h0, h1, w0, w1, 1f, 1.0);
    }

    /** The divisor in {@code a}'s compute type. */
    double divisor(ReferencePooling.Arith a) {
        return a.isDouble() ? exactDivisor : divisor;
    }

    /** {@code d·h·w} rounded once to double (exact below 2^53). */
    static double exactTapCount(int d, int h, int w) {
        long dh = (long) d * h;
        if (Math.multiplyHigh(dh, w) == 0 && dh * w >= 0) {
            return dh * w;
        }
        return BigInteger.valueOf(dh).multiply(BigInteger.valueOf(w)).doubleValue();
    }

    /**
     * {@code d·h·w} rounded once to float: exact in a long up to 2^63 (always so in 2-D, where
     * d is 1), beyond that through a BigInteger, never a wrapped or saturated count.
     */
    static float tapCount(int d, int h, int w) {
        long dh = (long) d * h;
        if (Math.multiplyHigh(dh, w) == 0 && dh * w >= 0) {
            return dh * w;
        }
        return BigInteger.valueOf(dh).multiply(BigInteger.valueOf(w)).floatValue();
    }
}
