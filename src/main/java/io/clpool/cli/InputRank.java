package io.clpool.cli;

import io.clpool.spec.PoolSpec;
import io.clpool.spec.Shape;
import java.util.Arrays;

/**
 * The rank of a command's input, which decides the pooling: an N×C×L array pools along L (1-D,
 * run as N×C×1×L, as {@link io.clpool.Pooling1d} does), N×C×H×W over H and W (2-D), N×C×D×H×W over
 * D, H and W (3-D). Every file a command reads or writes besides the input has the input's rank,
 * and every window flag one value, or one per spatial axis of this rank.
 */
enum InputRank {
    ONE_D(3, "N,C,L", "L"),
    TWO_D(4, "N,C,H,W", "H,W"),
    THREE_D(5, "N,C,D,H,W", "D,H,W");

    private final int dims;
    private final String layout;
    private final String axes;

    InputRank(int dims, String layout, String axes) {
        this.dims = dims;
        this.layout = layout;
        this.axes = axes;
    }

    /** The rank of an array of {@code count} dimensions, or null where clpool pools none. */
    static InputRank ofDims(int count) {
        for (InputRank rank : values()) {
            if (rank.dims == count) {
                return rank;
            }
        }
        return null;
    }

    /** The number of dimensions of the .npy files: 3, 4 or 5. */
    int dims() {
        return dims;
    }

    /** The number of spatial axes: 1, 2 or 3. */
    int spatialAxes() {
        return dims - 2;
    }

    /** How messages name it: {@code 5-D (N,C,D,H,W)}. */
    String describe() {
        return dims + "-D (" + layout + ")";
    }

    /** What the .npy files of this rank hold, for messages: {@code a 5-D (N,C,D,H,W) array}. */
    static String allowed() {
        return "a 3-D (N,C,L), 4-D (N,C,H,W) or 5-D (N,C,D,H,W) array";
    }

    /** The library's shape of an array of this rank; throws IllegalArgumentException for a bad one. */
    Shape shape(long[] npyDims) {
        if (npyDims.length != dims) {
            throw new IllegalArgumentException("expected " + describe() + ", but got " + Arrays.toString(npyDims));
        }
        if (this != ONE_D) {
            return Shape.of(npyDims);
        }
        return Shape.of(new long[] {npyDims[0], npyDims[1], 1, npyDims[2]});
    }

    /** The .npy dimensions of {@code shape}, an N×C×1×L shape giving N,C,L for 1-D. */
    long[] npyDims(Shape shape) {
        return this == ONE_D ? new long[] {shape.n(), shape.c(), shape.w()} : shape.toLongArray();
    }

    /** A shape as the user's files have it: {@code 2x3x8} for 1-D, not the internal {@code 2x3x1x8}. */
    String format(Shape shape) {
        return this == ONE_D ? shape.n() + "x" + shape.c() + "x" + shape.w() : shape.toString();
    }

    /**
     * A request as the user's flags have it: for 1-D the library's 1×k window ({@code kernel=1x3
     * stride=1x2}) printed along L alone ({@code kernel=3 stride=2}).
     */
    String format(PoolingRequest request) {
        return this == ONE_D ? request.toString().replaceAll("=\\d+x(\\d+)", "=$1") : request.toString();
    }

    /**
     * A window flag's values for this rank, in the library's axes: (H, W), or (D, H, W) in 3-D. One
     * value stands for every spatial axis; otherwise there must be one per axis ({@code L},
     * {@code H,W}, {@code D,H,W}). A 1-D value goes to W, and H gets {@code unusedAxis} (the value
     * that leaves it alone: 1 for a kernel, 0 for padding).
     *
     * @param input how messages name the input, e.g. {@code --input x.npy}
     */
    int[] perAxis(String flag, Flags.PerAxis given, int unusedAxis, String input) {
        int n = spatialAxes();
        if (given.count() != 1 && given.count() != n) {
            throw new UsageError(flag + " " + given + " gives " + given.count() + " values, but " + input + " is " + describe()
                    + ": give one value for every axis" + (n == 1 ? "" : " or " + n + " (" + axes + ")"));
        }
        int[] values = new int[n];
        for (int i = 0; i < n; i++) {
            values[i] = given.count() == 1 ? given.get(0) : given.get(i);
        }
        return this == ONE_D ? new int[] {unusedAxis, values[0]} : values;
    }

    /** The spec of these per-axis values (each from {@link #perAxis}): 2-D for 1-D and 2-D inputs, 3-D for 3-D ones. */
    static PoolSpec spec(int[] k, int[] s, int[] p, int[] d, boolean ceilMode) {
        return k.length == 3
                ? new PoolSpec(k[0], k[1], k[2], s[0], s[1], s[2], p[0], p[1], p[2], d[0], d[1], d[2], ceilMode, 3)
                : new PoolSpec(k[0], k[1], s[0], s[1], p[0], p[1], d[0], d[1], ceilMode);
    }

    /**
     * The rank of a whole shape given as a flag (unpool's {@code --output-shape}): it must be this
     * rank's, as the input's. Returns the library's shape.
     */
    Shape wholeShape(String flag, Flags.PerAxis given, String input) {
        if (given.count() != dims) {
            throw new UsageError(flag + " " + given + " gives " + given.count() + " values, but " + input + " is " + describe()
                    + ": give " + layout);
        }
        long[] npy = new long[dims];
        for (int i = 0; i < dims; i++) {
            npy[i] = given.get(i);
        }
        try {
            return shape(npy);
        } catch (IllegalArgumentException e) {
            throw new UsageError(flag + " " + given + ": " + e.getMessage());
        }
    }
}
