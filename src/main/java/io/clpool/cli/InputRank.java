package io.clpool.cli;

import io.clpool.spec.Layout;
import io.clpool.spec.PoolSpec;
import io.clpool.spec.Shape;
import java.util.Arrays;

/**
 * The rank of a command's input, which decides the pooling: an N×C×L array pools along L (1-D,
 * run as N×C×1×L, as {@link io.clpool.Pooling1d} does), N×C×H×W over H and W (2-D), N×C×D×H×W over
 * D, H and W (3-D). Every file a command reads or writes besides the input has the input's rank,
 * and every window flag one value, or one per spatial axis of this rank. With {@code --channels-last}
 * the 4-D and 5-D files are stored N,H,W,C and N,D,H,W,C ({@link Layout#CHANNELS_LAST}); the
 * library's shapes are logical (channels second) whatever the layout, and this class converts
 * between the two.
 */
enum InputRank {
    ONE_D(3, "N,C,L", null, "L"),
    TWO_D(4, "N,C,H,W", "N,H,W,C", "H,W"),
    THREE_D(5, "N,C,D,H,W", "N,D,H,W,C", "D,H,W");

    private final int dims;
    private final String layout;
    /** The files' dimensions channels last; null for 1-D, which has no channels-last form (nor in PyTorch). */
    private final String channelsLastLayout;
    private final String axes;

    InputRank(int dims, String layout, String channelsLastLayout, String axes) {
        this.dims = dims;
        this.layout = layout;
        this.channelsLastLayout = channelsLastLayout;
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

    /** How messages name files of this rank stored in {@code fileLayout}: {@code 4-D (N,H,W,C)} channels last. */
    String describe(Layout fileLayout) {
        return dims + "-D (" + dimNames(fileLayout) + ")";
    }

    /** Whether files of this rank can be stored in {@code fileLayout}: 1-D files only channels first. */
    boolean takes(Layout fileLayout) {
        return fileLayout == Layout.CHANNELS_FIRST || channelsLastLayout != null;
    }

    /** The names of the files' dimensions in {@code fileLayout}: {@code N,C,H,W}, or {@code N,H,W,C} channels last. */
    private String dimNames(Layout fileLayout) {
        return fileLayout == Layout.CHANNELS_LAST && channelsLastLayout != null ? channelsLastLayout : layout;
    }

    /** What the .npy files of this rank hold, for messages: {@code a 5-D (N,C,D,H,W) array}. */
    static String allowed() {
        return "a 3-D (N,C,L), 4-D (N,C,H,W) or 5-D (N,C,D,H,W) array";
    }

    /** The library's shape of a channels-first array of this rank; throws IllegalArgumentException for a bad one. */
    Shape shape(long[] npyDims) {
        return shape(npyDims, Layout.CHANNELS_FIRST);
    }

    /**
     * The library's (logical) shape of an array of this rank whose dimensions are in
     * {@code fileLayout}'s order ({@link Shape#fromMemoryDims}); throws IllegalArgumentException
     * for a bad one, or for a 1-D array channels last (callers refuse that first, naming the file).
     */
    Shape shape(long[] npyDims, Layout fileLayout) {
        if (npyDims.length != dims) {
            throw new IllegalArgumentException("expected " + describe(fileLayout) + ", but got " + Arrays.toString(npyDims));
        }
        if (!takes(fileLayout)) {
            throw new IllegalArgumentException(describe() + " arrays have no channels-last form");
        }
        if (this != ONE_D) {
            return Shape.fromMemoryDims(npyDims, fileLayout);
        }
        return Shape.of(new long[] {npyDims[0], npyDims[1], 1, npyDims[2]});
    }

    /** The .npy dimensions of {@code shape} in its layout's order ({@link Shape#memoryDims}); N,C,L for a 1-D N×C×1×L shape. */
    long[] npyDims(Shape shape) {
        return this == ONE_D ? new long[] {shape.n(), shape.c(), shape.w()} : shape.memoryDims();
    }

    /**
     * A shape as the user's files have it: {@code 2x3x8} for 1-D, not the internal {@code 2x3x1x8};
     * a channels-last shape in its files' order with the dimensions named, {@code 2x5x6x3 (N,H,W,C)}.
     */
    String format(Shape shape) {
        if (this == ONE_D) {
            return shape.n() + "x" + shape.c() + "x" + shape.w();
        }
        if (!shape.isChannelsLast()) {
            return shape.toString();
        }
        StringBuilder text = new StringBuilder();
        for (long d : shape.memoryDims()) {
            text.append(text.length() == 0 ? "" : "x").append(d);
        }
        return text.append(" (").append(channelsLastLayout).append(")").toString();
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
     * rank's, as the input's, with its dimensions in the files' order ({@code fileLayout}: N,H,W,C
     * channels last). Returns the library's shape.
     */
    Shape wholeShape(String flag, Flags.PerAxis given, String input, Layout fileLayout) {
        if (given.count() != dims) {
            throw new UsageError(flag + " " + given + " gives " + given.count() + " values, but " + input + " is "
                    + describe(fileLayout) + ": give " + dimNames(fileLayout));
        }
        long[] npy = new long[dims];
        for (int i = 0; i < dims; i++) {
            npy[i] = given.get(i);
        }
        try {
            return shape(npy, fileLayout);
        } catch (IllegalArgumentException e) {
            throw new UsageError(flag + " " + given + ": " + e.getMessage());
        }
    }
}
