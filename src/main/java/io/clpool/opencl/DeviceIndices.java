package io.clpool.opencl;

import io.clpool.IndexTensor;
import io.clpool.spec.Checks;
import io.clpool.spec.Shape;
import org.jocl.Sizeof;
import org.jocl.cl_mem;

/**
 * Int32 winning-tap indices in device memory ({@code h·W + w} inside the input plane), kept there
 * between a forward and its backward: a buffer clpool allocated, or a caller's {@code cl_mem} it
 * borrows ({@link #wrap}). Closing releases clpool's reference only.
 */
public final class DeviceIndices implements AutoCloseable {
    private final Shape shape;
    private final ClBuffer buffer;
    private volatile Object origin;

    /**
     * {@code origin} names the geometry a forward pass made these indices for, or is null for
     * indices that came from outside (an upload, a wrapped buffer).
     */
    DeviceIndices(Shape shape, ClBuffer buffer, Object origin) {
        this.shape = shape;
        this.buffer = buffer;
        this.origin = origin;
    }

    /** Bytes of int32 indices of {@code shape}. */
    static long bytes(Shape shape) {
        return Math.multiplyExact(shape.elementCount(), (long) Sizeof.cl_int);
    }

    /**
     * Borrows the caller's {@code mem} as int32 indices of {@code shape}: it must belong to
     * {@code context}'s {@code cl_context} and hold at least the shape's bytes. Retained here and
     * released once by {@link #close()}.
     *
     * @throws IllegalArgumentException when an argument is null, the buffer belongs to another
     *         context, or it is too small for the shape
     */
    public static DeviceIndices wrap(ClContext context, cl_mem mem, Shape shape) {
        Checks.requireNonNull(context, "context");
        Checks.requireNonNull(shape, "shape");
        return new DeviceIndices(shape, ClBuffer.wrap(context, mem, bytes(shape), "the indices"), null);
    }

    /** New, uninitialized indices of {@code shape} on {@code context}'s device. */
    public static DeviceIndices allocate(ClContext context, Shape shape) {
        Checks.requireNonNull(context, "context");
        Checks.requireNonNull(shape, "shape");
        return new DeviceIndices(shape, context.allocate(bytes(shape), "indices " + shape), null);
    }

    /** New indices holding a copy of {@code indices} (a blocking upload). */
    public static DeviceIndices upload(ClContext context, IndexTensor indices) {
        Checks.requireNonNull(indices, "indices");
        DeviceIndices result = allocate(context, indices.shape());
        try {
            result.buffer.write(indices.data());
            return result;
        } catch (RuntimeException e) {
            result.close();
            throw e;
        }
    }

    /** Records that a forward pass writes these indices for {@code geometry} (null: unknown). */
    void recordOrigin(Object geometry) {
        origin = geometry;
    }

    /** True when a forward pass made these indices for exactly {@code geometry}. */
    boolean madeFor(Object geometry) {
        Object known = origin;
        return known != null && known.equals(geometry);
    }

    public Shape shape() {
        return shape;
    }

    /** The native buffer; still owned by this object (or its caller, when wrapped). */
    public cl_mem mem() {
        return buffer.mem();
    }

    /** The context these indices belong to. */
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

    /** Copies the indices to a new host tensor (blocking). */
    public IndexTensor download() {
        int[] data = new int[shape.elementCountAsInt()];
        buffer.read(data);
        return new IndexTensor(shape, data);
    }

    @Override
    public void close() {
        buffer.close();
    }
}
