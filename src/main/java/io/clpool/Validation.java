package io.clpool;

import io.clpool.spec.AdaptiveWindows;
import io.clpool.spec.AvgOptions;
import io.clpool.spec.Checks;
import io.clpool.spec.FractionalWindows;
import io.clpool.spec.Layout;
import io.clpool.spec.PoolSpec;
import io.clpool.spec.Shape;

/**
 * Argument checks shared by every backend, run before any device work, so that bad input fails
 * the same way everywhere and never reaches a kernel.
 */
public final class Validation {
    private Validation() {}

    public static Shape pooledShape(Shape input, PoolSpec spec) {
        Checks.requireNonNull(input, "input");
        Checks.requireNonNull(spec, "spec");
        return spec.outputShape(input);
    }

    public static Shape avgPooledShape(Shape input, PoolSpec spec, AvgOptions options) {
        Checks.requireNonNull(options, "options");
        requireAvg(spec);
        return pooledShape(input, spec);
    }

    /** Average pooling takes no dilation. */
    public static void requireAvg(PoolSpec spec) {
        requireNoDilation("average pooling", spec);
    }

    public static Shape lpPooledShape(Shape input, PoolSpec spec, double norm) {
        requireLp(spec, norm);
        return pooledShape(input, spec);
    }

    public static void requireLp(PoolSpec spec, double norm) {
        Checks.requireNonNull(spec, "spec");
        if (!(norm > 0) || Double.isInfinite(norm)) {
            throw Checks.invalid("LP pooling norm", "positive and finite", "norm: " + norm);
        }
        // Every backend computes in float: the norm must survive the conversion, and so must 1/p
        // (the root), else y = (…)^(1/p) is pow(…, inf) and the backward's p − 1 is infinite too.
        float p = (float) norm;
        if (!(p > 0) || Float.isInfinite(p) || Float.isInfinite(1.0f / p)) {
            throw Checks.invalid("LP pooling norm", "positive and finite in float, with a finite reciprocal",
                    "norm: " + norm + " (as a float: " + p + ", reciprocal " + (1.0f / p) + ")");
        }
        if (spec.hasPadding()) {
            throw Checks.invalid("LP pooling padding", "0 (" + (spec.volumetric() ? "lp_pool3d" : "lp_pool2d") + " takes no padding)",
                    (spec.volumetric() ? "padD: " + spec.padD() + ", " : "") + "padH: " + spec.padH() + ", padW: " + spec.padW());
        }
        requireNoDilation("LP pooling", spec);
    }

    private static void requireNoDilation(String op, PoolSpec spec) {
        Checks.requireNonNull(spec, "spec");
        if (spec.hasDilation()) {
            // A 3-D spec names its depth dilation too: it may be the one that is not 1.
            throw Checks.invalid(op + " dilation", "1", (spec.volumetric() ? "dilationD: " + spec.dilationD() + ", " : "")
                    + "dilationH: " + spec.dilationH() + ", dilationW: " + spec.dilationW());
        }
    }

    public static Shape adaptiveShape(Shape input, int outH, int outW) {
        Checks.requireNonNull(input, "input");
        return AdaptiveWindows.outputShape(input, outH, outW);
    }

    /** The adaptive output shape of a 4-D input ({@code outD} 1) or a 5-D one, to {@code outD×outH×outW}. */
    public static Shape adaptiveShape(Shape input, int outD, int outH, int outW, int spatialAxes) {
        Checks.requireNonNull(input, "input");
        return AdaptiveWindows.outputShape(input, outD, outH, outW, spatialAxes);
    }

    /** The gradient of a fixed-window pooling must have the pooled shape of {@code inputShape}. */
    public static Shape requireGradOutput(Tensor gradOutput, Shape inputShape, PoolSpec spec) {
        Checks.requireNonNull(gradOutput, "gradOutput");
        Checks.requireNonNull(inputShape, "inputShape");
        Checks.requireNonNull(spec, "spec");
        Shape pooled = spec.outputShape(inputShape);
        Checks.requireShape("gradOutput", pooled, gradOutput.shape());
        return pooled;
    }

