package io.clpool.io;

import io.clpool.spec.DType;
import java.util.Arrays;

/**
 * The content of a {@code .npy} file: its dtype, its shape and its elements, kept in the file's
 * own precision (float16 and float32 as floats, float64 as doubles, integers widened to long) so
 * that no value is rounded before the caller decides how to convert it.
 */
public final class NpyArray {
    private final String descr;
    private final boolean float16;
    private final long[] shape;
    private final float[] float32;
    private final double[] float64;
    private final long[] integers;

    private NpyArray(String descr, long[] shape, float[] float32, double[] float64, long[] integers, boolean float16) {
        this.descr = descr;
        this.float16 = float16;
        this.shape = shape.clone();
        this.float32 = float32;
        this.float64 = float64;
        this.integers = integers;
    }

    static NpyArray ofFloat32(String descr, long[] shape, float[] values) {
        return new NpyArray(descr, shape, values, null, null, false);
    }

    /** float16 elements, already widened (exactly) to float. */
    static NpyArray ofFloat16(String descr, long[] shape, float[] values) {
        return new NpyArray(descr, shape, values, null, null, true);
    }

    static NpyArray ofFloat64(String descr, long[] shape, double[] values) {
        return new NpyArray(descr, shape, null, values, null, false);
    }

    static NpyArray ofIntegers(String descr, long[] shape, long[] values) {
        return new NpyArray(descr, shape, null, null, values, false);
    }

    /** The dtype as the header wrote it, e.g. {@code <f4} or {@code >i8}. */
    public String dtype() {
        return descr;
    }

    /** NumPy's name of the dtype: float16, float32, float64, int32 or int64. */
    public String typeName() {
        return Npy.typeName(descr);
    }

    public long[] shape() {
        return shape.clone();
    }

    public boolean isFloat32() {
        return float32 != null && !float16;
    }

    /** A float16 file ({@code <f2}, read with {@link Npy.Float16#READ}); {@link #toFloats()} gives its values exactly. */
    public boolean isFloat16() {
        return float16;
    }

    public boolean isFloat64() {
        return float64 != null;
    }

    public boolean isInteger() {
        return integers != null;
    }

    public int elementCount() {
        return float32 != null ? float32.length : isFloat64() ? float64.length : integers.length;
    }

    /** Elements as float32: float16 exactly, float64 rounded to nearest, integers as Java's cast converts them. */
    public float[] toFloats() {
        if (float32 != null) {
            return float32.clone();
        }
        float[] out = new float[elementCount()];
        for (int i = 0; i < out.length; i++) {
            out[i] = isFloat64() ? (float) float64[i] : (float) integers[i];
        }
        return out;
    }

    /**
     * Float elements rounded once to {@code type}, to nearest even: float16 and float32 elements
     * with {@link DType#round}, float64 elements straight from the double (never through a float
     * rounded first, which could round twice). Integer arrays are rejected.
     */
    public float[] toFloats(DType type) {
        if (isInteger()) {
            throw new IllegalArgumentException("a tensor should have a float dtype (float16, float32 or float64), but got "
                    + typeName() + " ('" + descr + "')");
        }
        if (float32 != null) {
            float[] out = float32.clone();
            for (int i = 0; i < out.length; i++) {
                out[i] = type.round(out[i]);
            }
            return out;
        }
        float[] out = new float[float64.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = round(float64[i], type);
        }
        return out;
    }

    /**
     * {@code value} rounded to nearest even in {@code type}. To float32, Java's cast; to a half
     * type, through a float rounded to odd (truncated toward zero, its last bit set when anything
     * was cut off): a float's 24 significant bits are at least two more than float16's 11 and
     * bfloat16's 8, so rounding that float to the type gives what rounding the double would.
     */
    static float round(double value, DType type) {
        return (float) type.round(value);
    }

    /** Float elements as doubles: float16 and float32 widened exactly, float64 as they are. Integer arrays are rejected. */
    public double[] toDoubles() {
        if (isInteger()) {
            throw new IllegalArgumentException("a tensor should have a float dtype (float16, float32 or float64), but got "
                    + typeName() + " ('" + descr + "')");
        }
        if (isFloat64()) {
            return float64.clone();
        }
        double[] out = new double[float32.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = float32[i];
        }
        return out;
    }

    /** A tensor of {@code shape} holding these elements rounded once to {@code type} (float64: exactly, as doubles). */
    public io.clpool.Tensor toTensor(io.clpool.spec.Shape shape, DType type) {
        return type == DType.FLOAT64 ? io.clpool.Tensor.ofDoubles(shape, toDoubles()) : new io.clpool.Tensor(shape, toFloats(type), type);
    }

    public int[] toInts() {
        if (!isInteger()) {
            throw new IllegalArgumentException("an index array should have an integer dtype (int64 or int32), but got "
                    + typeName() + " ('" + descr + "')");
        }
        int[] out = new int[integers.length];
        for (int i = 0; i < out.length; i++) {
            long v = integers[i];
            if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("index array element " + i + " should be in int32's range, but got " + v);
            }
            out[i] = (int) v;
        }
        return out;
    }

    @Override
    public String toString() {
        return typeName() + " " + Arrays.toString(shape);
    }
}
