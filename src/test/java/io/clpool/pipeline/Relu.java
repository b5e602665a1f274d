package io.clpool.pipeline;

import static io.clpool.pipeline.Events.check;

import org.jocl.CL;
import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_command_queue;
import org.jocl.cl_context;
import org.jocl.cl_device_id;
import org.jocl.cl_event;
import org.jocl.cl_kernel;
import org.jocl.cl_mem;
import org.jocl.cl_program;

/**
 * ReLU, {@code y[i] = max(x[i], 0)} (NaN stays NaN, −0 becomes +0), on the device for test
 * pipelines, and in plain Java. {@code x} and {@code y} may be the same buffer (in place).
 *
 * <p>Each call builds the kernel for the queue's context and device, enqueues it with
 * {@code waitFor} as its wait list, and releases kernel and program at once (OpenCL keeps them
 * alive until the command has run), so nothing is cached and nothing leaks; the build costs a
 * few milliseconds with POCL's kernel cache warm. Nothing blocks the host. The caller owns the
 * returned event.
 */
public final class Relu {
    static final String SOURCE = """
            __kernel void relu(__global const float *x, __global float *y, const ulong count) {
                ulong i = get_global_id(0);
                if (i < count) {
                    float v = x[i];
                    y[i] = v > 0.0f || isnan(v) ? v : 0.0f;
                }
            }
            """;

    private Relu() {}

    /** Enqueues y = relu(x) over {@code count} floats after {@code waitFor}; returns its event. */
    public static cl_event forward(cl_command_queue q, cl_mem x, cl_mem y, long count, cl_event... waitFor) {
        if (count < 1) {
            throw new IllegalArgumentException("count should be positive, but got " + count);
        }
        cl_context context = new cl_context();
        check(CL.clGetCommandQueueInfo(q, CL.CL_QUEUE_CONTEXT, Sizeof.cl_context, Pointer.to(context), null),
                "clGetCommandQueueInfo(CL_QUEUE_CONTEXT)");
        cl_device_id device = new cl_device_id();
        check(CL.clGetCommandQueueInfo(q, CL.CL_QUEUE_DEVICE, Sizeof.cl_device_id, Pointer.to(device), null),
                "clGetCommandQueueInfo(CL_QUEUE_DEVICE)");
        int[] status = new int[1];
        cl_program program = CL.clCreateProgramWithSource(context, 1, new String[] {SOURCE}, null, status);
        check(status[0], "clCreateProgramWithSource");
        cl_kernel kernel = null;
        try {
            check(CL.clBuildProgram(program, 1, new cl_device_id[] {device}, "", null, null), "clBuildProgram(relu)");
            kernel = CL.clCreateKernel(program, "relu", status);
            check(status[0], "clCreateKernel(relu)");
            check(CL.clSetKernelArg(kernel, 0, Sizeof.cl_mem, Pointer.to(x)), "clSetKernelArg(x)");
            check(CL.clSetKernelArg(kernel, 1, Sizeof.cl_mem, Pointer.to(y)), "clSetKernelArg(y)");
            check(CL.clSetKernelArg(kernel, 2, Sizeof.cl_ulong, Pointer.to(new long[] {count})), "clSetKernelArg(count)");
            cl_event done = new cl_event();
            int waits = waitFor == null ? 0 : waitFor.length;
            check(CL.clEnqueueNDRangeKernel(q, kernel, 1, null, new long[] {count}, null,
                    waits, waits == 0 ? null : waitFor, done), "clEnqueueNDRangeKernel(relu)");
            return done;
        } finally {
            if (kernel != null) {
                CL.clReleaseKernel(kernel);
            }
            CL.clReleaseProgram(program);
        }
    }

    /** relu in plain Java. */
    public static float[] reference(float[] x) {
        float[] y = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            float v = x[i];
            y[i] = v > 0f || Float.isNaN(v) ? v : 0f;
        }
        return y;
    }
}
