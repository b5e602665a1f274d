package io.clpool.opencl;

import io.clpool.spec.Shape;
import java.util.Map;
import org.jocl.Sizeof;

/**
 * Max unpooling on the device, forward and backward ({@code kernels/unpool.cl}). Forward claims
 * each output element for the last value that targets it (an int owner buffer, 4 bytes per output
 * element, written with integer atomics) and then gathers, so duplicates resolve the same way on
 * every run and every device. Positions are stored as int: a pooled plane holds fewer than 2^31
 * values, since its values come from a Java array.
 */
final class UnpoolKernels {
    private static final String FILE = "unpool.cl";

    private final ClContext context;
    private final Workspace workspace;

    UnpoolKernels(ClContext context, Workspace workspace) {
        this.context = context;
        this.workspace = workspace;
    }

    void forward(ClBuffer values, ClBuffer indices, Shape pooled, Shape out, ClBuffer output) {
        ClProgram program = program();
        long ownerBytes = out.elementCount() * Sizeof.cl_int;
        ClBuffer owners = workspace.get("unpooling owners (int per output element)", ownerBytes);
        context.zero(owners, ownerBytes);
        context.runGuarded(program.kernel("unpool_claim"), pooled.elementCount(),
                indices, owners, pooled.elementCount(), pooled.planeSize(), out.planeSize());
        context.runGuarded(program.kernel("unpool_gather"), out.elementCount(),
                values, owners, output, out.elementCount(), pooled.planeSize(), out.planeSize());
    }

    void backward(ClBuffer gradOutput, ClBuffer indices, Shape pooled, Shape out, ClBuffer gradValues) {
        context.runGuarded(program().kernel("unpool_backward"), pooled.elementCount(),
                gradOutput, indices, gradValues, pooled.elementCount(), pooled.planeSize(), out.planeSize());
    }

    private ClProgram program() {
        return context.program(FILE, KernelSource.options(Map.of()));
    }
}
