package io.clpool.opencl;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jocl.CL;
import org.jocl.Pointer;
import org.jocl.cl_kernel;
import org.jocl.cl_program;

/** A built program and the kernels created from it; closing it releases its kernels too. */
final class ClProgram implements AutoCloseable {
    private final ClContext context;
    private final String description;
    private final Map<String, ClKernel> kernels = new HashMap<>();
    private cl_program program;

    ClProgram(ClContext context, cl_program program, String description) {
        this.context = context;
        this.program = program;
        this.description = description;
    }

    /** The kernel of that name, created once and reused. */
    public synchronized ClKernel kernel(String name) {
        if (program == null) {
            throw new IllegalStateException("program " + description + " used after close");
        }
        ClKernel kernel = kernels.get(name);
        if (kernel == null) {
            int[] status = new int[1];
            cl_kernel handle = CL.clCreateKernel(program, name, status);
            ClException.check(status[0], "clCreateKernel(" + name + ") in " + description);
            context.created(NativeKind.KERNEL);
            kernel = new ClKernel(context, handle, name);
            kernels.put(name, kernel);
        }
        return kernel;
    }

    /** The names of the kernels the build emitted (CL_PROGRAM_KERNEL_NAMES), sorted. */
    synchronized List<String> kernelNames() {
        if (program == null) {
            throw new IllegalStateException("program " + description + " used after close");
        }
        long[] size = new long[1];
        ClException.check(CL.clGetProgramInfo(program, CL.CL_PROGRAM_KERNEL_NAMES, 0, null, size), "clGetProgramInfo(KERNEL_NAMES)");
        byte[] names = new byte[(int) size[0]];
        ClException.check(CL.clGetProgramInfo(program, CL.CL_PROGRAM_KERNEL_NAMES, names.length, Pointer.to(names), null),
                "clGetProgramInfo(KERNEL_NAMES)");
        String joined = new String(names, 0, Math.max(0, names.length - 1), StandardCharsets.US_ASCII);
        return joined.isEmpty() ? List.of() : Arrays.stream(joined.split(";")).sorted().toList();
    }

    @Override
    public synchronized void close() {
        kernels.values().forEach(ClKernel::close);
        kernels.clear();
        if (program != null) {
            CL.clReleaseProgram(program);
            program = null;
            context.released(NativeKind.PROGRAM);
        }
    }
}
