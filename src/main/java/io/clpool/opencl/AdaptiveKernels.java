package io.clpool.opencl;

import io.clpool.spec.Shape;
import java.util.Arrays;
import java.util.Map;

/**
 * Adaptive max and average pooling on the device, forward and backward, with the direct kernels
 * of {@code kernels/adaptive.cl}: no scratch buffers, backward as a gather.
 */
final class AdaptiveKernels {
    private static final String FILE = "adaptive.cl";

    private final ClContext context;

    AdaptiveKernels(ClContext context) {
        this.context = context;
    }

    void maxForward(ClBuffer input, Shape in, Shape out, ClBuffer values, ClBuffer indices) {
        run("adaptive_max_forward", out.elementCount(), in, out, input, values, indices);
    }

    void maxBackward(ClBuffer gradOutput, ClBuffer indices, Shape in, Shape out, ClBuffer gradInput) {
        run("adaptive_max_backward", in.elementCount(), in, out, gradOutput, indices, gradInput);
    }

    void avgForward(ClBuffer input, Shape in, Shape out, ClBuffer output) {
        run("adaptive_avg_forward", out.elementCount(), in, out, input, output);
    }

    void avgBackward(ClBuffer gradOutput, Shape in, Shape out, ClBuffer gradInput) {
        run("adaptive_avg_backward", in.elementCount(), in, out, gradOutput, gradInput);
    }

    /** One work-item per element of {@code items}: the buffers, the item count, then PLANE_SHAPES. */
    private void run(String kernel, long items, Shape in, Shape out, ClBuffer... buffers) {
        ClProgram program = context.program(FILE, KernelSource.options(Map.of()));
        Object[] args = Arrays.copyOf(buffers, buffers.length + 5, Object[].class);
        System.arraycopy(new Object[] {items, in.h(), in.w(), out.h(), out.w()}, 0, args, buffers.length, 5);
        context.runGuarded(program.kernel(kernel), items, args);
    }
}
