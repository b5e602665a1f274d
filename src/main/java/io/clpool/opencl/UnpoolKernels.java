package io.clpool.opencl;

import io.clpool.spec.Shape;

/** Max unpooling on the device, forward and backward. */
final class UnpoolKernels {
    private final ClContext context;
    private final Workspace workspace;

    UnpoolKernels(ClContext context, Workspace workspace) {
        this.context = context;
        this.workspace = workspace;
    }

    void forward(ClBuffer values, ClBuffer indices, Shape pooled, Shape out, ClBuffer output) {
        throw new UnsupportedOperationException("max unpooling is not yet implemented on OpenCL");
    }

    void backward(ClBuffer gradOutput, ClBuffer indices, Shape pooled, Shape out, ClBuffer gradValues) {
        throw new UnsupportedOperationException("max unpooling backward is not yet implemented on OpenCL");
    }
}
