package io.clpool.opencl;

import io.clpool.Tensor;
import io.clpool.spec.Shape;

/** A float32 NCHW tensor resident on the device: stays there until {@link #download()}. */
public final class DeviceTensor implements AutoCloseable {
    private final Shape shape;
    private final ClBuffer buffer;

    DeviceTensor(Shape shape, ClBuffer buffer) {
        this.shape = shape;
        this.buffer = buffer;
    }

    public Shape shape() {
        return shape;
    }

    ClBuffer buffer() {
        return buffer;
    }

    /** Copies the tensor to the host. */
    public Tensor download() {
        float[] data = new float[shape.elementCountAsInt()];
        buffer.read(data);
        return new Tensor(shape, data);
    }

    @Override
    public void close() {
        buffer.close();
    }
}