    /** Every index must be in its plane and inside its own window: the device then only ever touches legal memory. */
    public static void requireIndicesInWindows(Tensor gradOutput, IndexTensor indices, Shape inputShape, PoolSpec spec) {
        requireGradOutput(gradOutput, inputShape, spec);
        requireIndicesInWindows(indices, inputShape, spec);
    }

    /** Every index is in its plane and inside its own window of {@code spec} over {@code inputShape}. */
    public static void requireIndicesInWindows(IndexTensor indices, Shape inputShape, PoolSpec spec) {
        Checks.requireNonNull(inputShape, "inputShape");
        Checks.requireNonNull(spec, "spec");
        Shape pooled = spec.outputShape(inputShape);
        Checks.requireNonNull(indices, "indices");
        Checks.requireShape("indices", pooled, indices.shape());
        int[] idx = indices.withLayout(Layout.CHANNELS_FIRST).data(); // positions read channels first
        for (int i = 0; i < idx.length; i++) {
            int[] o = coordinates(i, pooled);
            int index = idx[i];
            requireInPlane(index, i, pooled, inputShape, INPUT_PLANE);
            int[] x = coordinates(index, inputShape);
            boolean inD = onTap(x[0], o[0] * spec.strideD() - spec.padD(), spec.kernelD(), spec.dilationD());
            boolean inH = onTap(x[1], o[1] * spec.strideH() - spec.padH(), spec.kernelH(), spec.dilationH());
            boolean inW = onTap(x[2], o[2] * spec.strideW() - spec.padW(), spec.kernelW(), spec.dilationW());
            if (!inD || !inH || !inW) {
                throw windowIndexError(index, i, pooled, inputShape);
            }
        }
    }

    /**
     * The (d, h, w) of position {@code i} inside its plane of {@code shape} (d is 0 in 2-D): the
     * in-plane offset of an element ({@code i} may be a whole-tensor position).
     */
    static int[] coordinates(long i, Shape shape) {
        long inPlane = i % shape.planeSize();
        long rows = inPlane / shape.w();
        return new int[] {(int) (rows / shape.h()), (int) (rows % shape.h()), (int) (inPlane % shape.w())};
    }

    public static void requireIndicesInAdaptiveWindows(Tensor gradOutput, IndexTensor indices, Shape inputShape) {
        Checks.requireNonNull(gradOutput, "gradOutput");
        Checks.requireNonNull(indices, "indices");
        Checks.requireNonNull(inputShape, "inputShape");
        Shape pooled = gradOutput.shape();
        Checks.requireShape("gradOutput planes", inputShape.withSpatial(pooled.d(), pooled.h(), pooled.w()), pooled);
        Checks.requireShape("indices", pooled, indices.shape());
        requireIndicesInAdaptiveWindows(indices, inputShape);
    }

    /** Every index lies in its own adaptive window; the output size is the indices' spatial size. */
    public static void requireIndicesInAdaptiveWindows(IndexTensor indices, Shape inputShape) {
        Checks.requireNonNull(indices, "indices");
        Checks.requireNonNull(inputShape, "inputShape");
        Shape pooled = indices.shape();
        Checks.requireShape("indices planes", inputShape.withSpatial(pooled.d(), pooled.h(), pooled.w()), pooled);
        int[] idx = indices.withLayout(Layout.CHANNELS_FIRST).data(); // positions read channels first
        for (int i = 0; i < idx.length; i++) {
            int[] o = coordinates(i, pooled);
            int index = idx[i];
            requireInPlane(index, i, pooled, inputShape, INPUT_PLANE);
            int[] x = coordinates(index, inputShape);
            boolean inD = inAdaptive(x[0], o[0], inputShape.d(), pooled.d());
            boolean inH = inAdaptive(x[1], o[1], inputShape.h(), pooled.h());
            boolean inW = inAdaptive(x[2], o[2], inputShape.w(), pooled.w());
            if (!inD || !inH || !inW) {
                throw adaptiveIndexError(index, i, pooled, inputShape);
            }
        }
    }

