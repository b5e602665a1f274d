package io.clpool.opencl;

import io.clpool.spec.AvgOptions;
import io.clpool.spec.PoolSpec;
import io.clpool.spec.Shape;

/**
 * The fixed-window ops that one algorithm ({@code IM2COL} or {@code DIRECT}) implements on
 * device buffers. Arguments are validated by the caller; an implementation only enqueues work,
 * with the context's lock held by the caller, and never reads or writes outside the buffers'
 * shapes.
 */
interface FixedWindowKernels {

    void extremumForward(ClBuffer input, Shape in, Shape out, PoolSpec spec, boolean min, ClBuffer values, ClBuffer indices);

    void indexedBackward(ClBuffer gradOutput, ClBuffer indices, Shape in, Shape out, PoolSpec spec, ClBuffer gradInput);

    void avgForward(ClBuffer input, Shape in, Shape out, PoolSpec spec, AvgOptions options, ClBuffer output);

    void avgBackward(ClBuffer gradOutput, Shape in, Shape out, PoolSpec spec, AvgOptions options, ClBuffer gradInput);

    void lpForward(ClBuffer input, Shape in, Shape out, PoolSpec spec, float norm, ClBuffer output);

    void lpBackward(ClBuffer gradOutput, ClBuffer input, ClBuffer output, Shape in, Shape out, PoolSpec spec, float norm,
                    ClBuffer gradInput);
}
