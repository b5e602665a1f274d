package io.clpool.opencl;

import io.clpool.spec.DType;
import io.clpool.spec.Shape;
import java.util.Arrays;

/**
 * Adaptive max and average pooling on the device (2-D and 3-D), forward and backward, with the direct kernels
 * of {@code kernels/adaptive.cl}: no scratch buffers, backward as a gather.
 */
final class AdaptiveKernels {
    private static final String FILE = "adaptive.cl";

    private final ClContext context;
    private final Launches launches;
    private final DType dtype;

    AdaptiveKernels(Launches launches, DType dtype) {
        this.context = launches.context();
        this.launches = launches;
        this.dtype = dtype;
    }

    void maxForward(Object input, Shape in, Shape out, Object values, Object indices) {
        run("adaptive_max_forward", out.elementCount(), in, out, input, values, indices);
    }

    void maxBackward(Object gradOutput, Object indices, Shape in, Shape out, Object gradInput) {
        run("adaptive_max_backward", in.elementCount(), in, out, gradOutput, indices, gradInput);
    }

    void avgForward(Object input, Shape in, Shape out, Object output) {
        run("adaptive_avg_forward", out.elementCount(), in, out, input, output);
    }

    void avgBackward(Object gradOutput, Shape in, Shape out, Object gradInput) {
        run("adaptive_avg_backward", in.elementCount(), in, out, gradOutput, gradInput);
    }

    /** One work-item per element of {@code items}: the buffers, the item count, then PLANE_SHAPES (depth 1 in 2-D). */
    private void run(String kernel, long items, Shape in, Shape out, Object... buffers) {
        ClProgram program = context.program(FILE, KernelSource.options(KernelSource.formatDefines(dtype, in.layout())));
        Object[] shapes = {items, in.c(), in.d(), in.h(), in.w(), out.d(), out.h(), out.w()};
        Object[] args = Arrays.copyOf(buffers, buffers.length + shapes.length, Object[].class);
        System.arraycopy(shapes, 0, args, buffers.length, shapes.length);
        launches.runGuarded(program.kernel(kernel), items, args);
    }
}
