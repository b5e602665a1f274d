package io.clpool.spec;

/**
 * A dense shape with two or three spatial axes, given channels second whatever its memory
 * {@link Layout}: N×C×H×W (2-D pooling, and 1-D as N×C×1×L) or N×C×D×H×W (3-D pooling). A 2-D
 * shape has {@code d() == 1}; its rank is what tells the two apart, so a 3-D shape of depth 1 is
 * not a 2-D shape. The layout is part of the shape: a channels-last tensor's elements lie N, H, W,
 * C (N, D, H, W, C), and two shapes that differ only in layout are different shapes. Every
 * dimension is positive; element counts are {@code long} so that products never overflow
 * silently. A plane is one (n, c) slice: H·W elements, or D·H·W in 3-D, and indices are logical
 * offsets inside it ({@code d·H·W + h·W + w}) in either layout.
 */
public record Shape(int n, int c, int d, int h, int w, int spatialAxes, Layout layout) {

    public Shape {
        Checks.requireNonNull(layout, "layout");
        if (spatialAxes != 2 && spatialAxes != 3) {
            throw Checks.invalid("the spatial axes of a shape", "2 (N,C,H,W) or 3 (N,C,D,H,W)", "spatialAxes: " + spatialAxes);
        }
        if (spatialAxes == 2 && d != 1) {
            throw Checks.invalid("the depth of a 4-D shape", "1", "d: " + d);
        }
        String dims = n + "x" + c + (spatialAxes == 3 ? "x" + d : "") + "x" + h + "x" + w;
        if (n <= 0 || c <= 0 || d <= 0 || h <= 0 || w <= 0) {
            throw Checks.invalid("every dimension of a shape", "positive", "shape: " + dims);
        }
        // N·C·D·H·W of five ints can pass 2^63: (N·C) and (D·H) each fit a long, and so does their
        // product with W unless it is checked.
        long planes = (long) n * c;
        long depthRows = (long) d * h;
        long planeSize = Math.multiplyHigh(depthRows, w) != 0 ? Long.MAX_VALUE : depthRows * w;
        if (planeSize < 0 || Math.multiplyHigh(planes, planeSize) != 0 || planes * planeSize > MAX_ELEMENTS
                || planes * planeSize < 0) {
            throw Checks.invalid("the element count of a shape", "at most " + MAX_ELEMENTS
                    + " (its size in bytes, 8 per int64 index, must fit a long)", "shape: " + dims);
        }
    }

    /** A 4-D N×C×H×W shape (2-D pooling), channels first. */
    public Shape(int n, int c, int h, int w) {
        this(n, c, 1, h, w, 2, Layout.CHANNELS_FIRST);
    }

    /** A channels-first shape with two (d = 1) or three spatial axes. */
    public Shape(int n, int c, int d, int h, int w, int spatialAxes) {
        this(n, c, d, h, w, spatialAxes, Layout.CHANNELS_FIRST);
    }

    /** The most elements a shape may have: 2^60 − 1, so that 8 bytes per element still fit a long. */
    public static final long MAX_ELEMENTS = Long.MAX_VALUE / Long.BYTES;

    public static Shape of(int n, int c, int h, int w) {
        return new Shape(n, c, h, w);
    }

    /** A 5-D N×C×D×H×W shape (3-D pooling). */
    public static Shape of(int n, int c, int d, int h, int w) {
        return new Shape(n, c, d, h, w, 3);
    }

    /** Builds a shape from four (N, C, H, W) or five (N, C, D, H, W) dimensions, naming the array on error. */
    public static Shape of(long[] dims) {
        if (dims.length != 4 && dims.length != 5) {
            throw Checks.invalid("the shape", "4-D (N, C, H, W) or 5-D (N, C, D, H, W)",
                    dims.length + "-D " + java.util.Arrays.toString(dims));
        }
        for (long dim : dims) {
            if (dim <= 0 || dim > Integer.MAX_VALUE) {
                throw Checks.invalid("every dimension of a shape", "in [1, " + Integer.MAX_VALUE + "]",
                        "shape: " + java.util.Arrays.toString(dims));
            }
        }
        return dims.length == 4 ? of((int) dims[0], (int) dims[1], (int) dims[2], (int) dims[3])
                : of((int) dims[0], (int) dims[1], (int) dims[2], (int) dims[3], (int) dims[4]);
    }

