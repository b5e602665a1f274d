package io.clpool;

import io.clpool.spec.Checks;
import io.clpool.spec.Shape;

/**
 * A dense float32 tensor on the host, N×C×H×W or N×C×D×H×W, row-major. The array is shared, not
 * copied.
 */
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

    /** The element at (n, c, h, w) of a 4-D tensor. */
    public float get(int n, int c, int h, int w) {
        return data[offset(n, c, h, w)];
    }

    /** The element at (n, c, d, h, w) of a 5-D tensor (or of a 4-D one with {@code d} 0). */
    public float get(int n, int c, int d, int h, int w) {
        return data[offset(n, c, d, h, w)];
    }

    /** The position of (n, c, h, w) in {@link #data()}, for a 4-D tensor; a 5-D one needs its depth too. */
    public int offset(int n, int c, int h, int w) {
        if (shape.volumetric()) {
            throw new IllegalStateException("a 5-D tensor (" + shape + ") needs a depth coordinate, but got (n=" + n + ", c=" + c
                    + ", h=" + h + ", w=" + w + ")");
        }
        return offset(n, c, 0, h, w);
    }

    /**
     * The position of (n, c, d, h, w) in {@link #data()}: {@code (n·C + c)·D·H·W + d·H·W + h·W + w}
     * (d is 0 in a 4-D tensor). Coordinates are not checked; a host tensor's positions fit an int.
     */
    public int offset(int n, int c, int d, int h, int w) {
        return (((n * shape.c() + c) * shape.d() + d) * shape.h() + h) * shape.w() + w;
    }
}
