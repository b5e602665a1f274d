package io.clpool;

import io.clpool.spec.Checks;
import io.clpool.spec.DType;
import io.clpool.spec.Layout;
import io.clpool.spec.Shape;

/**
 * A dense tensor on the host: its shape (with its memory layout), its elements in that layout,
 * and the type it is stored in. float32, float16 and bfloat16 tensors hold floats exactly
 * representable in the type ({@link #data()}; {@link #rounded} makes one from any floats); a
 * float64 tensor holds doubles ({@link #doubles()}, {@link #ofDoubles}) and its {@link #data()}
 * refuses rather than narrow. The array is shared, not copied.
 *
 * <p>{@code doubles} is null unless the type is float64, and {@code data} is null when it is.
 */
public record Tensor(Shape shape, float[] data, DType dtype, double[] doubles) {

    public Tensor {
        Checks.requireNonNull(shape, "shape");
        Checks.requireNonNull(dtype, "dtype");
        if (dtype == DType.FLOAT64) {
            Checks.requireNonNull(doubles, "doubles");
            if (data != null) {
                throw Checks.invalid("the float data of a float64 tensor", "null (float64 values are doubles)", "a float[]");
            }
            requireLength(doubles.length, shape);
        } else {
            Checks.requireNonNull(data, "data");
            if (doubles != null) {
                throw Checks.invalid("the double data of a " + dtype.label() + " tensor", "null (only float64 holds doubles)",
                        "a double[]");
            }
            requireLength(data.length, shape);
        }
        if (dtype != DType.FLOAT32 && dtype != DType.FLOAT64) {
            for (int i = 0; i < data.length; i++) {
                if (!dtype.represents(data[i])) {
                    throw Checks.invalid("every value of a " + dtype.label() + " tensor", "representable in " + dtype.label()
                            + " (use Tensor.rounded)", "data[" + i + "]: " + data[i]);
                }
            }
        }
    }

    private static void requireLength(int length, Shape shape) {
        if (length != shape.elementCount()) {
            throw Checks.invalid("the data length", "the shape's element count " + shape.elementCount() + " for " + shape,
                    "length: " + length);
        }
    }

    /**
     * A tensor of {@code dtype} holding {@code data}; a float64 one holds them widened to doubles
     * (exactly), in a new array.
     */
    public Tensor(Shape shape, float[] data, DType dtype) {
        this(shape, dtype == DType.FLOAT64 ? null : data, dtype, dtype == DType.FLOAT64 ? widen(data) : null);
    }

    /** A float64 tensor holding {@code data} (shared, not copied). */
    public static Tensor ofDoubles(Shape shape, double[] data) {
        return new Tensor(shape, null, DType.FLOAT64, data);
    }

    /** The floats of a float32, float16 or bfloat16 tensor; a float64 tensor refuses (its values are {@link #doubles()}). */
    @Override
    public float[] data() {
        if (dtype == DType.FLOAT64) {
            throw new IllegalStateException("a float64 tensor (" + shape + ") holds doubles: read doubles() or toDoubles(), "
                    + "or convert with toType");
        }
        return data;
    }

    /** The doubles of a float64 tensor; other types refuse (their values are {@link #data()}). */
    @Override
    public double[] doubles() {
        if (dtype != DType.FLOAT64) {
            throw new IllegalStateException("a " + dtype.label() + " tensor (" + shape + ") holds floats: read data() or toDoubles()");
        }
        return doubles;
    }

    /** Every element as a double, in a new array (exact for every type). */
    public double[] toDoubles() {
        return dtype == DType.FLOAT64 ? doubles.clone() : widen(data);
    }

    private static double[] widen(float[] data) {
        Checks.requireNonNull(data, "data");
        double[] out = new double[data.length];
        for (int i = 0; i < data.length; i++) {
            out[i] = data[i];
        }
        return out;
    }

    /** A float32 tensor. */
    public Tensor(Shape shape, float[] data) {
        this(shape, data, DType.FLOAT32);
    }

    /** A tensor of {@code dtype} holding {@code data} rounded to it (to nearest even), in place (float64: widened). */
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
        if (dtype == DType.FLOAT64) {
            return ofDoubles(target, permute(doubles, shape, target));
        }
        return new Tensor(target, permute(data, shape, target), dtype);
    }

    /**
     * The same values rounded to {@code type} (to nearest even; from float64 once, straight from
     * the double; to float64 exactly): a copy, or this tensor when the type is its own.
     */
    public Tensor toType(DType type) {
        Checks.requireNonNull(type, "type");
        if (type == dtype) {
            return this;
        }
        if (dtype != DType.FLOAT64) {
            return rounded(shape, data.clone(), type);
        }
        float[] out = new float[doubles.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) type.round(doubles[i]);
        }
        return new Tensor(shape, out, type);
    }

    /** A tensor of {@code type} holding {@code values} rounded once to it (float64: the array itself, shared). */
    public static Tensor fromDoubles(Shape shape, double[] values, DType type) {
        return ofDoubles(shape, values).toType(type);
    }

    /** As {@link #permute(float[], Shape, Shape)} for doubles. */
    static double[] permute(double[] data, Shape from, Shape to) {
        double[] result = new double[data.length];
        forEachMove(from, to, (source, target) -> result[target] = data[source]);
        return result;
    }

    /** Moves every element from where {@code from} puts it to where {@code to} does (the same logical shape). */
    static float[] permute(float[] data, Shape from, Shape to) {
        float[] result = new float[data.length];
        forEachMove(from, to, (source, target) -> result[target] = data[source]);
        return result;
    }

    private interface Move {
        void apply(int source, int target);
    }

    /** Each element's position under {@code from} and under {@code to}, in logical order. */
    private static void forEachMove(Shape from, Shape to, Move move) {
        long planeSize = from.planeSize();
        for (int n = 0; n < from.n(); n++) {
            for (int c = 0; c < from.c(); c++) {
                for (long at = 0; at < planeSize; at++) {
                    move.apply((int) from.position(n, c, at), (int) to.position(n, c, at));
                }
            }
        }
    }

    /** The element at logical (n, c, h, w) of a 4-D tensor, in either layout. */
    public float get(int n, int c, int h, int w) {
        return data()[offset(n, c, h, w)];
    }

    /** The element at logical (n, c, d, h, w) of a 5-D tensor (or of a 4-D one with {@code d} 0), in either layout. */
    public float get(int n, int c, int d, int h, int w) {
        return data()[offset(n, c, d, h, w)];
    }

    /** The element at logical (n, c, d, h, w) as a double, any type (d is 0 in a 4-D tensor). */
    public double getDouble(int n, int c, int d, int h, int w) {
        int at = offset(n, c, d, h, w);
        return dtype == DType.FLOAT64 ? doubles[at] : data[at];
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
