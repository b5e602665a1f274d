package io.clpool.reference;

import io.clpool.IndexTensor;
import io.clpool.PoolOp;
import io.clpool.PoolResult;
import io.clpool.Pooling;
import io.clpool.Tensor;
import io.clpool.Validation;
import io.clpool.spec.AdaptiveWindows;
import io.clpool.spec.AvgOptions;
import io.clpool.spec.Checks;
import io.clpool.spec.DType;
import io.clpool.spec.Layout;
import io.clpool.spec.FractionalWindows;
import io.clpool.spec.PoolSpec;
import io.clpool.spec.Shape;

/**
 * The oracle: plain nested loops, one output element at a time, written to be obviously right
 * rather than fast. Every OpenCL result is compared with this class. It implements the op-driven
 * {@link Pooling} interface, and keeps one plain method per op (e.g. {@link #maxPool2d},
 * {@link #maxPool2dBackward}) that the op-driven calls dispatch to.
 *
 * <p>Every loop runs over two or three spatial axes alike: a 4-D input is a volume of depth 1, so
 * the 2-D results are those of the 2-D loops exactly. Windows are visited d, then h, then w
 * (row-major in the volume), outputs in (n, c, od, oh, ow) order; backward passes add each
 * output's contribution to its inputs in that output order ({@code docs/SEMANTICS.md} §2, §3).
 * Methods named {@code ...2d} that take a {@link PoolSpec} run 3-D specs on 5-D inputs too.
 *
 * <p>The loops run on doubles in one of two modes ({@link Arith}): for float32 (and the half
 * types, computed in float32) every +, −, ×, ÷ and sqrt is rounded to float, which gives float
 * arithmetic's bits exactly (a double result of two floats rounded to float is the float result:
 * double has more than 2·24 + 2 bits); for float64 nothing is rounded, PyTorch's double
 * accumulation.
 */
public final class ReferencePooling implements Pooling {

    @Override
    public String name() {
        return "reference";
    }

    /**
     * Channels-last tensors and half types go through the channels-first float32 computation (a
     * float64 tensor through the channels-first float64 one): the inputs are exact in the compute
     * type and permuting moves values without touching them, and the results are permuted back and
     * rounded once to the type, which is the rule (compute in float32, round once when stored)
     * stated plainly.
     */
    @Override
    public PoolResult forward(PoolOp op, Tensor input, IndexTensor indices) {
        Checks.requireNonNull(op, "op");
        Checks.requireNonNull(input, "input");
        op.checkForwardIndices(indices, input.shape());
        if (!plain(input)) {
            Layout layout = input.shape().layout();
            PoolResult plain = forward(op, channelsFirstCompute(input),
                    indices == null ? null : indices.withLayout(Layout.CHANNELS_FIRST));
            return new PoolResult(plain.values().withLayout(layout).toType(input.dtype()),
                    plain.indices() == null ? null : plain.indices().withLayout(layout));
        }
        if (op instanceof PoolOp.Max max) {
            return maxPool2d(input, max.spec());
        } else if (op instanceof PoolOp.Min min) {
            return minPool2d(input, min.spec());
        } else if (op instanceof PoolOp.Avg avg) {
            return new PoolResult(avgPool2d(input, avg.spec(), avg.options()), null);
        } else if (op instanceof PoolOp.Lp lp) {
            return new PoolResult(lpPool2d(input, lp.spec(), lp.norm()), null);
        } else if (op instanceof PoolOp.AdaptiveMax adaptive) {
            return adaptiveMax(input, Validation.adaptiveShape(input.shape(), adaptive.outD(), adaptive.outH(),
                    adaptive.outW(), adaptive.spatialAxes()));
        } else if (op instanceof PoolOp.AdaptiveAvg adaptive) {
            return new PoolResult(adaptiveAvg(input, Validation.adaptiveShape(input.shape(), adaptive.outD(), adaptive.outH(),
                    adaptive.outW(), adaptive.spatialAxes())), null);
        } else if (op instanceof PoolOp.FractionalMax fractional) {
            return fractionalMaxPool2d(input, fractional);
        } else if (op instanceof PoolOp.MaxUnpool unpool) {
            return new PoolResult(maxUnpool2d(input, indices, unpool.outputShape(input.shape())), null);
        }
        throw new IllegalStateException("no reference for " + op);
    }