    private static boolean inAdaptive(int x, int o, int in, int out) {
        return x >= AdaptiveWindows.start(o, in, out) && x < AdaptiveWindows.end(o, in, out);
    }

    /** Every index lies in its own fractional max pooling window of {@code op} over {@code inputShape}. */
    public static void requireIndicesInFractionalWindows(IndexTensor indices, Shape inputShape, PoolOp.FractionalMax op) {
        requireIndicesInFractionalWindows(indices, inputShape, op, io.clpool.spec.DType.FLOAT32);
    }

    /** As {@link #requireIndicesInFractionalWindows(IndexTensor, Shape, PoolOp.FractionalMax)} with the windows an input of {@code type} has. */
    public static void requireIndicesInFractionalWindows(IndexTensor indices, Shape inputShape, PoolOp.FractionalMax op,
                                                         io.clpool.spec.DType type) {
        Checks.requireNonNull(inputShape, "inputShape");
        Checks.requireNonNull(op, "op");
        Shape pooled = op.outputShape(inputShape);
        Checks.requireNonNull(indices, "indices");
        Checks.requireShape("indices", pooled, indices.shape());
        float[] u = op.samplesFor(inputShape);
        int k = op.samplesPerPlane();
        double alphaD = FractionalWindows.alpha(inputShape.d(), pooled.d(), op.kernelD(), type);
        double alphaH = FractionalWindows.alpha(inputShape.h(), pooled.h(), op.kernelH(), type);
        double alphaW = FractionalWindows.alpha(inputShape.w(), pooled.w(), op.kernelW(), type);
        int[] idx = indices.withLayout(Layout.CHANNELS_FIRST).data(); // positions read channels first
        int planeOutputs = (int) pooled.planeSize();
        int inPlaneHW = inputShape.h() * inputShape.w();
        for (int i = 0; i < idx.length; i++) {
            int plane = i / planeOutputs;
            int at = i % planeOutputs;
            int od = at / (pooled.h() * pooled.w());
            int oh = at / pooled.w() % pooled.h();
            int ow = at % pooled.w();
            int index = idx[i];
            requireInPlane(index, i, pooled, inputShape, INPUT_PLANE);
            int d = index / inPlaneHW;
            int h = index % inPlaneHW / inputShape.w();
            int w = index % inputShape.w();
            float uD = op.sampleOfD() < 0 ? 0f : u[k * plane + op.sampleOfD()];
            int d0 = FractionalWindows.start(od, uD, alphaD, inputShape.d(), pooled.d(), op.kernelD(), type);
            int h0 = FractionalWindows.start(oh, u[k * plane + op.sampleOfH()], alphaH, inputShape.h(), pooled.h(), op.kernelH(), type);
            int w0 = FractionalWindows.start(ow, u[k * plane + op.sampleOfW()], alphaW, inputShape.w(), pooled.w(), op.kernelW(), type);
            if (d < d0 || d - d0 >= op.kernelD() || h < h0 || h - h0 >= op.kernelH() || w < w0 || w - w0 >= op.kernelW()) {
                throw fractionalIndexError(index, i, pooled, inputShape);
            }
        }
    }

    /** Unpooling: indices match the values and lie inside the output plane. */
    public static void requireUnpoolIndices(Shape pooled, IndexTensor indices, Shape outputShape) {
        Checks.requireNonNull(pooled, "values shape");
        Checks.requireNonNull(indices, "indices");
        Checks.requireNonNull(outputShape, "outputShape");
        requireUnpoolShapes(pooled, indices.shape(), outputShape);
        int[] idx = indices.withLayout(Layout.CHANNELS_FIRST).data(); // positions read channels first
        for (int i = 0; i < idx.length; i++) {
            requireInPlane(idx[i], i, pooled, outputShape, UNPOOLED_PLANE);
        }
    }

