package io.clpool.io;

/**
 * The content of a {@code .npy} file: its shape and its elements widened to double, so that a
 * float32, float64, int32 or int64 file reads the same way.
 */
public record NpyArray(String dtype, long[] shape, double[] values) {

    public long elementCount() {
        long count = 1;
        for (long d : shape) {
            count *= d;
        }
        return count;
    }

    public float[] toFloats() {
        float[] out = new float[values.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) values[i];
        }
        return out;
    }

    /** Elements as int32; values that are not integers in int32's range are rejected by the caller's check. */
    public int[] toInts() {
        int[] out = new int[values.length];
        for (int i = 0; i < out.length; i++) {
            double v = values[i];
            if (v != Math.rint(v) || v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("index array element " + i + " should be an int32 integer, but got " + v);
            }
            out[i] = (int) v;
        }
        return out;
    }
}