    @Override
    public Tensor backward(PoolOp op, Tensor gradOutput, Tensor input, Tensor output, IndexTensor indices) {
        Checks.requireNonNull(op, "op");
        Checks.requireNonNull(gradOutput, "gradOutput");
        Checks.requireNonNull(input, "input");
        op.checkBackward(input.shape(), gradOutput.shape(), indices == null ? null : indices.shape());
        if (!plain(input) || !plain(gradOutput) || (output != null && !plain(output))) {
            if (gradOutput.dtype() != input.dtype() || (output != null && output.dtype() != input.dtype())) {
                throw Checks.invalid("the gradient and output types", input.dtype().label() + " (the input's)",
                        "gradOutput: " + gradOutput.dtype().label() + (output == null ? "" : ", output: " + output.dtype().label()));
            }
            Tensor gradInput = backward(op, channelsFirstCompute(gradOutput), channelsFirstCompute(input),
                    output == null ? null : channelsFirstCompute(output), indices == null ? null : indices.withLayout(Layout.CHANNELS_FIRST));
            return gradInput.withLayout(input.shape().layout()).toType(input.dtype());
        }
        if (op instanceof PoolOp.Extremum) {
            return maxPool2dBackward(gradOutput, indices, input.shape(), op.spec());
        } else if (op instanceof PoolOp.Avg avg) {
            return avgPool2dBackward(gradOutput, input.shape(), avg.spec(), avg.options());
        } else if (op instanceof PoolOp.Lp lp) {
            Checks.requireNonNull(output, "output");
            return lpPool2dBackward(gradOutput, input, output, lp.spec(), lp.norm());
        } else if (op instanceof PoolOp.AdaptiveMax) {
            return adaptiveMaxPool2dBackward(gradOutput, indices, input.shape());
        } else if (op instanceof PoolOp.AdaptiveAvg) {
            return adaptiveAvgPool2dBackward(gradOutput, input.shape());
        } else if (op instanceof PoolOp.FractionalMax fractional) {
            return fractionalMaxPool2dBackward(gradOutput, indices, input.shape(), fractional);
        } else if (op instanceof PoolOp.MaxUnpool) {
            return maxUnpool2dBackward(gradOutput, indices);
        }
        throw new IllegalStateException("no reference for " + op);
    }

    private static boolean plain(Tensor tensor) {
        return computeType(tensor.dtype()) == tensor.dtype() && !tensor.shape().isChannelsLast();
    }

    /** The type a tensor of {@code type} is computed in: float64 for float64, float32 for the others. */
    private static DType computeType(DType type) {
        return type == DType.FLOAT64 ? DType.FLOAT64 : DType.FLOAT32;
    }

    private static Tensor channelsFirstCompute(Tensor tensor) {
        return tensor.withLayout(Layout.CHANNELS_FIRST).toType(computeType(tensor.dtype()));
    }

    /**
     * The arithmetic of one computation: in float mode every operation's double result is
     * rounded to float ({@link #r}), in double mode none is. Values stay doubles throughout.
     */
    record Arith(boolean isDouble) {
        static final Arith FLOAT = new Arith(false);
        static final Arith DOUBLE = new Arith(true);

        /** The mode of a tensor's values: double for float64, float otherwise. */
        static Arith of(Tensor tensor) {
            return tensor.dtype() == DType.FLOAT64 ? DOUBLE : FLOAT;
        }

        /** One operation's result rounded to the compute type. */
        double r(double value) {
            return isDouble ? value : (float) value;
        }

