package io.clpool;

/**
 * The pooling family on one backend, driven by {@link PoolOp} values. Both backends, the
 * plain-Java reference and OpenCL, implement it with the same semantics (PyTorch's; see
 * {@code docs/SEMANTICS.md}), so the same tests run on both. Every method validates its arguments
 * before any work and throws {@link IllegalArgumentException} with a message that names the bad
 * value.
 */
public interface Pooling {

    /** A short name for logs and reports. */
    String name();

    /**
     * The forward pass of {@code op} on {@code input}: the output values, and the winning indices
     * where {@link PoolOp#hasIndices()} (else null). For max unpooling, {@code input} holds the
     * values and {@code indices} where they go ({@link PoolOp#takesIndices()}); every other op
     * takes null indices.
     */
    PoolResult forward(PoolOp op, Tensor input, IndexTensor indices);

    /** The forward pass of an op that takes no indices (every op but max unpooling). */
    default PoolResult forward(PoolOp op, Tensor input) {
        return forward(op, input, null);
    }

    /**
     * The gradient with respect to the forward's input, given the gradient of its output. What
     * else it reads follows {@link PoolOp#backwardInputs()}:
     * <ul>
     * <li>{@code INDICES} (max, min, adaptive max, max unpooling): {@code indices}, the forward's
     * (for unpooling, the ones it took); {@code output} may be null;</li>
     * <li>{@code NONE} (average, adaptive average): nothing; {@code output} and {@code indices} may be null;</li>
     * <li>{@code INPUT_AND_OUTPUT} (LP): the values of {@code input} and the forward's {@code output}.</li>
     * </ul>
     * {@code input} is always required: its shape is the gradient's shape.
     */
    Tensor backward(PoolOp op, Tensor gradOutput, Tensor input, Tensor output, IndexTensor indices);
}
