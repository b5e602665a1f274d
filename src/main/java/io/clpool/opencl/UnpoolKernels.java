package io.clpool.opencl;

import io.clpool.spec.DType;
import io.clpool.spec.Shape;
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
    private final Launches launches;
    private final DType dtype;

    UnpoolKernels(Launches launches, DType dtype) {
        this.context = launches.context();
        this.launches = launches;
        this.dtype = dtype;
    }

    void forward(Object values, Object indices, Shape pooled, Shape out, Object output) {
        ClProgram program = program(pooled);
        long ownerBytes = out.elementCount() * Sizeof.cl_int;
        ClBuffer owners = launches.workspace("unpooling owners (int per output element)", ownerBytes);
        launches.zero(owners, ownerBytes);
        launches.runGuarded(program.kernel("unpool_claim"), pooled.elementCount(),
                indices, owners, pooled.elementCount(), pooled.planeSize(), out.planeSize(), pooled.c());
        launches.runGuarded(program.kernel("unpool_gather"), out.elementCount(),
                values, owners, output, out.elementCount(), pooled.planeSize(), out.planeSize(), pooled.c());
    }

    void backward(Object gradOutput, Object indices, Shape pooled, Shape out, Object gradValues) {
        launches.runGuarded(program(pooled).kernel("unpool_backward"), pooled.elementCount(),
                gradOutput, indices, gradValues, pooled.elementCount(), pooled.planeSize(), out.planeSize(), pooled.c());
    }

    private ClProgram program(Shape pooled) {
        return context.program(FILE, KernelSource.options(KernelSource.formatDefines(dtype, pooled.layout())));
    }
}