        /** A result tensor of the compute type (float mode: exact floats, so narrowing is exact). */
        Tensor tensor(Shape shape, double[] values) {
            if (isDouble) {
                return Tensor.ofDoubles(shape, values);
            }
            float[] out = new float[values.length];
            for (int i = 0; i < out.length; i++) {
                out[i] = (float) values[i];
            }
            return new Tensor(shape, out);
        }

        /** {@code x^e} ({@link #lpPower(float, float)} in float mode, {@link #lpPower(double, double)} in double). */
        double power(double x, double e) {
            return isDouble ? lpPower(x, e) : lpPower((float) x, (float) e);
        }
    }

    public PoolResult maxPool2d(Tensor input, PoolSpec spec) {
        return extremumPool(input, spec, false);
    }

    public PoolResult minPool2d(Tensor input, PoolSpec spec) {
        return extremumPool(input, spec, true);
    }

    /**
     * Max (or min) pooling with PyTorch's rule: padding taps are skipped; taps are visited d, then
     * h, then w (kernel depth, row, column); the running best starts at ∓inf with the first
     * in-bounds tap's index; a tap replaces it when strictly better or NaN, so ties keep the first
     * tap and the last NaN owns the index. The index is {@code d·H·W + h·W + w} (d is 0 in 2-D).
     */
    private static PoolResult extremumPool(Tensor input, PoolSpec spec, boolean min) {
        Shape in = input.shape();
        Shape out = Validation.pooledShape(input.shape(), spec);
        Arith a = Arith.of(input);
        double[] x = input.toDoubles();
        double[] y = new double[out.elementCountAsInt()];
        int[] idx = new int[y.length];
        int planeSize = (int) in.planeSize(); // at most 2^31 − 1 (PoolSpec.outputShape)
        int o = 0;
        for (int plane = 0; plane < in.planes(); plane++) {
            int base = plane * planeSize;
            for (int od = 0; od < out.d(); od++) {
                for (int oh = 0; oh < out.h(); oh++) {
                    for (int ow = 0; ow < out.w(); ow++, o++) {
                        double best = min ? Double.POSITIVE_INFINITY : Double.NEGATIVE_INFINITY;
                        int bestIndex = -1;
                        for (int kd = 0; kd < spec.kernelD(); kd++) {
                            int d = od * spec.strideD() - spec.padD() + kd * spec.dilationD();
                            if (d < 0 || d >= in.d()) {
                                continue;
                            }
                            for (int kh = 0; kh < spec.kernelH(); kh++) {
                                int h = oh * spec.strideH() - spec.padH() + kh * spec.dilationH();
                                if (h < 0 || h >= in.h()) {
                                    continue;
                                }
                                for (int kw = 0; kw < spec.kernelW(); kw++) {
                                    int w = ow * spec.strideW() - spec.padW() + kw * spec.dilationW();
                                    if (w < 0 || w >= in.w()) {
                                        continue;
                                    }
                                    int i = Window.offset(in, d, h, w);
                                    double v = x[base + i];
                                    if (bestIndex < 0) {
                                        bestIndex = i;
                                    }
                                    boolean better = min ? v < best : v > best;
                                    if (better || Double.isNaN(v)) {
                                        best = v;
                                        bestIndex = i;
                                    }
                                }
                            }
                        }
                        y[o] = best;
                        idx[o] = bestIndex;
                    }
                }
            }
        }
        return new PoolResult(a.tensor(out, y), new IndexTensor(out, idx));
    }

    public Tensor maxPool2dBackward(Tensor gradOutput, IndexTensor indices, Shape inputShape, PoolSpec spec) {
        Validation.requireIndicesInWindows(gradOutput, indices, inputShape, spec);
        return scatterByIndex(gradOutput, indices, inputShape);
    }

