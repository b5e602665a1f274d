package io.clpool.opencl;

import io.clpool.spec.AvgOptions;
import io.clpool.spec.PoolSpec;
import io.clpool.spec.Shape;

/**
 * The fixed-window ops that one algorithm ({@code IM2COL} or {@code DIRECT}) implements. An
 * implementation records its launches into the {@link Launches} it was made with, once, when a
 * plan is made; buffers are {@link Launches.Slot}s that each call binds. Arguments are validated
 * by the caller; the kernels never read or write outside the buffers' shapes.
 */
interface FixedWindowKernels {

    void extremumForward(Object input, Shape in, Shape out, PoolSpec spec, boolean min, Object values, Object indices);

    void indexedBackward(Object gradOutput, Object indices, Shape in, Shape out, PoolSpec spec, Object gradInput);

    void avgForward(Object input, Shape in, Shape out, PoolSpec spec, AvgOptions options, Object output);

    void avgBackward(Object gradOutput, Shape in, Shape out, PoolSpec spec, AvgOptions options, Object gradInput);

    void lpForward(Object input, Shape in, Shape out, PoolSpec spec, float norm, Object output);

    /** LP forward with the norm as given (double); kernels that compute in float round it to float. */
    default void lpForward(Object input, Shape in, Shape out, PoolSpec spec, double norm, Object output) {
        lpForward(input, in, out, spec, (float) norm, output);
    }

    /** LP backward with the norm as given (double); kernels that compute in float round it to float. */
    default void lpBackward(Object gradOutput, Object input, Object output, Shape in, Shape out, PoolSpec spec, double norm,
                            Object gradInput) {
        lpBackward(gradOutput, input, output, in, out, spec, (float) norm, gradInput);
    }

    void lpBackward(Object gradOutput, Object input, Object output, Shape in, Shape out, PoolSpec spec, float norm,
                    Object gradInput);
}
