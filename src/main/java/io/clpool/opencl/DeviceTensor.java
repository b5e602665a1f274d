package io.clpool.opencl;

import io.clpool.Tensor;
import io.clpool.spec.Checks;
import io.clpool.spec.DType;
import io.clpool.spec.Shape;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import org.jocl.Sizeof;
import org.jocl.cl_mem;

/**
 * A dense tensor in device memory, of a {@link Shape} (with its layout) and a {@link DType}: a buffer clpool allocated ({@link #allocate},
 * {@link #upload}), or a caller's {@code cl_mem} it borrows ({@link #wrap}). Closing releases
 * clpool's reference only: a wrapped buffer stays the caller's, alive and usable.
 */
public final class DeviceTensor implements AutoCloseable {
    private final Shape shape;
    private final DType dtype;
    private final ClBuffer buffer;

    DeviceTensor(Shape shape, DType dtype, ClBuffer buffer) {
        this.shape = shape;
        this.dtype = dtype;
        this.buffer = buffer;
    }

    /** Bytes of a float32 tensor of {@code shape}. */
    static long bytes(Shape shape) {
        return bytes(shape, DType.FLOAT32);
    }

    /** Bytes of a tensor of {@code shape} stored in {@code dtype}. */
    static long bytes(Shape shape, DType dtype) {
        return Math.multiplyExact(shape.elementCount(), (long) dtype.bytes());
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
        return wrap(context, mem, shape, DType.FLOAT32);
    }

    /** As {@link #wrap(ClContext, cl_mem, Shape)} for a tensor stored in {@code dtype}. */
    public static DeviceTensor wrap(ClContext context, cl_mem mem, Shape shape, DType dtype) {
        Checks.requireNonNull(context, "context");
        Checks.requireNonNull(shape, "shape");
        Checks.requireNonNull(dtype, "dtype");
        KernelFamilies.requireDeviceSupports(dtype, context);
        return new DeviceTensor(shape, dtype, ClBuffer.wrap(context, mem, bytes(shape, dtype), "the tensor"));
    }

    /** A new, uninitialized float32 tensor of {@code shape} on {@code context}'s device. */
    public static DeviceTensor allocate(ClContext context, Shape shape) {
        return allocate(context, shape, DType.FLOAT32);
    }

    /** A new, uninitialized tensor of {@code shape} stored in {@code dtype}. */
    public static DeviceTensor allocate(ClContext context, Shape shape, DType dtype) {
        Checks.requireNonNull(context, "context");
        Checks.requireNonNull(shape, "shape");
        Checks.requireNonNull(dtype, "dtype");
        KernelFamilies.requireDeviceSupports(dtype, context);
        return new DeviceTensor(shape, dtype, context.allocate(bytes(shape, dtype), dtype.label() + " tensor " + shape));
    }

    /** A new tensor holding a copy of {@code tensor}, in its shape and type (a blocking upload). */
    public static DeviceTensor upload(ClContext context, Tensor tensor) {
        Checks.requireNonNull(tensor, "tensor");
        DeviceTensor result = allocate(context, tensor.shape(), tensor.dtype());
        try {
            if (tensor.dtype() == DType.FLOAT64) {
                result.buffer.write(tensor.doubles());
            } else {
                result.writeValues(tensor.data());
            }
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
        return upload(context, shape, DType.FLOAT32, data);
    }

    /** As {@link #upload(ClContext, Shape, java.nio.Buffer)} for a tensor stored in {@code dtype} (a ByteBuffer of its bits). */
    public static DeviceTensor upload(ClContext context, Shape shape, DType dtype, java.nio.Buffer data) {
        DeviceTensor result = allocate(context, shape, dtype);
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

    /** The type the elements are stored in. */
    public DType dtype() {
        return dtype;
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

    /** Copies the tensor to a new host tensor of its shape and type (blocking). */
    public Tensor download() {
        if (dtype == DType.FLOAT64) {
            double[] values = new double[shape.elementCountAsInt()];
            buffer.read(values);
            return Tensor.ofDoubles(shape, values);
        }
        float[] data = new float[shape.elementCountAsInt()];
        if (dtype == DType.FLOAT32) {
            buffer.read(data);
        } else {
            short[] bits = new short[data.length];
            buffer.read(bits);
            for (int i = 0; i < bits.length; i++) {
                data[i] = dtype == DType.FLOAT16 ? DType.halfToFloat(bits[i]) : DType.bfloat16ToFloat(bits[i]);
            }
        }
        return new Tensor(shape, data, dtype);
    }

    /** Writes {@code values} (exact in this tensor's type) in the type's bits; blocking. */
    private void writeValues(float[] values) {
        if (dtype == DType.FLOAT32) {
            buffer.write(values);
            return;
        }
        short[] bits = new short[values.length];
        for (int i = 0; i < bits.length; i++) {
            bits[i] = dtype == DType.FLOAT16 ? DType.floatToHalf(values[i]) : DType.floatToBfloat16(values[i]);
        }
        buffer.write(bits);
    }

    /** Overwrites the tensor from {@code data} (see {@link #upload(ClContext, Shape, java.nio.Buffer)}); blocking. */
    public void write(java.nio.Buffer data) {
        buffer.transfer(true, requireHostBuffer(data, "data"), bytes(shape, dtype));
    }

    /** Copies the tensor into {@code data}, a direct FloatBuffer or little-endian ByteBuffer of the tensor's size; blocking. */
    public void read(java.nio.Buffer data) {
        buffer.transfer(false, requireHostBuffer(data, "data"), bytes(shape, dtype));
    }

    /** A direct float or little-endian byte buffer whose remaining size is exactly this tensor's. */
    private java.nio.Buffer requireHostBuffer(java.nio.Buffer data, String name) {
        Checks.requireNonNull(data, name);
        long bytes = bytes(shape, dtype);
        long remaining;
        if (data instanceof FloatBuffer floats) {
            if (dtype != DType.FLOAT32) {
                throw new IllegalArgumentException(name + " of a " + dtype.label()
                        + " tensor should be a ByteBuffer of its bits, but got a FloatBuffer");
            }
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