    /**
     * {@code dX[plane, idx] += dY}, outputs visited in row-major order ((n, c, od, oh, ow)
     * ascending): an input's gradient is the sum of the gradients of the windows it won, added in
     * that order, for any rank (indices are offsets inside the plane or volume).
     */
    private static Tensor scatterByIndex(Tensor gradOutput, IndexTensor indices, Shape inputShape) {
        Arith a = Arith.of(gradOutput);
        double[] dx = new double[inputShape.elementCountAsInt()];
        double[] dy = gradOutput.toDoubles();
        int planeOutputs = (int) gradOutput.shape().planeSize();
        int planeInputs = (int) inputShape.planeSize();
        for (int o = 0; o < dy.length; o++) {
            int at = o / planeOutputs * planeInputs + indices.data()[o];
            dx[at] = a.r(dx[at] + dy[o]);
        }
        return a.tensor(inputShape, dx);
    }

    /**
     * Average pooling (PyTorch {@code avg_pool2d}, or {@code avg_pool3d} for a 3-D spec on a 5-D
     * input): the float sum of the window's in-bounds taps, d then h then w, over the window's
     * divisor ({@link Window#average}).
     */
    public Tensor avgPool2d(Tensor input, PoolSpec spec, AvgOptions options) {
        Shape in = input.shape();
        Shape out = Validation.avgPooledShape(input.shape(), spec, options);
        Arith a = Arith.of(input);
        double[] x = input.toDoubles();
        double[] y = new double[out.elementCountAsInt()];
        for (Window.Outputs at = new Window.Outputs(in, out); at.next(); ) {
            Window window = Window.average(at.od, at.oh, at.ow, in, spec, options);
            y[at.o] = mean(a, x, at.base, in, window);
        }
        return a.tensor(out, y);
    }

    /** The float sum of the window's taps, d then h then w, over its divisor: average and adaptive average pooling. */
    private static double mean(Arith a, double[] x, int base, Shape in, Window window) {
        double sum = 0;
        for (int d = window.d0(); d < window.d1(); d++) {
            for (int h = window.h0(); h < window.h1(); h++) {
                for (int w = window.w0(); w < window.w1(); w++) {
                    sum = a.r(sum + x[base + Window.offset(in, d, h, w)]);
                }
            }
        }
        return a.r(sum / window.divisor(a));
    }

    /** Adds {@code share} (rounded at every step) to each tap of the window: average and adaptive average backward. */
    private static void spread(Arith a, double[] dx, int base, Shape in, Window window, double share) {
        for (int d = window.d0(); d < window.d1(); d++) {
            for (int h = window.h0(); h < window.h1(); h++) {
                for (int w = window.w0(); w < window.w1(); w++) {
                    int i = base + Window.offset(in, d, h, w);
                    dx[i] = a.r(dx[i] + share);
                }
            }
        }
    }

    /**
     * Average pooling backward: each output, in (n, c, od, oh, ow) order, adds {@code dY / divisor}
     * (rounded once) to every in-bounds tap of its window.
     */
    public Tensor avgPool2dBackward(Tensor gradOutput, Shape inputShape, PoolSpec spec, AvgOptions options) {
        Validation.avgPooledShape(inputShape, spec, options);
        Shape out = Validation.requireGradOutput(gradOutput, inputShape, spec);
        Arith a = Arith.of(gradOutput);
        double[] dx = new double[inputShape.elementCountAsInt()];
        double[] dy = gradOutput.toDoubles();
        for (Window.Outputs at = new Window.Outputs(inputShape, out); at.next(); ) {
            Window window = Window.average(at.od, at.oh, at.ow, inputShape, spec, options);
            spread(a, dx, at.base, inputShape, window, a.r(dy[at.o] / window.divisor(a)));
        }
        return a.tensor(inputShape, dx);
    }

