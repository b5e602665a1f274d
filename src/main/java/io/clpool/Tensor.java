package io.clpool;

import io.clpool.spec.Checks;
import io.clpool.spec.DType;
import io.clpool.spec.Layout;
import io.clpool.spec.Shape;

/**
 * A dense tensor on the host: its shape (with its memory layout), its elements in that layout,
 * and the type it is stored in. The values are floats exactly representable in the type (a
 * float16 tensor holds float16 values); {@link #rounded} makes one from any floats. The array is
 * shared, not copied.
 */
public record Tensor(Shape shape, float[] data, DType dtype) {

    public Tensor {
        Checks.requireNonNull(shape, "shape");
        Checks.requireNonNull(data, "data");
        Checks.requireNonNull(dtype, "dtype");
        if (data.length != shape.elementCount()) {
            throw Checks.invalid("the data length", "the shape's element count " + shape.elementCount() + " for " + shape,
                    "length: " + data.length);
        }
        if (dtype != DType.FLOAT32) {
            for (int i = 0; i < data.length; i++) {
                if (!dtype.represents(data[i])) {
                    throw Checks.invalid("every value of a " + dtype.label() + " tensor", "representable in " + dtype.label()
                            + " (use Tensor.rounded)", "data[" + i + "]: " + data[i]);
                }
            }
        }
    }

    /** A float32 tensor. */
    public Tensor(Shape shape, float[] data) {
        this(shape, data, DType.FLOAT32);
    }

    /** A tensor of {@code dtype} holding {@code data} rounded to it (to nearest even), in place. */
    public static Tensor rounded(Shape shape, float[] data, DType dtype) {
        Checks.requireNonNull(data, "data");
        Checks.requireNonNull(dtype, "dtype");
        for (int i = 0; i < data.length; i++) {
            data[i] = dtype.round(data[i]);
        }
        return new Tensor(shape, data, dtype);
    }

    public static Tensor zeros(Shape shape) {
        return new Tensor(shape, new float[shape.elementCountAsInt()]);
    }

    /** Zeros of {@code shape} stored in {@code dtype}. */
    public static Tensor zeros(Shape shape, DType dtype) {
        return new Tensor(shape, new float[shape.elementCountAsInt()], dtype);
    }

    /** The same logical tensor with its elements in {@code layout} (this tensor when it already is). */
    public Tensor withLayout(Layout layout) {
        if (layout == shape.layout()) {
            return this;
        }
        Shape target = shape.withLayout(layout);
        return new Tensor(target, permute(data, shape, target), dtype);
    }

    /** The same values rounded to {@code type} (to nearest even): a copy, or this tensor when the type is its own. */
    public Tensor toType(DType type) {
        return type == dtype ? this : rounded(shape, data.clone(), type);
    }

    /** Moves every element from where {@code from} puts it to where {@code to} does (the same logical shape). */
    static float[] permute(float[] data, Shape from, Shape to) {
        float[] result = new float[data.length];
        long planeSize = from.planeSize();
        for (int n = 0; n < from.n(); n++) {
            for (int c = 0; c < from.c(); c++) {
                for (long at = 0; at < planeSize; at++) {
                    result[(int) to.position(n, c, at)] = data[(int) from.position(n, c, at)];
                }
            }
        }
        return result;
    }

    /** The element at logical (n, c, h, w) of a 4-D tensor, in either layout. */
    public float get(int n, int c, int h, int w) {
        return data[offset(n, c, h, w)];
    }

    /** The element at logical (n, c, d, h, w) of a 5-D tensor (or of a 4-D one with {@code d} 0), in either layout. */
    public float get(int n, int c, int d, int h, int w) {
        return data[offset(n, c, d, h, w)];
    }

    /** Where logical (n, c, h, w) of a 4-D tensor lies in {@link #data()}; a 5-D one needs its depth too. */
    public int offset(int n, int c, int h, int w) {
        if (shape.volumetric()) {
            throw new IllegalStateException("a 5-D tensor (" + shape + ") needs a depth coordinate, but got (n=" + n + ", c=" + c
                    + ", h=" + h + ", w=" + w + ")");
        }
        return offset(n, c, 0, h, w);
    }

    /**
     * Where logical (n, c, d, h, w) lies in {@link #data()} ({@link Shape#position}); d is 0 in a
     * 4-D tensor. Coordinates are not checked; a host tensor's positions fit an int.
     */
    public int offset(int n, int c, int d, int h, int w) {
        return (int) shape.position(n, c, ((long) d * shape.h() + h) * shape.w() + w);
    }
}
