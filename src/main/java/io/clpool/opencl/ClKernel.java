package io.clpool.opencl;

import org.jocl.CL;
import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_kernel;

/**
 * One kernel of a built program. Arguments and launch must happen under the context's lock,
 * since a cl_kernel holds its arguments as shared state; {@link ClContext#run} does that.
 */
final class ClKernel implements AutoCloseable {
    private final ClContext context;
    private final String name;
    private cl_kernel kernel;
    private long defaultWorkGroupSize;
    /**
     * What each argument is set to now (a boxed scalar, or a buffer's native address): on POCL a
     * clSetKernelArg costs microseconds, so an argument is set only when it changes, and a plan
     * called again with the same buffers enqueues without setting any.
     */
    private Object[] current = new Object[0];

    /** A {@code __local} argument of {@code bytes} bytes, which each work-group gets its own of. */
    record LocalBytes(long bytes) {
    }

    ClKernel(ClContext context, cl_kernel kernel, String name) {
        this.context = context;
        this.kernel = kernel;
        this.name = name;
    }

    public String name() {
        return name;
    }

    cl_kernel handle() {
        if (kernel == null) {
            throw new IllegalStateException("kernel " + name + " used after close");
        }
        return kernel;
    }

    /** Sets the arguments (ClBuffer, Integer, Long, Float, Double or LocalBytes) that differ from what is set; caller holds the context's lock. */
    void setArgs(Object... args) {
        for (int i = 0; i < args.length; i++) {
            Object arg = args[i];
            if (arg instanceof ClBuffer buffer) {
                setMem(i, buffer.mem());
            } else if (arg instanceof Integer value) {
                setScalar(i, value, Sizeof.cl_int, Pointer.to(new int[] {value}));
            } else if (arg instanceof Long value) {
                setScalar(i, value, Sizeof.cl_long, Pointer.to(new long[] {value}));
            } else if (arg instanceof Float value) {
                setScalar(i, value, Sizeof.cl_float, Pointer.to(new float[] {value}));
            } else if (arg instanceof Double value) {
                setScalar(i, value, Sizeof.cl_double, Pointer.to(new double[] {value}));
            } else if (arg instanceof LocalBytes local) {
                setLocal(i, local);
            } else {
                throw new IllegalArgumentException("kernel " + name + " argument " + i + " has unsupported type " + arg);
            }
        }
    }

    /** Sets buffer argument {@code index} unless it already is {@code mem}; caller holds the context's lock. */
    void setMem(int index, org.jocl.cl_mem mem) {
        Long address = mem.getNativePointer();
        if (!address.equals(currentAt(index))) {
            set(index, address, Sizeof.cl_mem, Pointer.to(mem));
        }
    }

    /** Sets scalar argument {@code index} to {@code value} (given as {@code size} bytes at {@code pointer}) unless it already is. */
    void setScalar(int index, Object value, long size, Pointer pointer) {
        if (!value.equals(currentAt(index))) {
            set(index, value, size, pointer);
        }
    }

    /** Sets {@code __local} argument {@code index} to {@code local}'s size unless it already is; caller holds the context's lock. */
    void setLocal(int index, LocalBytes local) {
        if (!local.equals(currentAt(index))) {
            set(index, local, local.bytes(), null);
        }
    }

    private Object currentAt(int index) {
        return index < current.length ? current[index] : null;
    }

    private void set(int index, Object identity, long size, Pointer pointer) {
        if (index >= current.length) {
            current = java.util.Arrays.copyOf(current, index + 1);
        }
        current[index] = null; // unknown if the call fails
        ClException.check(CL.clSetKernelArg(handle(), index, size, pointer), "clSetKernelArg(" + name + ", " + index + ")");
        current[index] = identity;
    }

    /** The device's preferred work-group size multiple for this kernel (the SIMD or warp width). */
    public long preferredWorkGroupMultiple() {
        long[] value = new long[1];
        ClException.check(CL.clGetKernelWorkGroupInfo(handle(), context.device().device(),
                CL.CL_KERNEL_PREFERRED_WORK_GROUP_SIZE_MULTIPLE, Sizeof.size_t, Pointer.to(value), null),
                "clGetKernelWorkGroupInfo");
        return value[0];
    }

    /** The largest work-group this kernel can run with on the device. */
    public long maxWorkGroupSize() {
        long[] value = new long[1];
        ClException.check(CL.clGetKernelWorkGroupInfo(handle(), context.device().device(),
                CL.CL_KERNEL_WORK_GROUP_SIZE, Sizeof.size_t, Pointer.to(value), null), "clGetKernelWorkGroupInfo");
        return value[0];
    }

    /**
     * The 1-D work-group size used when a launch leaves it open: about 64 work-items, a multiple
     * of the preferred multiple, within the kernel's limit. Chosen once per kernel.
     */
    public synchronized long defaultWorkGroupSize() {
        if (defaultWorkGroupSize == 0) {
            long multiple = Math.max(1, preferredWorkGroupMultiple());
            long size = (64 + multiple - 1) / multiple * multiple;
            defaultWorkGroupSize = Math.max(1, Math.min(size, maxWorkGroupSize()));
        }
        return defaultWorkGroupSize;
    }

    @Override
    public void close() {
        if (kernel != null) {
            CL.clReleaseKernel(kernel);
            kernel = null;
            context.released(NativeKind.KERNEL);
        }
    }
}