    /**
     * LP pooling as PyTorch computes it ({@code lp_pool2d}, or {@code lp_pool3d} for a 3-D spec on
     * a 5-D input): {@code (avg(x^p) · K)^(1/p)} with K the window's taps (kh·kw, or kd·kh·kw),
     * where the average divides by the in-bounds taps, so a partial (ceil-mode) window is scaled
     * by K/n.
     */
    public Tensor lpPool2d(Tensor input, PoolSpec spec, double norm) {
        Shape in = input.shape();
        Shape out = Validation.lpPooledShape(input.shape(), spec, norm);
        Arith a = Arith.of(input);
        double p = a.r(norm);
        double[] powered = input.toDoubles();
        for (int i = 0; i < powered.length; i++) {
            powered[i] = a.power(powered[i], p);
        }
        Tensor mean = avgPool2d(a.tensor(in, powered), spec, AvgOptions.DEFAULT);
        double[] y = mean.toDoubles();
        double taps = a.r(spec.taps());
        double root = a.r(1.0 / p);
        for (int o = 0; o < y.length; o++) {
            y[o] = a.power(a.r(y[o] * taps), root);
        }
        return a.tensor(out, y);
    }

    /**
     * The chain rule through {@code y = (K·avg(x^p))^(1/p)}: each window adds
     * {@code dy · (K/n) · (K·avg)^(1/p − 1) · x^(p−1)} to its taps, and nothing where
     * {@code K·avg} is 0 (PyTorch's sign/relu guard).
     */
    public Tensor lpPool2dBackward(Tensor gradOutput, Tensor input, Tensor output, PoolSpec spec, double norm) {
        Shape in = input.shape();
        Shape out = Validation.lpPooledShape(input.shape(), spec, norm);
        Validation.requireGradOutput(gradOutput, in, spec);
        Checks.requireShape("output", out, output.shape());
        Arith a = Arith.of(input);
        double p = a.r(norm);
        double taps = a.r(spec.taps());
        double[] x = input.toDoubles();
        double[] y = output.toDoubles();
        double[] dy = gradOutput.toDoubles();
        double[] dx = new double[x.length];
        double outerExponent = a.r(a.r(1.0 / p) - 1.0);
        double tapExponent = a.r(p - 1.0);
        for (Window.Outputs at = new Window.Outputs(in, out); at.next(); ) {
            Window window = Window.average(at.od, at.oh, at.ow, in, spec, AvgOptions.DEFAULT);
            double scaledMean = a.power(y[at.o], p);
            if (scaledMean == 0) {
                continue;
            }
            double outer = a.r(a.r(dy[at.o] * a.r(taps / window.divisor(a))) * a.power(scaledMean, outerExponent));
            for (int d = window.d0(); d < window.d1(); d++) {
                for (int h = window.h0(); h < window.h1(); h++) {
                    for (int w = window.w0(); w < window.w1(); w++) {
                        int i = at.base + Window.offset(in, d, h, w);
                        dx[i] = a.r(dx[i] + a.r(outer * a.power(x[i], tapExponent)));
                    }
                }
            }
        }
        return a.tensor(in, dx);
    }

    /**
     * {@code x^e} in float as PyTorch's {@code pow} computes it for the exponents it special-cases
     * ({@code aten/src/ATen/native/Pow.cpp}, {@code cpu/PowKernel.cpp}): exactly for 0, 1, 2 and 3
     * (1, x, x·x, x·x·x), {@code sqrt} for 1/2 (the root of p = 2), {@code 1/sqrt} for −1/2 (its
     * rsqrt: p = 2's backward), {@code 1/x} for −1 (reciprocal) and {@code 1/(x·x)} for −2;
     * otherwise {@code pow}, rounded once to float. The kernels' {@code lp_power} (window.cl) is
     * the same function.
     */
    public static float lpPower(float x, float e) {
        if (e == 1.0f) {
            return x;
        }
        if (e == 2.0f) {
            return x * x;
        }
        if (e == 3.0f) {
            return x * x * x;
        }
        if (e == 0.5f) {
            return (float) Math.sqrt(x);
        }
        if (e == -0.5f) {
            return 1.0f / (float) Math.sqrt(x);
        }
        if (e == -1.0f) {
            return 1.0f / x;
        }
        if (e == -2.0f) {
            return 1.0f / (x * x);
        }
        if (e == 0.0f) {
            return 1.0f; // pow(x, 0) is 1 for every x, NaN included
        }
        return (float) Math.pow(x, e);
    }

