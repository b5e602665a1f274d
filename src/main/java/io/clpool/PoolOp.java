package io.clpool;

import io.clpool.spec.AvgOptions;
import io.clpool.spec.Checks;
import io.clpool.spec.FractionalSamples;
import io.clpool.spec.FractionalWindows;
import io.clpool.spec.PoolSpec;
import io.clpool.spec.Shape;
import java.util.List;

/**
 * One pooling operation as a value: what it computes and with which parameters, independent of
 * the backend and of the input it will meet. Each op owns its rules: its output shape (which is
 * also its forward check), its backward check (the forward check composed with the shapes of the
 * gradient and the indices, as PyTorch's {@code Pool.h} composes them), whether it has indices,
 * and whether its values are selections (exact) or sums. Semantics: {@code docs/SEMANTICS.md}.
 *
 * <p>Build ops with the factories: {@link #max}, {@link #min}, {@link #avg}, {@link #lp},
 * {@link #adaptiveMax}, {@link #adaptiveAvg}, {@link #maxUnpool}, {@link #fractionalMax}.
 */
public sealed interface PoolOp
        permits PoolOp.Extremum, PoolOp.Avg, PoolOp.Lp, PoolOp.AdaptiveMax, PoolOp.AdaptiveAvg, PoolOp.MaxUnpool,
                PoolOp.FractionalMax {

    /** The op names, as the command line and the conformance cases spell them. */
    List<String> NAMES = List.of("max", "min", "avg", "lp", "adaptive-max", "adaptive-avg", "unpool", "fractional-max");

    /** What a backward pass reads besides the output gradient. */
    enum BackwardInputs {
        /** The forward's indices: max, min, adaptive max, and max unpooling. */
        INDICES,
        /** Nothing but the input's shape: average and adaptive average. */
        NONE,
        /** The forward's input and output values: LP pooling. */
        INPUT_AND_OUTPUT
    }

    /**
     * The op's name: {@code max}, {@code min}, {@code avg}, {@code lp}, {@code adaptive-max},
     * {@code adaptive-avg}, {@code unpool}, {@code fractional-max}.
     */
    String name();

    /**
     * The output shape for {@code input}; throws {@link IllegalArgumentException} naming the bad
     * value when the op cannot run on it. This is the op's forward check.
     */
    Shape outputShape(Shape input);

    /** True when the forward writes the winning indices (max, min, adaptive max, fractional max). */
    default boolean hasIndices() {
        return false;
    }

    /** True when the forward reads indices (max unpooling). */
    default boolean takesIndices() {
        return false;
    }

    /** True when values are selected, not summed, so every backend must agree bit for bit. */
    boolean exact();

    /** What {@code backward} reads besides the output gradient. */
    BackwardInputs backwardInputs();

    /** The fixed window, or null for adaptive pooling and unpooling. */
    default PoolSpec spec() {
        return null;
    }

    /**
     * The backward check: the forward check of {@code input}, then the gradient's shape (the
     * output's), then the indices' shape where the op reads indices. Returns the output shape.
     */
    default Shape checkBackward(Shape input, Shape gradOutput, Shape indices) {
        Checks.requireNonNull(input, "input shape");
        Checks.requireNonNull(gradOutput, "gradOutput shape");
        Shape output = outputShape(input);
        Checks.requireShape("gradOutput", output, gradOutput);
        if (backwardInputs() == BackwardInputs.INDICES) {
            Checks.requireNonNull(indices, "indices shape");
            Checks.requireShape("indices", takesIndices() ? input : output, indices);
        }
        return output;
    }

    /**
     * Checks, on the host, that every index is legal for this op over {@code input}: inside its
     * own window (pooling) or inside the output plane (unpooling). Throws naming the first bad
     * index and where it sits. Ops without indices accept nothing but null.
     */
    void checkIndices(IndexTensor indices, Shape input);

    /**
     * {@link #checkIndices(IndexTensor, Shape)} for tensors stored in {@code dtype}: the same for
     * every op but fractional max pooling, whose float64 windows are placed in double.
     */
    default void checkIndices(IndexTensor indices, Shape input, io.clpool.spec.DType dtype) {
        checkIndices(indices, input);
    }

    /**
     * The forward's indices argument: required and checked for an op that reads indices (max
     * unpooling), refused for every other op.
     */
    default void checkForwardIndices(IndexTensor indices, Shape input) {
        if (takesIndices()) {
            Checks.requireNonNull(indices, "indices");
            checkIndices(indices, input);
        } else if (indices != null) {
            throw new IllegalArgumentException(name() + " pooling takes no indices in its forward, but got indices of shape "
                    + indices.shape());
        }
    }

    /**
     * The op to run on samples [from, to) of {@code input} on its own: the op itself, except where
     * it holds per-sample state (fractional max pooling's samples, which it then takes from row
     * {@code from} on). Backends that split a batch run each part with this.
     */
    default PoolOp forBatchRows(Shape input, int from, int to) {
        return this;
    }

    // ---- factories ----------------------------------------------------------------------------

    /** Max pooling with {@code spec}: values and winning indices. */
    static Max max(PoolSpec spec) {
        return new Max(spec);
    }

    /** Min pooling with {@code spec}, equal to {@code -max(-x)} in values and indices. */
    static Min min(PoolSpec spec) {
        return new Min(spec);
    }

    /** Average pooling with PyTorch's defaults (count_include_pad, no divisor override). */
    static Avg avg(PoolSpec spec) {
        return new Avg(spec, AvgOptions.DEFAULT);
    }

    /** Average pooling with {@code options}. */
    static Avg avg(PoolSpec spec, AvgOptions options) {
        return new Avg(spec, options);
    }

    /** LP pooling with norm {@code p}: positive and finite in float32. */
    static Lp lp(PoolSpec spec, double norm) {
        return new Lp(spec, norm);
    }

    /** Adaptive max pooling of 4-D inputs to {@code outH×outW}, with indices. */
    static AdaptiveMax adaptiveMax(int outH, int outW) {
        return new AdaptiveMax(outH, outW);
    }

    /** Adaptive max pooling of 5-D inputs to {@code outD×outH×outW} (PyTorch {@code adaptive_max_pool3d}). */
    static AdaptiveMax adaptiveMax3d(int outD, int outH, int outW) {
        return new AdaptiveMax(outD, outH, outW, 3);
    }

    /** Adaptive average pooling of 4-D inputs to {@code outH×outW}. */
    static AdaptiveAvg adaptiveAvg(int outH, int outW) {
        return new AdaptiveAvg(outH, outW);
    }

    /** Adaptive average pooling of 5-D inputs to {@code outD×outH×outW} (PyTorch {@code adaptive_avg_pool3d}). */
    static AdaptiveAvg adaptiveAvg3d(int outD, int outH, int outW) {
        return new AdaptiveAvg(outD, outH, outW, 3);
    }

    /** Global max pooling: adaptive max pooling to 1×1. */
    static AdaptiveMax globalMax() {
        return new AdaptiveMax(1, 1);
    }

    /** Global average pooling: adaptive average pooling to 1×1. */
    static AdaptiveAvg globalAvg() {
        return new AdaptiveAvg(1, 1);
    }

    /** Max unpooling of 4-D values (with their indices) into planes of {@code outH×outW}. */
    static MaxUnpool maxUnpool(int outH, int outW) {
        return new MaxUnpool(outH, outW);
    }

    /** Max unpooling of 5-D values into volumes of {@code outD×outH×outW} (PyTorch {@code max_unpool3d}). */
    static MaxUnpool maxUnpool3d(int outD, int outH, int outW) {
        return new MaxUnpool(outD, outH, outW, 3);
    }

    /** Max unpooling into PyTorch's default size for undoing {@code spec} (2-D or 3-D) on {@code pooled}. */
    static MaxUnpool maxUnpool(PoolSpec spec, Shape pooled) {
        Checks.requireNonNull(spec, "spec");
        Shape out = spec.unpoolOutputShape(Checks.requireNonNull(pooled, "pooled shape"));
        return new MaxUnpool(out.d(), out.h(), out.w(), out.spatialAxes());
    }

    /**
     * Fractional max pooling (PyTorch {@code fractional_max_pool2d}) with a {@code kernelH×kernelW}
     * window to {@code outH×outW}, its windows placed by {@code samples}.
     */
    static FractionalMax fractionalMax(int kernelH, int kernelW, int outH, int outW, FractionalSamples samples) {
        return new FractionalMax(kernelH, kernelW, outH, outW, samples);
    }

    /**
     * Fractional max pooling (PyTorch {@code fractional_max_pool3d}) of a 5-D input with a
     * {@code kernelD×kernelH×kernelW} window to {@code outD×outH×outW}, its windows placed by
     * {@code samples} (3 per plane: D, H, W).
     */
    static FractionalMax fractionalMax3d(int kernelD, int kernelH, int kernelW, int outD, int outH, int outW,
                                         FractionalSamples samples) {
        return new FractionalMax(kernelD, kernelH, kernelW, outD, outH, outW, 3, samples);
    }

    /**
     * Fractional max pooling to {@code floor(H·ratioH) × floor(W·ratioW)} of {@code input}, as
     * PyTorch's {@code output_ratio} (the product in double). Each ratio must be in (0, 1), as
     * {@code nn.FractionalMaxPool2d} requires.
     */
    static FractionalMax fractionalMaxRatio(int kernelH, int kernelW, double ratioH, double ratioW, Shape input,
                                            FractionalSamples samples) {
        Checks.requireNonNull(input, "input shape");
        if (!(ratioH > 0 && ratioH < 1) || !(ratioW > 0 && ratioW < 1)) {
            throw Checks.invalid("fractional max pooling output ratio", "in (0, 1)", "ratioH: " + ratioH + ", ratioW: " + ratioW);
        }
        return new FractionalMax(kernelH, kernelW, (int) (input.h() * ratioH), (int) (input.w() * ratioW), samples);
    }

    // ---- the ops ----------------------------------------------------------------------------

    /**
     * What max and min pooling share: a fixed window, PyTorch's selection rule (in its order), and
     * indices that must lie in their own window.
     */
    sealed interface Extremum extends PoolOp permits Max, Min {
        @Override default Shape outputShape(Shape input) { return Validation.pooledShape(input, spec()); }
        @Override default boolean hasIndices() { return true; }
        @Override default boolean exact() { return true; }
        @Override default BackwardInputs backwardInputs() { return BackwardInputs.INDICES; }
        @Override default void checkIndices(IndexTensor indices, Shape input) {
            Validation.requireIndicesInWindows(indices, input, spec());
        }
    }

    /** Max pooling (PyTorch {@code max_pool2d} with indices). */
    record Max(PoolSpec spec) implements Extremum {
        public Max {
            Checks.requireNonNull(spec, "spec");
        }

        @Override public String name() { return "max"; }
        @Override public String toString() { return "max " + spec; }
    }

    /** Min pooling: the max rule with the order reversed, equal to {@code -max(-x)}. */
    record Min(PoolSpec spec) implements Extremum {
        public Min {
            Checks.requireNonNull(spec, "spec");
        }

        @Override public String name() { return "min"; }
        @Override public String toString() { return "min " + spec; }
    }

    /** Average pooling (PyTorch {@code avg_pool2d}); dilation must be 1. */
    record Avg(PoolSpec spec, AvgOptions options) implements PoolOp {
        public Avg {
            Checks.requireNonNull(spec, "spec");
            Checks.requireNonNull(options, "options");
            Validation.requireAvg(spec);
        }

        @Override public String name() { return "avg"; }
        @Override public Shape outputShape(Shape input) { return Validation.pooledShape(input, spec); }
        @Override public boolean exact() { return false; }
        @Override public BackwardInputs backwardInputs() { return BackwardInputs.NONE; }
        @Override public void checkIndices(IndexTensor indices, Shape input) { requireNoIndices(this, indices); }
        @Override public String toString() {
            return "avg " + spec + (options.countIncludePad() ? "" : " exclude-padding")
                    + (options.hasDivisorOverride() ? " divisor=" + options.divisorOverride() : "");
        }
    }

    /**
     * LP pooling (PyTorch {@code lp_pool2d}, or {@code lp_pool3d} with a 3-D spec on 5-D inputs):
     * norm positive and finite, no padding, no dilation.
     */
    record Lp(PoolSpec spec, double norm) implements PoolOp {
        public Lp {
            Validation.requireLp(spec, norm);
        }

        @Override public String name() { return "lp"; }
        @Override public Shape outputShape(Shape input) { return Validation.pooledShape(input, spec); }
        @Override public boolean exact() { return false; }
        @Override public BackwardInputs backwardInputs() { return BackwardInputs.INPUT_AND_OUTPUT; }
        @Override public void checkIndices(IndexTensor indices, Shape input) { requireNoIndices(this, indices); }
        @Override public String toString() { return "lp " + spec + " norm=" + norm; }
    }

    /**
     * Adaptive max pooling (PyTorch {@code adaptive_max_pool2d}, or {@code adaptive_max_pool3d}
     * when {@code spatialAxes} is 3) to {@code outD×outH×outW}; {@code outD} is 1 in 2-D.
     */
    record AdaptiveMax(int outD, int outH, int outW, int spatialAxes) implements PoolOp {
        public AdaptiveMax {
            requireAdaptiveSize(outD, outH, outW, spatialAxes);
        }

        /** 2-D: to {@code outH×outW}. */
        public AdaptiveMax(int outH, int outW) {
            this(1, outH, outW, 2);
        }

        @Override public String name() { return "adaptive-max"; }
        @Override public Shape outputShape(Shape input) { return Validation.adaptiveShape(input, outD, outH, outW, spatialAxes); }
        @Override public boolean hasIndices() { return true; }
        @Override public boolean exact() { return true; }
        @Override public BackwardInputs backwardInputs() { return BackwardInputs.INDICES; }
        @Override public void checkIndices(IndexTensor indices, Shape input) {
            Validation.requireIndicesInAdaptiveWindows(indices, input);
        }
        @Override public String toString() { return "adaptive-max output-size=" + size(outD, outH, outW, spatialAxes); }
    }

    /**
     * Adaptive average pooling (PyTorch {@code adaptive_avg_pool2d}, or {@code adaptive_avg_pool3d}
     * when {@code spatialAxes} is 3) to {@code outD×outH×outW}; {@code outD} is 1 in 2-D.
     */
    record AdaptiveAvg(int outD, int outH, int outW, int spatialAxes) implements PoolOp {
        public AdaptiveAvg {
            requireAdaptiveSize(outD, outH, outW, spatialAxes);
        }

        /** 2-D: to {@code outH×outW}. */
        public AdaptiveAvg(int outH, int outW) {
            this(1, outH, outW, 2);
        }

        @Override public String name() { return "adaptive-avg"; }
        @Override public Shape outputShape(Shape input) { return Validation.adaptiveShape(input, outD, outH, outW, spatialAxes); }
        @Override public boolean exact() { return false; }
        @Override public BackwardInputs backwardInputs() { return BackwardInputs.NONE; }
        @Override public void checkIndices(IndexTensor indices, Shape input) { requireNoIndices(this, indices); }
        @Override public String toString() { return "adaptive-avg output-size=" + size(outD, outH, outW, spatialAxes); }
    }

    /**
     * Max unpooling (PyTorch {@code max_unpool2d}): the input is the pooled values, each written at
     * its index in a zero plane of {@code outH×outW}; where several values of a plane share an
     * index, the last in row-major order wins. Its backward reads the output gradient at the
     * indices: the gradient of the values.
     */
    record MaxUnpool(int outD, int outH, int outW, int spatialAxes) implements PoolOp {
        public MaxUnpool {
            if (spatialAxes == 3) {
                Checks.requirePositiveAxes("unpooling output size", new String[] {"outputD", "outputH", "outputW"}, outD, outH, outW);
            } else if (spatialAxes == 2 && outD == 1) {
                Checks.requirePositivePair("unpooling output size", "outputH", outH, "outputW", outW);
            } else {
                throw Checks.invalid("unpooling output size", "2-D (outD 1) or 3-D", "outD: " + outD + ", spatialAxes: " + spatialAxes);
            }
        }

        /** 2-D: into planes of {@code outH×outW}. */
        public MaxUnpool(int outH, int outW) {
            this(1, outH, outW, 2);
        }

        @Override public String name() { return "unpool"; }
        @Override public Shape outputShape(Shape input) {
            Checks.requireNonNull(input, "input");
            if (input.spatialAxes() != spatialAxes) {
                throw Checks.invalid("the input of a " + spatialAxes + "-D max unpooling", (spatialAxes + 2) + "-D",
                        input.rank() + "-D " + input);
            }
            Shape output = input.withSpatial(outD, outH, outW);
            Validation.requireUnpoolShapes(input, input, output);
            return output;
        }
        @Override public boolean takesIndices() { return true; }
        @Override public boolean exact() { return true; }
        @Override public BackwardInputs backwardInputs() { return BackwardInputs.INDICES; }
        @Override public void checkIndices(IndexTensor indices, Shape input) {
            Validation.requireUnpoolIndices(input, indices, outputShape(input));
        }
        @Override public String toString() { return "unpool output-size=" + size(outD, outH, outW, spatialAxes); }
    }

    /**
     * Fractional max pooling (PyTorch {@code fractional_max_pool2d}, or {@code fractional_max_pool3d}
     * when {@code spatialAxes} is 3): output {@code (od, oh, ow)} of plane {@code p} is the max
     * (max pooling's rule: ties keep the first tap in (d, h, w) order, the last NaN wins) of the
     * {@code kernelD×kernelH×kernelW} window placed per axis by {@link FractionalWindows#start}
     * with that axis's sample of plane p: in 2-D sample 1 for H and 0 for W (kernelD, outD 1); in
     * 3-D sample 0 for D, 1 for H, 2 for W ({@code aten/src/ATen/native/FractionalMaxPool3d.cpp}).
     * Indices as max pooling's ({@code d·H·W + h·W + w}); the backward scatters by index. Checks
     * (PyTorch's): {@code out + k − 1 ≤ in} per axis in 2-D, {@code out + k − 1 < in} per axis in
     * 3-D (FractionalMaxPool3d.cpp's stricter TORCH_CHECKs), samples of C equal to the input's and
     * N at least the input's; and clpool's own: samples in [0, 1), every window inside the input.
     */
    record FractionalMax(int kernelD, int kernelH, int kernelW, int outD, int outH, int outW, int spatialAxes,
                         FractionalSamples samples) implements PoolOp {
        public FractionalMax {
            if (spatialAxes == 3) {
                Checks.requirePositiveAxes("fractional max pooling kernel size", new String[] {"kernelD", "kernelH", "kernelW"},
                        kernelD, kernelH, kernelW);
                Checks.requirePositiveAxes("fractional max pooling output size", new String[] {"outputD", "outputH", "outputW"},
                        outD, outH, outW);
            } else if (spatialAxes == 2 && kernelD == 1 && outD == 1) {
                Checks.requirePositivePair("fractional max pooling kernel size", "kernelH", kernelH, "kernelW", kernelW);
                Checks.requirePositivePair("fractional max pooling output size", "outputH", outH, "outputW", outW);
            } else {
                throw Checks.invalid("fractional max pooling", "2-D (kernelD and outD 1) or 3-D",
                        "kernelD: " + kernelD + ", outD: " + outD + ", spatialAxes: " + spatialAxes);
            }
            Checks.requireNonNull(samples, "samples");
        }

        /** 2-D fractional max pooling. */
        public FractionalMax(int kernelH, int kernelW, int outH, int outW, FractionalSamples samples) {
            this(1, kernelH, kernelW, 1, outH, outW, 2, samples);
        }

        @Override public String name() { return "fractional-max"; }

        /** Samples per plane: 2 in 2-D, 3 in 3-D. */
        public int samplesPerPlane() {
            return spatialAxes;
        }

        /** Where a plane's sample for the depth axis sits among its samples (3-D only; -1 in 2-D). */
        public int sampleOfD() { return spatialAxes == 3 ? 0 : -1; }
        /** Where a plane's sample for the row axis sits among its samples (1 in 2-D and 3-D). */
        public int sampleOfH() { return 1; }
        /** Where a plane's sample for the column axis sits among its samples (0 in 2-D, 2 in 3-D). */
        public int sampleOfW() { return spatialAxes == 3 ? 2 : 0; }

        @Override public Shape outputShape(Shape input) {
            Checks.requireNonNull(input, "input");
            if (input.volumetric() != (spatialAxes == 3)) {
                throw Checks.invalid("the input of a " + spatialAxes + "-D fractional max pooling",
                        spatialAxes == 3 ? "5-D (N, C, D, H, W)" : "4-D (N, C, H, W)", input.rank() + "-D " + input);
            }
            boolean strict = spatialAxes == 3;
            if (strict) {
                FractionalWindows.requireFits("depth", input.d(), outD, kernelD, true);
            }
            FractionalWindows.requireFits("height", input.h(), outH, kernelH, strict);
            FractionalWindows.requireFits("width", input.w(), outW, kernelW, strict);
            Checks.requireIndexablePlane("input", input);
            float[] u = samplesFor(input);
            int k = samplesPerPlane();
            for (int plane = 0; plane < u.length / k; plane++) {
                if (strict) {
                    FractionalWindows.requireInside("depth", input.d(), outD, kernelD, u[k * plane + sampleOfD()], plane);
                }
                FractionalWindows.requireInside("width", input.w(), outW, kernelW, u[k * plane + sampleOfW()], plane);
                FractionalWindows.requireInside("height", input.h(), outH, kernelH, u[k * plane + sampleOfH()], plane);
            }
            return strict ? input.withSpatial(outD, outH, outW) : input.withSpatial(outH, outW);
        }

        /**
         * The samples for {@code input}: N×C×k floats, (n, c, axis) order, k = {@link #samplesPerPlane()};
         * axis 0 for W and 1 for H in 2-D, 0 for D, 1 for H and 2 for W in 3-D.
         */
        public float[] samplesFor(Shape input) {
            return samples.forInput(input.n(), input.c(), samplesPerPlane());
        }

        @Override public boolean hasIndices() { return true; }
        @Override public boolean exact() { return true; }
        @Override public BackwardInputs backwardInputs() { return BackwardInputs.INDICES; }
        @Override public void checkIndices(IndexTensor indices, Shape input) {
            Validation.requireIndicesInFractionalWindows(indices, input, this);
        }
        @Override public void checkIndices(IndexTensor indices, Shape input, io.clpool.spec.DType dtype) {
            Validation.requireIndicesInFractionalWindows(indices, input, this, dtype);
        }
        @Override public PoolOp forBatchRows(Shape input, int from, int to) {
            return from == 0 && to == input.n() ? this
                    : new FractionalMax(kernelD, kernelH, kernelW, outD, outH, outW, spatialAxes,
                            samples.rows(input.n(), input.c(), samplesPerPlane(), from, to));
        }
        @Override public String toString() {
            return "fractional-max kernel=" + size(kernelD, kernelH, kernelW, spatialAxes) + " output-size="
                    + size(outD, outH, outW, spatialAxes) + " " + samples;
        }
    }

    private static void requireAdaptiveSize(int outD, int outH, int outW, int spatialAxes) {
        if (spatialAxes == 3) {
            Checks.requirePositiveAxes("adaptive output size", new String[] {"outputD", "outputH", "outputW"}, outD, outH, outW);
        } else if (spatialAxes == 2 && outD == 1) {
            Checks.requirePositivePair("adaptive output size", "outputH", outH, "outputW", outW);
        } else {
            throw Checks.invalid("adaptive output size", "2-D (outD 1) or 3-D", "outD: " + outD + ", spatialAxes: " + spatialAxes);
        }
    }

    private static String size(int d, int h, int w, int spatialAxes) {
        return (spatialAxes == 3 ? d + "x" : "") + h + "x" + w;
    }

    private static void requireNoIndices(PoolOp op, IndexTensor indices) {
        if (indices != null) {
            throw new IllegalArgumentException(op.name() + " pooling takes no indices, but got indices of shape " + indices.shape());
        }
    }
}