    /** Unpooling shapes: indices match the values, and the output keeps their batch and channels. */
    public static void requireUnpoolShapes(Shape pooled, Shape indices, Shape outputShape) {
        Checks.requireNonNull(outputShape, "outputShape");
        Checks.requireShape("indices", pooled, indices);
        if (outputShape.n() != pooled.n() || outputShape.c() != pooled.c()) {
            throw Checks.invalid("the unpooling output batch and channels", pooled.n() + "x" + pooled.c() + " as the input's",
                    "outputShape: " + outputShape);
        }
        // Indices are int32 offsets into the unpooled plane, and a value's position in its pooled
        // plane (plus one) is an int32 on the device (unpool.cl).
        if (outputShape.spatialAxes() != pooled.spatialAxes()) {
            throw Checks.invalid("the unpooling output shape", pooled.rank() + "-D as the input's", "outputShape: " + outputShape);
        }
        Checks.requireIndexablePlane("pooled", pooled);
        Checks.requireIndexablePlane("unpooled output", outputShape);
    }

    private static void requireInPlane(int index, int position, Shape pooled, Shape plane, IndexRole role) {
        if (index < 0 || index >= plane.planeSize()) {
            throw badIndex("in [0, " + plane.planeSize() + ")", index, position, pooled, plane, role);
        }
    }

    /** The error for a pooling index outside its input plane, at output {@code position} of {@code pooled}. */
    public static IllegalArgumentException planeIndexError(int index, long position, Shape pooled, Shape plane) {
        return badIndex("in [0, " + plane.planeSize() + ")", index, position, pooled, plane, INPUT_PLANE);
    }

    /** The error for an unpooling index outside the unpooled plane, at value {@code position} of {@code pooled}. */
    public static IllegalArgumentException unpoolIndexError(int index, long position, Shape pooled, Shape plane) {
        return badIndex("in [0, " + plane.planeSize() + ")", index, position, pooled, plane, UNPOOLED_PLANE);
    }

    /** The error for an index outside its fixed pooling window (or its plane). */
    public static IllegalArgumentException windowIndexError(int index, long position, Shape pooled, Shape plane) {
        return index < 0 || index >= plane.planeSize() ? planeIndexError(index, position, pooled, plane)
                : badIndex("inside its pooling window", index, position, pooled, plane, INPUT_PLANE);
    }

    /** The error for an index outside its adaptive pooling window (or its plane). */
    public static IllegalArgumentException adaptiveIndexError(int index, long position, Shape pooled, Shape plane) {
        return index < 0 || index >= plane.planeSize() ? planeIndexError(index, position, pooled, plane)
                : badIndex("inside its adaptive pooling window", index, position, pooled, plane, INPUT_PLANE);
    }

    /** The error for an index outside its fractional pooling window (or its plane). */
    public static IllegalArgumentException fractionalIndexError(int index, long position, Shape pooled, Shape plane) {
        return index < 0 || index >= plane.planeSize() ? planeIndexError(index, position, pooled, plane)
                : badIndex("inside its fractional pooling window", index, position, pooled, plane, INPUT_PLANE);
    }

    private static boolean onTap(int coordinate, int windowStart, int kernel, int dilation) {
        int offset = coordinate - windowStart;
        return offset >= 0 && offset % dilation == 0 && offset / dilation < kernel;
    }

    /**
     * How a message names the plane an index points into and the tensor that holds the index:
     * pooling indices point into an input plane and sit at an output; unpooling indices point
     * into the unpooled plane and sit at a value.
     */
    private record IndexRole(String plane, String holder) {}

    private static final IndexRole INPUT_PLANE = new IndexRole("an input plane", "output");
    private static final IndexRole UNPOOLED_PLANE = new IndexRole("an unpooled plane", "value");

    private static IllegalArgumentException badIndex(String expectation, int index, long position, Shape pooled, Shape plane,
                                                     IndexRole role) {
        long p = position / pooled.planeSize();
        int[] o = coordinates(position, pooled);
        String where = "(n=" + p / pooled.c() + ", c=" + p % pooled.c() + (pooled.volumetric() ? ", d=" + o[0] : "")
                + ", h=" + o[1] + ", w=" + o[2] + ")";
        String size = (plane.volumetric() ? plane.d() + "x" : "") + plane.h() + "x" + plane.w();
        return Checks.invalid("index", expectation + " for " + role.plane() + " of " + size,
                "index: " + index + " at " + role.holder() + " " + where);
    }
}