    /** {@link #lpPower(float, float)} in double, for float64 (PyTorch special-cases the same exponents). */
    public static double lpPower(double x, double e) {
        if (e == 1.0) {
            return x;
        }
        if (e == 2.0) {
            return x * x;
        }
        if (e == 3.0) {
            return x * x * x;
        }
        if (e == 0.5) {
            return Math.sqrt(x);
        }
        if (e == -0.5) {
            return 1.0 / Math.sqrt(x);
        }
        if (e == -1.0) {
            return 1.0 / x;
        }
        if (e == -2.0) {
            return 1.0 / (x * x);
        }
        if (e == 0.0) {
            return 1.0;
        }
        return Math.pow(x, e);
    }

    /** Adaptive max pooling (PyTorch {@code adaptive_max_pool2d}) of a 4-D input to {@code outH×outW}. */
    public PoolResult adaptiveMaxPool2d(Tensor input, int outH, int outW) {
        Checks.requireNonNull(input, "input");
        return adaptiveMax(input, Validation.adaptiveShape(input.shape(), outH, outW));
    }

    /** Adaptive max pooling (PyTorch {@code adaptive_max_pool3d}) of a 5-D input to {@code outD×outH×outW}. */
    public PoolResult adaptiveMaxPool3d(Tensor input, int outD, int outH, int outW) {
        Checks.requireNonNull(input, "input");
        return adaptiveMax(input, Validation.adaptiveShape(input.shape(), outD, outH, outW, 3));
    }

    /**
     * Adaptive max pooling to {@code out} (validated): per output, the window of
     * {@link AdaptiveWindows} on every axis, its winner by {@link #argMax}.
     */
    private static PoolResult adaptiveMax(Tensor input, Shape out) {
        Shape in = input.shape();
        Arith a = Arith.of(input);
        double[] x = input.toDoubles();
        double[] y = new double[out.elementCountAsInt()];
        int[] idx = new int[y.length];
        for (Window.Outputs at = new Window.Outputs(in, out); at.next(); ) {
            int i = argMax(x, at.base, in, Window.adaptive(at.od, at.oh, at.ow, in, out));
            y[at.o] = x[at.base + i];
            idx[at.o] = i;
        }
        return new PoolResult(a.tensor(out, y), new IndexTensor(out, idx));
    }

    /**
     * The in-plane index of the window's winner, adaptive and fractional max pooling's rule: taps
     * in order d, h, w; the best starts at −inf with the first tap as index, and a tap replaces it
     * when greater or NaN. The winner's value is the best (a window of −inf alone keeps its first tap).
     */
    private static int argMax(double[] x, int base, Shape in, Window window) {
        double best = Double.NEGATIVE_INFINITY;
        int bestIndex = Window.offset(in, window.d0(), window.h0(), window.w0());
        for (int d = window.d0(); d < window.d1(); d++) {
            for (int h = window.h0(); h < window.h1(); h++) {
                for (int w = window.w0(); w < window.w1(); w++) {
                    int i = Window.offset(in, d, h, w);
                    double v = x[base + i];
                    if (v > best || Double.isNaN(v)) {
                        best = v;
                        bestIndex = i;
                    }
                }
            }
        }
        return bestIndex;
    }

    /**
     * Adaptive max pooling backward, 2-D or 3-D (the output size is the gradient's): every index
     * is checked to lie in its own window, then {@code dX[plane, idx] += dY} in output order.
     */
    public Tensor adaptiveMaxPool2dBackward(Tensor gradOutput, IndexTensor indices, Shape inputShape) {
        Validation.requireIndicesInAdaptiveWindows(gradOutput, indices, inputShape);
        return scatterByIndex(gradOutput, indices, inputShape);
    }

