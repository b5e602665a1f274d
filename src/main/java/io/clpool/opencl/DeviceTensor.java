package io.clpool.opencl;

import io.clpool.Tensor;
import io.clpool.spec.Checks;
import io.clpool.spec.Shape;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import org.jocl.Sizeof;
import org.jocl.cl_mem;

/**
 * A dense float32 NCHW tensor in device memory: a buffer clpool allocated ({@link #allocate},
 * {@link #upload}), or a caller's {@code cl_mem} it borrows ({@link #wrap}). Closing releases
 * clpool's reference only: a wrapped buffer stays the caller's, alive and usable.
 */
public final class DeviceTensor implements AutoCloseable {
    private final Shape shape;
    private final ClBuffer buffer;

    DeviceTensor(Shape shape, ClBuffer buffer) {
        this.shape = shape;
        this.buffer = buffer;
    }

    /** Bytes of a float32 tensor of {@code shape}. */
    static long bytes(Shape shape) {
        return Math.multiplyExact(shape.elementCount(), (long) Sizeof.cl_float);
    }

    /**
     * Borrows the caller's {@code mem} as a tensor of {@code shape}: it must belong to
     * {@code context}'s {@code cl_context} and hold at least {@code shape}'s bytes (its first
     * bytes are the tensor). It is retained here and released once by {@link #close()}.
     *
     * @throws IllegalArgumentException when an argument is null, the buffer belongs to another
     *         context, or it is too small for the shape
     */
    public static DeviceTensor wrap(ClContext context, cl_mem mem, Shape shape) {
        Checks.requireNonNull(context, "context");
        Checks.requireNonNull(shape, "shape");
        return new DeviceTensor(shape, ClBuffer.wrap(context, mem, bytes(shape), "the tensor"));
    }

    /** A new, uninitialized tensor of {@code shape} on {@code context}'s device. */
    public static DeviceTensor allocate(ClContext context, Shape shape) {
        Checks.requireNonNull(context, "context");
        Checks.requireNonNull(shape, "shape");
        return new DeviceTensor(shape, context.allocate(bytes(shape), "tensor " + shape));
    }

    /** A new tensor holding a copy of {@code tensor} (a blocking upload). */
    public static DeviceTensor upload(ClContext context, Tensor tensor) {
        Checks.requireNonNull(tensor, "tensor");
        DeviceTensor result = allocate(context, tensor.shape());
        try {
            result.buffer.write(tensor.data());
            return result;
        } catch (RuntimeException e) {
            result.close();
            throw e;
        }
    }

    /**
     * A new tensor of {@code shape} filled from {@code data}, a direct {@link FloatBuffer} or a
     * direct little-endian {@link ByteBuffer} whose remaining elements are exactly the shape's
     * (a blocking upload, no copy through a Java array).
     */
    public static DeviceTensor upload(ClContext context, Shape shape, java.nio.Buffer data) {
        DeviceTensor result = allocate(context, shape);
        try {
            result.write(data);
            return result;
        } catch (RuntimeException e) {
            result.close();
            throw e;
        }
    }

    public Shape shape() {
        return shape;
    }

    /** The native buffer, for the caller's own kernels; still owned by this object (or its caller, when wrapped). */
    public cl_mem mem() {
        return buffer.mem();
    }

    /** The context this tensor belongs to. */
    public ClContext context() {
        return buffer.context();
    }

    /** True until {@link #close()}. */
    public boolean isOpen() {
        return buffer.isOpen();
    }

    ClBuffer buffer() {
        return buffer;
    }

    /** Copies the tensor to a new host tensor (blocking). */
    public Tensor download() {
        float[] data = new float[shape.elementCountAsInt()];
        buffer.read(data);
        return new Tensor(shape, data);
    }

    /** Overwrites the tensor from {@code data} (see {@link #upload(ClContext, Shape, java.nio.Buffer)}); blocking. */
    public void write(java.nio.Buffer data) {
        buffer.transfer(true, requireHostBuffer(data, "data"), bytes(shape));
    }

    /** Copies the tensor into {@code data}, a direct FloatBuffer or little-endian ByteBuffer of the tensor's size; blocking. */
    public void read(java.nio.Buffer data) {
        buffer.transfer(false, requireHostBuffer(data, "data"), bytes(shape));
    }

    /** A direct float or little-endian byte buffer whose remaining size is exactly this tensor's. */
    private java.nio.Buffer requireHostBuffer(java.nio.Buffer data, String name) {
        Checks.requireNonNull(data, name);
        long bytes = bytes(shape);
        long remaining;
        if (data instanceof FloatBuffer floats) {
            if (floats.order() != ByteOrder.nativeOrder()) {
                throw new IllegalArgumentException(name + " should be a FloatBuffer in the native byte order, but got " + floats.order());
            }
            remaining = (long) floats.remaining() * Float.BYTES;
        } else if (data instanceof ByteBuffer raw) {
            if (raw.order() != ByteOrder.LITTLE_ENDIAN || ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN) {
                throw new IllegalArgumentException(name + " should be a little-endian ByteBuffer on a little-endian host, but got "
                        + raw.order() + " on " + ByteOrder.nativeOrder());
            }
            remaining = raw.remaining();
        } else {
            throw new IllegalArgumentException(name + " should be a FloatBuffer or ByteBuffer, but got " + data.getClass().getName());
        }
        if (!data.isDirect()) {
            throw new IllegalArgumentException(name + " should be a direct buffer (allocateDirect), but got a heap buffer");
        }
        if (remaining != bytes) {
            throw Checks.invalid(name + " size", bytes + " bytes for " + shape, remaining + " bytes remaining");
        }
        return data;
    }

    @Override
    public void close() {
        buffer.close();
    }
}