    /** The same logical shape with its elements in {@code newLayout}. */
    public Shape withLayout(Layout newLayout) {
        return new Shape(n, c, d, h, w, spatialAxes, newLayout);
    }

    /** The same logical shape, channels last (NHWC, NDHWC). */
    public Shape channelsLast() {
        return withLayout(Layout.CHANNELS_LAST);
    }

    public boolean isChannelsLast() {
        return layout == Layout.CHANNELS_LAST;
    }

    /**
     * Where logical element (n, c, in-plane offset {@code at}) lies in memory: {@code plane·D·H·W + at}
     * channels first, {@code (n·D·H·W + at)·C + c} channels last. {@code at} is {@code d·H·W + h·W + w}.
     */
    public long position(int n, int c, long at) {
        return layout == Layout.CHANNELS_FIRST ? ((long) n * this.c + c) * planeSize() + at
                : ((long) n * planeSize() + at) * this.c + c;
    }

    /** Where logical element (n, c, h, w) of a 4-D shape (d 0 of a 5-D one) lies in memory. */
    public long position(int n, int c, int h, int w) {
        return position(n, c, (long) h * this.w + w);
    }

    /** True for an N×C×D×H×W shape. */
    public boolean volumetric() {
        return spatialAxes == 3;
    }

    /** 4 or 5: the number of dimensions, N and C included. */
    public int rank() {
        return spatialAxes + 2;
    }

    /** Number of (n, c) planes. */
    public long planes() {
        return (long) n * c;
    }

    /** Elements in one plane: H·W, or D·H·W in 3-D. */
    public long planeSize() {
        return (long) d * h * w;
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

    /** The same N and C with a new H×W plane; for 4-D shapes only (a 5-D one needs its depth too). */
    public Shape withSpatial(int newH, int newW) {
        if (volumetric()) {
            throw new IllegalStateException("a 5-D shape (" + this + ") needs three spatial sizes, but got " + newH + "x" + newW);
        }
        return new Shape(n, c, 1, newH, newW, 2, layout);
    }

    /** The same N, C and rank with new spatial sizes; {@code newD} must be 1 for a 4-D shape. */
    public Shape withSpatial(int newD, int newH, int newW) {
        return new Shape(n, c, newD, newH, newW, spatialAxes, layout);
    }

    /** The same shape with {@code newN} samples. */
    public Shape withBatch(int newN) {
        return new Shape(newN, c, d, h, w, spatialAxes, layout);
    }

    /** The logical dimensions, channels second: N, C, (D,) H, W. */
    public long[] toLongArray() {
        return volumetric() ? new long[] {n, c, d, h, w} : new long[] {n, c, h, w};
    }

    /** The dimensions in memory order: the logical ones, or N, (D,) H, W, C channels last (a file's shape). */
    public long[] memoryDims() {
        if (layout == Layout.CHANNELS_FIRST) {
            return toLongArray();
        }
        return volumetric() ? new long[] {n, d, h, w, c} : new long[] {n, h, w, c};
    }

    /** The logical shape of {@code dims} given in memory order ({@link #memoryDims()}) for {@code layout}. */
    public static Shape fromMemoryDims(long[] dims, Layout layout) {
        Checks.requireNonNull(layout, "layout");
        if (layout == Layout.CHANNELS_FIRST || dims.length < 4) {
            return of(dims).withLayout(layout);
        }
        long[] logical = new long[dims.length];
        logical[0] = dims[0];
        logical[1] = dims[dims.length - 1];
        System.arraycopy(dims, 1, logical, 2, dims.length - 2);
        return of(logical).withLayout(layout);
    }

    /** Logical dimensions, then the memory order where it is channels last: {@code 2x3x4x5}, {@code 2x3x4x5 (NHWC)}. */
    @Override
    public String toString() {
        return n + "x" + c + (volumetric() ? "x" + d : "") + "x" + h + "x" + w
                + (layout == Layout.CHANNELS_LAST ? " (" + layout.order(spatialAxes) + ")" : "");
    }
}
