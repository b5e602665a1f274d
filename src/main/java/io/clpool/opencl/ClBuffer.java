package io.clpool.opencl;

import org.jocl.CL;
import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_mem;

/** A device buffer. Closing releases it; closing twice is harmless. */
public final class ClBuffer implements AutoCloseable {
    private final ClContext context;
    private final long bytes;
    private cl_mem mem;

    ClBuffer(ClContext context, cl_mem mem, long bytes) {
        this.context = context;
        this.mem = mem;
        this.bytes = bytes;
    }

    public long bytes() {
        return bytes;
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
