package io.clpool.opencl;

import io.clpool.IndexTensor;
import io.clpool.spec.Shape;

/** Int32 winning-tap indices resident on the device, kept there between a forward and its backward. */
public final class DeviceIndices implements AutoCloseable {
    private final Shape shape;
    private final ClBuffer buffer;
    private volatile Object origin;

    /**
     * {@code origin} names the geometry a forward pass made these indices for, or is null for
     * indices that came from outside (an upload) and must be checked on the device before use.
     * Users cannot write into the buffer, so indices of a known origin stay valid for it.
     */
    DeviceIndices(Shape shape, ClBuffer buffer, Object origin) {
        this.shape = shape;
        this.buffer = buffer;
        this.origin = origin;
    }

    /** Records that a forward pass has just written these indices for {@code geometry} (null: unknown). */
    void madeFor(Object geometry, boolean written) {
        origin = written ? geometry : null;
    }

    /** True when a forward pass made these indices for exactly {@code geometry}. */
    boolean madeFor(Object geometry) {
        return origin != null && origin.equals(geometry);
    }

    public Shape shape() {
        return shape;
    }

    ClBuffer buffer() {
        return buffer;
    }

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
