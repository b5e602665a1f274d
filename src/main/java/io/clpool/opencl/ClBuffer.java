package io.clpool.opencl;

import org.jocl.CL;
import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_mem;

/**
 * A device buffer: one clpool allocated, or a caller's {@code cl_mem} it borrows ({@link #wrap},
 * which retains it). Closing releases this object's reference; closing twice is harmless.
 */
public final class ClBuffer implements AutoCloseable {
    private final ClContext context;
    private final long bytes;
    private cl_mem mem;

    ClBuffer(ClContext context, cl_mem mem, long bytes) {
        this.context = context;
        this.mem = mem;
        this.bytes = bytes;
    }

    /**
     * Borrows a caller's buffer for {@code context}: checks that it belongs to that context and
     * holds at least {@code requiredBytes}, then retains it ({@link #close()} releases that retain).
     */
    static ClBuffer wrap(ClContext context, cl_mem mem, long requiredBytes, String what) {
        io.clpool.spec.Checks.requireNonNull(context, "context");
        io.clpool.spec.Checks.requireNonNull(mem, what + " cl_mem");
        org.jocl.cl_context owner = new org.jocl.cl_context();
        ClException.check(CL.clGetMemObjectInfo(mem, CL.CL_MEM_CONTEXT, Sizeof.cl_context, Pointer.to(owner), null),
                "clGetMemObjectInfo(CL_MEM_CONTEXT)");
        if (!ClContext.sameObject(owner, context.handle())) {
            throw new IllegalArgumentException(what + " should be a buffer of the clpool context's cl_context, "
                    + "but got a cl_mem of another context");
        }
        long[] size = new long[1];
        ClException.check(CL.clGetMemObjectInfo(mem, CL.CL_MEM_SIZE, Sizeof.size_t, Pointer.to(size), null),
                "clGetMemObjectInfo(CL_MEM_SIZE)");
        if (size[0] < requiredBytes) {
            throw io.clpool.spec.Checks.invalid(what + " buffer size", "at least " + requiredBytes + " bytes for its shape",
                    size[0] + " bytes");
        }
        ClException.check(CL.clRetainMemObject(mem), "clRetainMemObject");
        context.created(NativeKind.BUFFER);
        return new ClBuffer(context, mem, size[0]);
    }

    public long bytes() {
        return bytes;
    }

    /** The context this buffer belongs to. */
    ClContext context() {
        return context;
    }

    /** True until {@link #close()}. */
    public boolean isOpen() {
        return mem != null;
    }

    /** The native buffer; still owned by this object. */
    public cl_mem handle() {
        return mem();
    }

    cl_mem mem() {
        if (mem == null) {
            throw new IllegalStateException("buffer of " + bytes + " bytes used after close");
        }
        return mem;
    }

    public void write(float[] data) {
        transfer(true, Pointer.to(data), (long) data.length * Sizeof.cl_float);
    }

    public void write(int[] data) {
        transfer(true, Pointer.to(data), (long) data.length * Sizeof.cl_int);
    }

    public void write(short[] data) {
        transfer(true, Pointer.to(data), (long) data.length * Sizeof.cl_short);
    }

    public void read(short[] data) {
        transfer(false, Pointer.to(data), (long) data.length * Sizeof.cl_short);
    }

    public void write(double[] data) {
        transfer(true, Pointer.to(data), (long) data.length * Sizeof.cl_double);
    }

    public void read(double[] data) {
        transfer(false, Pointer.to(data), (long) data.length * Sizeof.cl_double);
    }

    public void read(float[] data) {
        transfer(false, Pointer.to(data), (long) data.length * Sizeof.cl_float);
    }

    public void read(int[] data) {
        transfer(false, Pointer.to(data), (long) data.length * Sizeof.cl_int);
    }

    /** The int at element {@code position} of an int buffer. */
    public int readInt(long position) {
        int[] value = new int[1];
        long offset = position * Sizeof.cl_int;
        if (position < 0 || offset + Sizeof.cl_int > bytes) {
            throw new IllegalArgumentException("int position " + position + " should lie inside the buffer of " + bytes + " bytes");
        }
        synchronized (context) {
            ClException.check(CL.clEnqueueReadBuffer(context.queue(), mem(), CL.CL_TRUE, offset, Sizeof.cl_int,
                    Pointer.to(value), 0, null, null), "clEnqueueReadBuffer");
        }
        return value[0];
    }

    /** Blocking transfer of {@code size} bytes between the buffer's start and a direct NIO buffer (no Java array copy). */
    void transfer(boolean write, java.nio.Buffer host, long size) {
        transfer(write, Pointer.to(host), size);
    }

    private void transfer(boolean write, Pointer host, long size) {
        if (size > bytes) {
            throw new IllegalArgumentException("transfer of " + size + " bytes should fit the buffer of " + bytes + " bytes");
        }
        if (size == 0) {
            return;
        }
        synchronized (context) {
            int status = write
                    ? CL.clEnqueueWriteBuffer(context.queue(), mem(), CL.CL_TRUE, 0, size, host, 0, null, null)
                    : CL.clEnqueueReadBuffer(context.queue(), mem(), CL.CL_TRUE, 0, size, host, 0, null, null);
            ClException.check(status, write ? "clEnqueueWriteBuffer" : "clEnqueueReadBuffer");
        }
    }

    @Override
    public void close() {
        if (mem != null) {
            CL.clReleaseMemObject(mem);
            mem = null;
            context.released(NativeKind.BUFFER);
        }
    }
}
