package io.clpool.cli;

import io.clpool.IndexTensor;
import io.clpool.PoolOp;
import io.clpool.PoolResult;
import io.clpool.Pooling;
import io.clpool.Tensor;
import io.clpool.spec.Shape;

/**
 * One pooling as the command line asks for it. Every command that pools (forward, backward,
 * demo, check) runs through here, so what a command computes is the library's op-driven
 * {@link Pooling} call, with the recomputations the command line allows on top.
 */
record PoolingRequest(PoolOp op) {

    /** Values, and the winning indices where the op has them (else null). */
    record Forward(Tensor values, IndexTensor indices) {}

    /** The forward's output shape; a spec that does not fit the input throws, before any device work. */
    Shape outputShape(Shape input) {
        return op.outputShape(input);
    }

    /** Indices given to a backward must lie in their windows; checked here so it fails before device work. */
    void requireIndicesFit(Tensor gradOutput, IndexTensor indices, Shape inputShape) {
        op.checkBackward(inputShape, gradOutput.shape(), indices.shape());
        op.checkIndices(indices, inputShape);
    }

    Forward forward(Pooling pooling, Tensor input) {
        PoolResult result = pooling.forward(op, input);
        return new Forward(result.values(), result.indices());
    }

    /**
     * The gradient with respect to {@code input}. Ops with indices use {@code indices} when given
     * and recompute the forward when null; LP recomputes its forward output.
     */
    Tensor backward(Pooling pooling, Tensor gradOutput, Tensor input, IndexTensor indices) {
        return switch (op.backwardInputs()) {
            case INDICES -> pooling.backward(op, gradOutput, input, null,
                    indices != null ? indices : forward(pooling, input).indices());
            case NONE -> pooling.backward(op, gradOutput, input, null, null);
            case INPUT_AND_OUTPUT -> pooling.backward(op, gradOutput, input, forward(pooling, input).values(), null);
        };
    }

    /** Whether results are compared bit for bit (selections) or within tolerance (sums). */
    boolean exactValues() {
        return op.exact();
    }

    @Override
    public String toString() {
        return op.toString();
    }
}
