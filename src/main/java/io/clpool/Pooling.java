package io.clpool;

import io.clpool.spec.AvgOptions;
import io.clpool.spec.PoolSpec;
import io.clpool.spec.Shape;

/**
 * The pooling family on one backend. Both backends, the plain-Java reference and OpenCL,
 * implement every method with the same semantics (DESIGN.md §2, PyTorch's), so the same tests
 * run on both. Every method validates its arguments before any work and throws
 * {@link IllegalArgumentException} with a message that names the bad value.
 */
public interface Pooling {

    /** A short name for logs and reports. */
    String name();

    /** Max pooling: values and winning indices ({@code h·W + w} in the input plane). */
    PoolResult maxPool2d(Tensor input, PoolSpec spec);

    /**
     * Backward of max or min pooling: {@code dX[plane, idx] += dY} over every window. Each index must
     * lie inside its own window of {@code spec}.
     */
    Tensor maxPool2dBackward(Tensor gradOutput, IndexTensor indices, Shape inputShape, PoolSpec spec);

    /** Min pooling, equal to {@code -maxPool2d(-x)} in values and indices. */
    PoolResult minPool2d(Tensor input, PoolSpec spec);

    /** Backward of min pooling: the same scatter of gradients to the winning taps as max pooling. */
    default Tensor minPool2dBackward(Tensor gradOutput, IndexTensor indices, Shape inputShape, PoolSpec spec) {
        return maxPool2dBackward(gradOutput, indices, inputShape, spec);
    }

    /** Average pooling (PyTorch {@code avg_pool2d}); dilation must be 1. */
    Tensor avgPool2d(Tensor input, PoolSpec spec, AvgOptions options);

    Tensor avgPool2dBackward(Tensor gradOutput, Shape inputShape, PoolSpec spec, AvgOptions options);

    /** LP pooling (PyTorch {@code lp_pool2d}): norm {@code p > 0}, no padding, no dilation. */
    Tensor lpPool2d(Tensor input, PoolSpec spec, double norm);

    /** Backward of LP pooling; {@code output} is the forward's result for {@code input}. */
    Tensor lpPool2dBackward(Tensor gradOutput, Tensor input, Tensor output, PoolSpec spec, double norm);

    /** Adaptive max pooling to {@code outH×outW}, with indices. */
    PoolResult adaptiveMaxPool2d(Tensor input, int outH, int outW);

    /** Each index must lie inside its own adaptive window. */
    Tensor adaptiveMaxPool2dBackward(Tensor gradOutput, IndexTensor indices, Shape inputShape);

    /** Adaptive average pooling to {@code outH×outW}. */
    Tensor adaptiveAvgPool2d(Tensor input, int outH, int outW);

    Tensor adaptiveAvgPool2dBackward(Tensor gradOutput, Shape inputShape);

    /**
     * Max unpooling (PyTorch {@code max_unpool2d}): each value written at its index in a zero plane
     * of {@code outputShape}. Where several values share an index, the last in row-major order wins.
     */
    Tensor maxUnpool2d(Tensor values, IndexTensor indices, Shape outputShape);

    /** Backward of max unpooling: {@code dValues[j] = dOut[plane, idx[j]]}. */
    Tensor maxUnpool2dBackward(Tensor gradOutput, IndexTensor indices);

    /** Global max pooling: adaptive max pooling to 1×1. */
    default PoolResult globalMaxPool2d(Tensor input) {
        return adaptiveMaxPool2d(input, 1, 1);
    }

    /** Global average pooling: adaptive average pooling to 1×1. */
    default Tensor globalAvgPool2d(Tensor input) {
        return adaptiveAvgPool2d(input, 1, 1);
    }
}
