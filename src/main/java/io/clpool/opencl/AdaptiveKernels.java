package io.clpool.opencl;

import io.clpool.spec.Shape;

/** Adaptive max and average pooling on the device, forward and backward (direct kernels). */
final class AdaptiveKernels {
    private final ClContext context;

    AdaptiveKernels(ClContext context) {
        this.context = context;
    }

    void maxForward(ClBuffer input, Shape in, Shape out, ClBuffer values, ClBuffer indices) {
        throw new UnsupportedOperationException("adaptive max pooling is not yet implemented on OpenCL");
    }

    void maxBackward(ClBuffer gradOutput, ClBuffer indices, Shape in, Shape out, ClBuffer gradInput) {
        throw new UnsupportedOperationException("adaptive max pooling backward is not yet implemented on OpenCL");
    }

    void avgForward(ClBuffer input, Shape in, Shape out, ClBuffer output) {
        throw new UnsupportedOperationException("adaptive average pooling is not yet implemented on OpenCL");
    }

    void avgBackward(ClBuffer gradOutput, Shape in, Shape out, ClBuffer gradInput) {
        throw new UnsupportedOperationException("adaptive average pooling backward is not yet implemented on OpenCL");
    }
}