    /**
     * Fractional max pooling, 2-D or 3-D, PyTorch's CPU loop ({@code FractionalMaxPool2d.cpp},
     * {@code FractionalMaxPool3d.cpp}): per plane, each axis's window starts from that axis's
     * sample ({@link FractionalWindows}; 2-D: sample 1 rows, 0 columns; 3-D: sample 0 depth, 1
     * rows, 2 columns); each window's winner by {@link #argMax}.
     */
    public PoolResult fractionalMaxPool2d(Tensor input, PoolOp.FractionalMax op) {
        Shape in = input.shape();
        Shape out = op.outputShape(in);
        float[] u = op.samplesFor(in);
        int k = op.samplesPerPlane();
        DType type = computeType(input.dtype());
        double alphaD = FractionalWindows.alpha(in.d(), out.d(), op.kernelD(), type);
        double alphaH = FractionalWindows.alpha(in.h(), out.h(), op.kernelH(), type);
        double alphaW = FractionalWindows.alpha(in.w(), out.w(), op.kernelW(), type);
        Arith a = Arith.of(input);
        double[] x = input.toDoubles();
        double[] y = new double[out.elementCountAsInt()];
        int[] idx = new int[y.length];
        int planeSize = (int) in.planeSize();
        int o = 0;
        for (int plane = 0; plane < in.planes(); plane++) {
            int base = plane * planeSize;
            float uD = op.sampleOfD() < 0 ? 0f : u[k * plane + op.sampleOfD()];
            float uH = u[k * plane + op.sampleOfH()];
            float uW = u[k * plane + op.sampleOfW()];
            for (int od = 0; od < out.d(); od++) {
                int d0 = FractionalWindows.start(od, uD, alphaD, in.d(), out.d(), op.kernelD(), type);
                for (int oh = 0; oh < out.h(); oh++) {
                    int h0 = FractionalWindows.start(oh, uH, alphaH, in.h(), out.h(), op.kernelH(), type);
                    for (int ow = 0; ow < out.w(); ow++, o++) {
                        int w0 = FractionalWindows.start(ow, uW, alphaW, in.w(), out.w(), op.kernelW(), type);
                        int i = argMax(x, base, in, Window.box(d0, d0 + op.kernelD(), h0, h0 + op.kernelH(), w0, w0 + op.kernelW()));
                        y[o] = x[base + i];
                        idx[o] = i;
                    }
                }
            }
        }
        return new PoolResult(a.tensor(out, y), new IndexTensor(out, idx));
    }

    /** Fractional max pooling of a 5-D input (PyTorch {@code fractional_max_pool3d}): {@link #fractionalMaxPool2d}, which takes either. */
    public PoolResult fractionalMaxPool3d(Tensor input, PoolOp.FractionalMax op) {
        return fractionalMaxPool2d(input, op);
    }

    /** {@code dX[plane, idx] += dY}, outputs visited in (n, c, od, oh, ow) order, after checking every index is in its window (2-D or 3-D). */
    public Tensor fractionalMaxPool2dBackward(Tensor gradOutput, IndexTensor indices, Shape inputShape, PoolOp.FractionalMax op) {
        Checks.requireNonNull(gradOutput, "gradOutput");
        Checks.requireShape("gradOutput", op.outputShape(inputShape), gradOutput.shape());
        Validation.requireIndicesInFractionalWindows(indices, inputShape, op, computeType(gradOutput.dtype()));
        return scatterByIndex(gradOutput, indices, inputShape);
    }

    /** Adaptive average pooling (PyTorch {@code adaptive_avg_pool2d}) of a 4-D input to {@code outH×outW}. */
    public Tensor adaptiveAvgPool2d(Tensor input, int outH, int outW) {
        Checks.requireNonNull(input, "input");
        return adaptiveAvg(input, Validation.adaptiveShape(input.shape(), outH, outW));
    }

    /** Adaptive average pooling (PyTorch {@code adaptive_avg_pool3d}) of a 5-D input to {@code outD×outH×outW}. */
    public Tensor adaptiveAvgPool3d(Tensor input, int outD, int outH, int outW) {
        Checks.requireNonNull(input, "input");
        return adaptiveAvg(input, Validation.adaptiveShape(input.shape(), outD, outH, outW, 3));
    }

