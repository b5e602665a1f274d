package io.clpool.opencl;

import io.clpool.IndexTensor;
import io.clpool.spec.Shape;

/** Int32 winning-tap indices resident on the device, kept there between a forward and its backward. */
public final class DeviceIndices implements AutoCloseable {
    private final Shape shape;
    private final ClBuffer buffer;

    DeviceIndices(Shape shape, ClBuffer buffer) {
        this.shape = shape;
        this.buffer = buffer;
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
