package io.clpool;

import io.clpool.spec.Checks;
import io.clpool.spec.Shape;

/** A dense float32 NCHW tensor on the host. The array is shared, not copied. */
public record Tensor(Shape shape, float[] data) {

    public Tensor {
        Checks.requireNonNull(shape, "shape");
        Checks.requireNonNull(data, "data");
        if (data.length != shape.elementCount()) {
            throw Checks.invalid("the data length", "the shape's element count " + shape.elementCount() + " for " + shape,
                    "length: " + data.length);
        }
    }

    public static Tensor zeros(Shape shape) {
        return new Tensor(shape, new float[shape.elementCountAsInt()]);
    }

    public float get(int n, int c, int h, int w) {
        return data[offset(n, c, h, w)];
    }

    public int offset(int n, int c, int h, int w) {
        return ((n * shape.c() + c) * shape.h() + h) * shape.w() + w;
    }
}
