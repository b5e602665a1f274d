package io.clpool.cli;

import io.clpool.IndexTensor;
import io.clpool.Pooling;
import io.clpool.Tensor;
import io.clpool.Validation;
import io.clpool.spec.AvgOptions;
import io.clpool.spec.PoolSpec;
import io.clpool.spec.Shape;

/**
 * One pooling as the command line asks for it: the op and the parameters it takes ({@code spec}
 * is null for adaptive ops, {@code outputSize} null for the others). Every command that pools
 * (forward, backward, demo, check) dispatches through here, so each op is wired to the
 * {@link Pooling} interface in one place.
 */
record PoolingRequest(Op op, PoolSpec spec, AvgOptions avgOptions, double norm, Flags.IntPair outputSize) {

    /** Values, and the winning indices where the op has them (else null). */
    record Forward(Tensor values, IndexTensor indices) {}

    /** The forward's output shape; a spec that does not fit the input throws, before any device work. */
    Shape outputShape(Shape input) {
        return switch (op) {
            case MAX, MIN -> Validation.pooledShape(input, spec);
            case AVG -> Validation.avgPooledShape(input, spec, avgOptions);
            case LP -> Validation.lpPooledShape(input, spec, norm);
            case ADAPTIVE_MAX, ADAPTIVE_AVG -> Validation.adaptiveShape(input, outputSize.h(), outputSize.w());
        };
    }

    /** Indices given to a backward must lie in their windows; checked here so it fails before device work. */
    void requireIndicesFit(Tensor gradOutput, IndexTensor indices, Shape inputShape) {
        switch (op) {
            case MAX, MIN -> Validation.requireIndicesInWindows(gradOutput, indices, inputShape, spec);
            case ADAPTIVE_MAX -> Validation.requireIndicesInAdaptiveWindows(gradOutput, indices, inputShape);
            default -> throw new IllegalStateException(op + " has no indices");
        }
    }

    Forward forward(Pooling pooling, Tensor input) {
        return switch (op) {
            case MAX -> indexed(pooling.maxPool2d(input, spec));
            case MIN -> indexed(pooling.minPool2d(input, spec));
            case AVG -> new Forward(pooling.avgPool2d(input, spec, avgOptions), null);
            case LP -> new Forward(pooling.lpPool2d(input, spec, norm), null);
            case ADAPTIVE_MAX -> indexed(pooling.adaptiveMaxPool2d(input, outputSize.h(), outputSize.w()));
            case ADAPTIVE_AVG -> new Forward(pooling.adaptiveAvgPool2d(input, outputSize.h(), outputSize.w()), null);
        };
    }

    /**
     * The gradient with respect to {@code input}. Ops with indices use {@code indices} when given
     * and recompute the forward when null; LP recomputes its forward output.
     */
    Tensor backward(Pooling pooling, Tensor gradOutput, Tensor input, IndexTensor indices) {
        return switch (op) {
            case MAX, MIN, ADAPTIVE_MAX -> {
                IndexTensor winners = indices != null ? indices : forward(pooling, input).indices();
                yield switch (op) {
                    case MAX -> pooling.maxPool2dBackward(gradOutput, winners, input.shape(), spec);
                    case MIN -> pooling.minPool2dBackward(gradOutput, winners, input.shape(), spec);
                    default -> pooling.adaptiveMaxPool2dBackward(gradOutput, winners, input.shape());
                };
            }
            case AVG -> pooling.avgPool2dBackward(gradOutput, input.shape(), spec, avgOptions);
            case LP -> pooling.lpPool2dBackward(gradOutput, input, pooling.lpPool2d(input, spec, norm), spec, norm);
            case ADAPTIVE_AVG -> pooling.adaptiveAvgPool2dBackward(gradOutput, input.shape());
        };
    }

    private static Forward indexed(io.clpool.PoolResult result) {
        return new Forward(result.values(), result.indices());
    }

    /** Whether results are compared bit for bit (max, min: selections) or within tolerance (sums). */
    boolean exactValues() {
        return op.hasIndices();
    }

    @Override
    public String toString() {
        return switch (op) {
            case MAX, MIN -> op + " " + spec;
            case AVG -> op + " " + spec + (avgOptions.countIncludePad() ? "" : " exclude-padding")
                    + (avgOptions.hasDivisorOverride() ? " divisor=" + avgOptions.divisorOverride() : "");
            case LP -> op + " " + spec + " norm=" + norm;
            case ADAPTIVE_MAX, ADAPTIVE_AVG -> op + " output-size=" + outputSize.h() + "x" + outputSize.w();
        };
    }
}