    /**
     * Adaptive average pooling to {@code out} (validated): the float sum of the window, d then h
     * then w, over its size (at most the input plane's D·H·W taps: an int, the plane limit).
     */
    private static Tensor adaptiveAvg(Tensor input, Shape out) {
        Shape in = input.shape();
        Arith a = Arith.of(input);
        double[] x = input.toDoubles();
        double[] y = new double[out.elementCountAsInt()];
        for (Window.Outputs at = new Window.Outputs(in, out); at.next(); ) {
            Window window = Window.adaptive(at.od, at.oh, at.ow, in, out);
            y[at.o] = mean(a, x, at.base, in, window);
        }
        return a.tensor(out, y);
    }

    /**
     * Adaptive average pooling backward, 2-D or 3-D (the output size and rank are the gradient's):
     * each output, in (n, c, od, oh, ow) order, adds {@code dY / window size} to its window.
     */
    public Tensor adaptiveAvgPool2dBackward(Tensor gradOutput, Shape inputShape) {
        Checks.requireNonNull(gradOutput, "gradOutput");
        Shape out = adaptiveGradOutput(gradOutput, inputShape);
        Arith a = Arith.of(gradOutput);
        double[] dx = new double[inputShape.elementCountAsInt()];
        double[] dy = gradOutput.toDoubles();
        for (Window.Outputs at = new Window.Outputs(inputShape, out); at.next(); ) {
            Window window = Window.adaptive(at.od, at.oh, at.ow, inputShape, out);
            spread(a, dx, at.base, inputShape, window, a.r(dy[at.o] / window.divisor(a)));
        }
        return a.tensor(inputShape, dx);
    }

    /**
     * The output shape of an adaptive pooling backward: the gradient's spatial size on
     * {@code inputShape}, at the gradient's rank, which must be the input's; the gradient must
     * have that shape.
     */
    static Shape adaptiveGradOutput(Tensor gradOutput, Shape inputShape) {
        Checks.requireNonNull(inputShape, "inputShape");
        Shape g = gradOutput.shape();
        Shape out = Validation.adaptiveShape(inputShape, g.d(), g.h(), g.w(), g.spatialAxes());
        Checks.requireShape("gradOutput", out, g);
        return out;
    }

    /**
     * Max unpooling (PyTorch {@code max_unpool2d}, or {@code max_unpool3d} for 5-D values and
     * output): each value, in order, written at its index in its zeroed output plane or volume; a
     * later value at the same index overwrites an earlier one.
     */
    public Tensor maxUnpool2d(Tensor values, IndexTensor indices, Shape outputShape) {
        Checks.requireNonNull(values, "values");
        Validation.requireUnpoolIndices(values.shape(), indices, outputShape);
        Arith a = Arith.of(values);
        double[] v = values.toDoubles();
        double[] out = new double[outputShape.elementCountAsInt()];
        int planeInputs = (int) values.shape().planeSize();
        int planeOutputs = (int) outputShape.planeSize();
        for (int j = 0; j < v.length; j++) {
            out[(j / planeInputs) * planeOutputs + indices.data()[j]] = v[j];
        }
        return a.tensor(outputShape, out);
    }

    /** Max unpooling backward, any rank: each value's gradient is the output gradient at its index. */
    public Tensor maxUnpool2dBackward(Tensor gradOutput, IndexTensor indices) {
        Checks.requireNonNull(gradOutput, "gradOutput");
        Checks.requireNonNull(indices, "indices");
        Validation.requireUnpoolIndices(indices.shape(), indices, gradOutput.shape());
        Arith a = Arith.of(gradOutput);
        double[] dy = gradOutput.toDoubles();
        double[] dv = new double[indices.data().length];
        int planeInputs = (int) indices.shape().planeSize();
        int planeOutputs = (int) gradOutput.shape().planeSize();
        for (int j = 0; j < dv.length; j++) {
            dv[j] = dy[(j / planeInputs) * planeOutputs + indices.data()[j]];
        }
        return a.tensor(indices.shape(), dv);
    }
}
