package io.clpool.spec;

/**
 * A dense NCHW shape. Every dimension is positive; element counts are {@code long} so that
 * products never overflow silently.
 */
public record Shape(int n, int c, int h, int w) {

    public Shape {
        if (n <= 0 || c <= 0 || h <= 0 || w <= 0) {
            throw Checks.invalid("every dimension of an NCHW shape", "positive", "shape: " + n + "x" + c + "x" + h + "x" + w);
        }
        // N·C·H·W of four ints can pass 2^63: (N·C) and (H·W) each fit a long, their product may not.
        long planes = (long) n * c;
        long planeSize = (long) h * w;
        if (Math.multiplyHigh(planes, planeSize) != 0 || planes * planeSize > MAX_ELEMENTS) {
            throw Checks.invalid("the element count of an NCHW shape", "at most " + MAX_ELEMENTS
                    + " (its size in bytes, 8 per int64 index, must fit a long)",
                    "shape: " + n + "x" + c + "x" + h + "x" + w);
        }
    }

    /** The most elements a shape may have: 2^60 − 1, so that 8 bytes per element still fit a long. */
    public static final long MAX_ELEMENTS = Long.MAX_VALUE / Long.BYTES;

    public static Shape of(int n, int c, int h, int w) {
        return new Shape(n, c, h, w);
    }

    /** Builds a shape from an array of exactly four dimensions, naming the array on error. */
    public static Shape of(long[] dims) {
        if (dims.length != 4) {
            throw Checks.invalid("the shape", "4-D (N, C, H, W)", dims.length + "-D " + java.util.Arrays.toString(dims));
        }
        for (long d : dims) {
            if (d <= 0 || d > Integer.MAX_VALUE) {
                throw Checks.invalid("every dimension of an NCHW shape", "in [1, " + Integer.MAX_VALUE + "]",
                        "shape: " + java.util.Arrays.toString(dims));
            }
        }
        return new Shape((int) dims[0], (int) dims[1], (int) dims[2], (int) dims[3]);
    }

    /** Number of (n, c) planes. */
    public long planes() {
        return (long) n * c;
    }

    /** Elements in one H×W plane. */
    public long planeSize() {
        return (long) h * w;
    }

    public long elementCount() {
        return planes() * planeSize();
    }

    /**
     * Element count as an {@code int}, for shapes that back a Java array; larger shapes are
     * rejected with the count named.
     */
    public int elementCountAsInt() {
        long count = elementCount();
        if (count > Integer.MAX_VALUE - 8) {
            throw Checks.invalid("the element count of a host tensor", "at most " + (Integer.MAX_VALUE - 8),
                    "shape " + this + " with " + count + " elements");
        }
        return (int) count;
    }

    public Shape withSpatial(int newH, int newW) {
        return new Shape(n, c, newH, newW);
    }

    public long[] toLongArray() {
        return new long[] {n, c, h, w};
    }

    @Override
    public String toString() {
        return n + "x" + c + "x" + h + "x" + w;
    }
}
