package io.clpool.bench;

import io.clpool.opencl.ClBuffer;
import io.clpool.opencl.ClContext;
import io.clpool.opencl.ClException;
import org.jocl.CL;
import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_device_id;
import org.jocl.cl_event;
import org.jocl.cl_kernel;
import org.jocl.cl_program;

/**
 * The benchmark's yardsticks, written with plain JOCL calls on the context's public handles, as
 * any JOCL program would: a vectorized copy kernel (the bandwidth floor) and an empty kernel
 * (the cost of one raw enqueue).
 */
final class RawKernels implements AutoCloseable {
    private static final String SOURCE = """
            // One float4 per work-item; the range is exactly the float4 count.
            __kernel void copy_float4(__global const float4* source, __global float4* target) {
                const ulong i = get_global_id(0);
                target[i] = source[i];
            }
            __kernel void empty(__global float* unused) {
            }
            """;

    private final ClContext context;
    private final cl_program program;
    private final cl_kernel copy;
    private final cl_kernel empty;

    RawKernels(ClContext context) {
        this.context = context;
        int[] status = new int[1];
        program = CL.clCreateProgramWithSource(context.handle(), 1, new String[] {SOURCE}, null, status);
        ClException.check(status[0], "clCreateProgramWithSource(benchmark kernels)");
        cl_kernel copyKernel = null;
        try {
            ClException.check(CL.clBuildProgram(program, 1, new cl_device_id[] {context.device().device()}, "-cl-std=CL1.2",
                    null, null), "clBuildProgram(benchmark kernels)");
            copyKernel = CL.clCreateKernel(program, "copy_float4", status);
            ClException.check(status[0], "clCreateKernel(copy_float4)");
            empty = CL.clCreateKernel(program, "empty", status);
            ClException.check(status[0], "clCreateKernel(empty)");
        } catch (RuntimeException e) {
            if (copyKernel != null) {
                CL.clReleaseKernel(copyKernel);
            }
            CL.clReleaseProgram(program);
            throw e;
        }
        copy = copyKernel;
        ClException.check(CL.clSetKernelArg(empty, 0, Sizeof.cl_mem, null), "clSetKernelArg(empty)");
    }

    /** Enqueues the copy of {@code float4s} float4 values (recorded for device timing like clpool's own commands). */
    void copy(ClBuffer source, ClBuffer target, long float4s) {
        synchronized (context) { // the copy kernel's arguments are set and used as one step
            ClException.check(CL.clSetKernelArg(copy, 0, Sizeof.cl_mem, Pointer.to(source.handle())), "clSetKernelArg");
            ClException.check(CL.clSetKernelArg(copy, 1, Sizeof.cl_mem, Pointer.to(target.handle())), "clSetKernelArg");
            cl_event event = new cl_event();
            ClException.check(CL.clEnqueueNDRangeKernel(context.commandQueue(), copy, 1, null, new long[] {float4s}, null, 0,
                    null, event), "clEnqueueNDRangeKernel(copy_float4)");
            context.timeEvent(event);
        }
    }

    /** One raw enqueue of the empty kernel over one work-item, with an event out that the caller releases. */
    cl_event empty() {
        cl_event event = new cl_event();
        ClException.check(CL.clEnqueueNDRangeKernel(context.commandQueue(), empty, 1, null, new long[] {1}, null, 0, null, event),
                "clEnqueueNDRangeKernel(empty)");
        return event;
    }

    static void release(cl_event... events) {
        for (cl_event event : events) {
            CL.clReleaseEvent(event);
        }
    }

    @Override
    public void close() {
        CL.clReleaseKernel(copy);
        CL.clReleaseKernel(empty);
        CL.clReleaseProgram(program);
    }
}
