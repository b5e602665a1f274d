package io.clpool;

import io.clpool.spec.AvgOptions;
import io.clpool.spec.Checks;
import io.clpool.spec.PoolSpec;
import io.clpool.spec.Shape;

/**
 * 1-D pooling over the last axis of an N×C×L tensor (PyTorch's {@code max_pool1d},
 * {@code avg_pool1d}, {@code lp_pool1d}, and min pooling), as a thin layer over a 2-D
 * {@link Pooling} backend: a 1-D tensor is a {@link Tensor} of shape N×C×1×L (see
 * {@link #shape}), and a 1-D {@link Window} is a 2-D {@link PoolSpec} with a 1×k kernel, so every
 * rule, including validation, is the 2-D one along W. Indices are positions along L.
 */
public final class Pooling1d {

    /**
     * Kernel, stride, padding, dilation and ceil mode along L. Validated when constructed, by the
     * 2-D spec it stands for, so messages name the W axis (e.g. {@code padW=2, kernelW=3}).
     */
    public record Window(int kernel, int stride, int padding, int dilation, boolean ceilMode) {

        public Window {
            spec(kernel, stride, padding, dilation, ceilMode); // throws for an illegal window
        }

        /** A kernel with stride equal to the kernel, no padding, no dilation. */
        public static Window of(int kernel) {
            return new Window(kernel, kernel, 0, 1, false);
        }

        public Window withStride(int newStride) {
            return new Window(kernel, newStride, padding, dilation, ceilMode);
        }

        public Window withPadding(int newPadding) {
            return new Window(kernel, stride, newPadding, dilation, ceilMode);
        }

        public Window withDilation(int newDilation) {
            return new Window(kernel, stride, padding, newDilation, ceilMode);
        }

        public Window withCeilMode(boolean ceil) {
            return new Window(kernel, stride, padding, dilation, ceil);
        }

        /** The 2-D spec over N×C×1×L: a 1×kernel window that moves along W only. */
        public PoolSpec toSpec() {
            return spec(kernel, stride, padding, dilation, ceilMode);
        }

        private static PoolSpec spec(int kernel, int stride, int padding, int dilation, boolean ceilMode) {
            return new PoolSpec(1, kernel, 1, stride, 0, padding, 1, dilation, ceilMode);
        }
    }

    private final Pooling backend;

    public Pooling1d(Pooling backend) {
        this.backend = Checks.requireNonNull(backend, "backend");
    }

    /** The shape of an N×C×L tensor: N×C×1×L. */
    public static Shape shape(int n, int c, int length) {
        return Shape.of(n, c, 1, length);
    }

    public PoolResult maxPool1d(Tensor input, Window window) {
        return backend.forward(PoolOp.max(spec(window)), require1d("input", input));
    }

    /** Backward of {@link #maxPool1d}: {@code input} is the forward's input (its shape is the gradient's). */
    public Tensor maxPool1dBackward(Tensor gradOutput, IndexTensor indices, Tensor input, Window window) {
        return backend.backward(PoolOp.max(spec(window)), gradOutput, require1d("input", input), null, indices);
    }

    public PoolResult minPool1d(Tensor input, Window window) {
        return backend.forward(PoolOp.min(spec(window)), require1d("input", input));
    }

    public Tensor minPool1dBackward(Tensor gradOutput, IndexTensor indices, Tensor input, Window window) {
        return backend.backward(PoolOp.min(spec(window)), gradOutput, require1d("input", input), null, indices);
    }

    public Tensor avgPool1d(Tensor input, Window window, AvgOptions options) {
        return backend.forward(PoolOp.avg(spec(window), options), require1d("input", input)).values();
    }

    public Tensor avgPool1dBackward(Tensor gradOutput, Tensor input, Window window, AvgOptions options) {
        return backend.backward(PoolOp.avg(spec(window), options), gradOutput, require1d("input", input), null, null);
    }

    /** {@code lp_pool1d}: {@code (Σ x^p · k / n)^(1/p)} over each window's n taps; no padding. */
    public Tensor lpPool1d(Tensor input, Window window, double norm) {
        return backend.forward(PoolOp.lp(spec(window), norm), require1d("input", input)).values();
    }

    public Tensor lpPool1dBackward(Tensor gradOutput, Tensor input, Tensor output, Window window, double norm) {
        return backend.backward(PoolOp.lp(spec(window), norm), gradOutput, require1d("input", input), output, null);
    }

    private static PoolSpec spec(Window window) {
        return Checks.requireNonNull(window, "window").toSpec();
    }

    private static Tensor require1d(String name, Tensor tensor) {
        require1d(name, Checks.requireNonNull(tensor, name).shape());
        return tensor;
    }

    private static Shape require1d(String name, Shape shape) {
        Checks.requireNonNull(shape, name);
        if (shape.volumetric() || shape.h() != 1) {
            throw Checks.invalid("the " + name + " of a 1-D pooling", "N×C×1×L (H = 1)", "shape: " + shape);
        }
        return shape;
    }
}
