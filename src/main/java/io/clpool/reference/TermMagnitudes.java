package io.clpool.reference;

import io.clpool.IndexTensor;
import io.clpool.PoolOp;
import io.clpool.Tensor;
import io.clpool.Validation;
import io.clpool.spec.AvgOptions;
import io.clpool.spec.Checks;
import io.clpool.spec.Layout;
import io.clpool.spec.DType;
import io.clpool.spec.PoolSpec;
import io.clpool.spec.Shape;

/**
 * The magnitude of every summed result, for {@link io.clpool.Tolerance#close(float, float, float)}:
 * per output element, the sum of the absolute values of the terms that formed it, on the result's
 * scale (divided by the same divisor, raised to the same root). A sum's rounding error, and so the
 * difference between two devices that add in different orders, scales with this, not with the
 * result: terms of about 1 that cancel to 0.026 carry errors of about 1e-7 each.
 *
 * <p>Each method takes the parameters of the {@link ReferencePooling} method whose result it
 * describes and validates them alike; plain loops, in double, rounded to float at the end. As
 * there, every loop runs over 4-D and 5-D inputs alike (depth 1 in 2-D), and methods that take a
 * {@link PoolSpec} take 3-D specs on 5-D inputs.
 */
public final class TermMagnitudes {
    private TermMagnitudes() {}

    /** Average pooling (2-D or 3-D): Σ|x| over the window's in-bounds taps, over the window's divisor. */
    public static float[] avgPool2d(Tensor input, PoolSpec spec, AvgOptions options) {
        Shape in = input.shape();
        Shape out = Validation.avgPooledShape(in, spec, options);
        double[] x = input.toDoubles();
        float[] m = new float[out.elementCountAsInt()];
        for (Window.Outputs at = new Window.Outputs(in, out); at.next(); ) {
            Window window = Window.average(at.od, at.oh, at.ow, in, spec, options);
            m[at.o] = (float) (absoluteSum(x, at.base, in, window) / Math.abs(window.divisor()));
        }
        return m;
    }

    /** Σ|x| over the window's taps. */
    private static double absoluteSum(double[] x, int base, Shape in, Window window) {
        double sum = 0;
        for (int d = window.d0(); d < window.d1(); d++) {
            for (int h = window.h0(); h < window.h1(); h++) {
                for (int w = window.w0(); w < window.w1(); w++) {
                    sum += Math.abs(x[base + Window.offset(in, d, h, w)]);
                }
            }
        }
        return sum;
    }

    /** Adds {@code share} to each tap of the window. */
    private static void spread(double[] sum, int base, Shape in, Window window, double share) {
        for (int d = window.d0(); d < window.d1(); d++) {
            for (int h = window.h0(); h < window.h1(); h++) {
                for (int w = window.w0(); w < window.w1(); w++) {
                    sum[base + Window.offset(in, d, h, w)] += share;
                }
            }
        }
    }

    /**
     * LP pooling, {@code y = (K·S/n)^(1/p)} with {@code S = Σ x^p}: the same formula with S
     * replaced by {@code Σ|x^p|}.
     */
    public static float[] lpPool2d(Tensor input, PoolSpec spec, double norm) {
        Shape in = input.shape();
        Shape out = Validation.lpPooledShape(in, spec, norm);
        ReferencePooling.Arith a = ReferencePooling.Arith.of(input);
        double p = a.r(norm);
        double[] x = input.toDoubles();
        float[] m = new float[out.elementCountAsInt()];
        double taps = spec.taps();
        for (Window.Outputs at = new Window.Outputs(in, out); at.next(); ) {
            Window window = Window.average(at.od, at.oh, at.ow, in, spec, AvgOptions.DEFAULT);
            double sum = 0;
            for (int d = window.d0(); d < window.d1(); d++) {
                for (int h = window.h0(); h < window.h1(); h++) {
                    for (int w = window.w0(); w < window.w1(); w++) {
                        sum += Math.abs(a.power(x[at.base + Window.offset(in, d, h, w)], p));
                    }
                }
            }
            m[at.o] = (float) Math.pow(sum / window.divisor() * taps, 1.0 / p);
        }
        return m;
    }

    /** Adaptive average pooling of a 4-D input: Σ|x| over the window, over the window's size. */
    public static float[] adaptiveAvgPool2d(Tensor input, int outH, int outW) {
        Checks.requireNonNull(input, "input");
        return adaptiveAvg(input, Validation.adaptiveShape(input.shape(), outH, outW));
    }

    /** Adaptive average pooling of a 5-D input: Σ|x| over the window, over the window's size. */
    public static float[] adaptiveAvgPool3d(Tensor input, int outD, int outH, int outW) {
        Checks.requireNonNull(input, "input");
        return adaptiveAvg(input, Validation.adaptiveShape(input.shape(), outD, outH, outW, 3));
    }

    private static float[] adaptiveAvg(Tensor input, Shape out) {
        Shape in = input.shape();
        double[] x = input.toDoubles();
        float[] m = new float[out.elementCountAsInt()];
        for (Window.Outputs at = new Window.Outputs(in, out); at.next(); ) {
            Window window = Window.adaptive(at.od, at.oh, at.ow, in, out);
            m[at.o] = (float) (absoluteSum(x, at.base, in, window) / window.exactDivisor());
        }
        return m;
    }

    /** Max pooling backward (2-D or 3-D): per input element, Σ|dY| over the windows it won. */
    public static float[] maxPool2dBackward(Tensor gradOutput, IndexTensor indices, Shape inputShape, PoolSpec spec) {
        Validation.requireIndicesInWindows(gradOutput, indices, inputShape, spec);
        return byIndex(gradOutput, indices, inputShape);
    }

    /** Min pooling backward: as {@link #maxPool2dBackward}. */
    public static float[] minPool2dBackward(Tensor gradOutput, IndexTensor indices, Shape inputShape, PoolSpec spec) {
        return maxPool2dBackward(gradOutput, indices, inputShape, spec);
    }

    /** Adaptive max pooling backward (2-D or 3-D): per input element, Σ|dY| over the windows it won. */
    public static float[] adaptiveMaxPool2dBackward(Tensor gradOutput, IndexTensor indices, Shape inputShape) {
        Validation.requireIndicesInAdaptiveWindows(gradOutput, indices, inputShape);
        return byIndex(gradOutput, indices, inputShape);
    }

    /** Fractional max pooling backward: per input element, Σ|dY| over the windows it won. */
    public static float[] fractionalMaxPool2dBackward(Tensor gradOutput, IndexTensor indices, Shape inputShape,
                                                      PoolOp.FractionalMax op) {
        Checks.requireShape("gradOutput", op.outputShape(inputShape), gradOutput.shape());
        Validation.requireIndicesInFractionalWindows(indices, inputShape, op,
                gradOutput.dtype() == DType.FLOAT64 ? DType.FLOAT64 : DType.FLOAT32);
        return byIndex(gradOutput, indices, inputShape);
    }

    private static float[] byIndex(Tensor gradOutput, IndexTensor indices, Shape inputShape) {
        double[] sum = new double[inputShape.elementCountAsInt()];
        double[] dy = gradOutput.toDoubles();
        int planeOutputs = (int) gradOutput.shape().planeSize();
        int planeInputs = (int) inputShape.planeSize();
        for (int o = 0; o < dy.length; o++) {
            sum[o / planeOutputs * planeInputs + indices.data()[o]] += Math.abs(dy[o]);
        }
        return toFloats(sum);
    }

    /** Average pooling backward (2-D or 3-D): per input element, Σ|dY / divisor| over the windows holding it. */
    public static float[] avgPool2dBackward(Tensor gradOutput, Shape inputShape, PoolSpec spec, AvgOptions options) {
        Validation.avgPooledShape(inputShape, spec, options);
        Shape out = Validation.requireGradOutput(gradOutput, inputShape, spec);
        double[] sum = new double[inputShape.elementCountAsInt()];
        double[] dy = gradOutput.toDoubles();
        for (Window.Outputs at = new Window.Outputs(inputShape, out); at.next(); ) {
            Window window = Window.average(at.od, at.oh, at.ow, inputShape, spec, options);
            spread(sum, at.base, inputShape, window, Math.abs(dy[at.o] / (double) window.divisor()));
        }
        return toFloats(sum);
    }

    /**
     * LP pooling backward: per input element, Σ|term| over the windows holding it, each term the
     * reference's {@code dY·(K/n)·(y^p)^(1/p − 1)·x^(p − 1)} (none where {@code y^p} is 0).
     */
    public static float[] lpPool2dBackward(Tensor gradOutput, Tensor input, Tensor output, PoolSpec spec, double norm) {
        Shape in = input.shape();
        Shape out = Validation.lpPooledShape(in, spec, norm);
        Validation.requireGradOutput(gradOutput, in, spec);
        Checks.requireShape("output", out, output.shape());
        ReferencePooling.Arith a = ReferencePooling.Arith.of(input);
        double p = a.r(norm);
        double taps = a.r(spec.taps());
        double[] x = input.toDoubles();
        double[] y = output.toDoubles();
        double[] dy = gradOutput.toDoubles();
        double[] sum = new double[x.length];
        for (Window.Outputs at = new Window.Outputs(in, out); at.next(); ) {
            Window window = Window.average(at.od, at.oh, at.ow, in, spec, AvgOptions.DEFAULT);
            double scaledMean = a.power(y[at.o], p);
            if (scaledMean == 0) {
                continue;
            }
            double outer = a.r(a.r(dy[at.o] * a.r(taps / window.divisor(a))) * a.power(scaledMean, a.r(a.r(1.0 / p) - 1.0)));
            for (int d = window.d0(); d < window.d1(); d++) {
                for (int h = window.h0(); h < window.h1(); h++) {
                    for (int w = window.w0(); w < window.w1(); w++) {
                        int i = at.base + Window.offset(in, d, h, w);
                        sum[i] += Math.abs(a.r(outer * a.power(x[i], a.r(p - 1.0))));
                    }
                }
            }
        }
        return toFloats(sum);
    }

    /**
     * Adaptive average pooling backward (2-D or 3-D, the gradient's rank and size): per input
     * element, Σ|dY / window size| over its windows.
     */
    public static float[] adaptiveAvgPool2dBackward(Tensor gradOutput, Shape inputShape) {
        Checks.requireNonNull(gradOutput, "gradOutput");
        Shape out = ReferencePooling.adaptiveGradOutput(gradOutput, inputShape);
        double[] sum = new double[inputShape.elementCountAsInt()];
        double[] dy = gradOutput.toDoubles();
        for (Window.Outputs at = new Window.Outputs(inputShape, out); at.next(); ) {
            Window window = Window.adaptive(at.od, at.oh, at.ow, inputShape, out);
            spread(sum, at.base, inputShape, window, Math.abs(dy[at.o] / window.exactDivisor()));
        }
        return toFloats(sum);
    }

    private static float[] toFloats(double[] values) {
        float[] result = new float[values.length];
        for (int i = 0; i < values.length; i++) {
            result[i] = (float) values[i];
        }
        return result;
    }

    /**
     * The magnitudes of {@code op}'s forward values on {@code input}, or null when the op selects
     * rather than sums (its values must match bit for bit).
     */
    public static float[] forward(PoolOp op, Tensor input) {
        if (input.shape().isChannelsLast() || (input.dtype() != DType.FLOAT32 && input.dtype() != DType.FLOAT64)) {
            float[] plain = forward(op, channelsFirstFloat(input));
            return plain == null ? null : inLayout(plain, op.outputShape(input.shape()));
        }
        if (op instanceof PoolOp.Avg avg) {
            return avgPool2d(input, avg.spec(), avg.options());
        } else if (op instanceof PoolOp.Lp lp) {
            return lpPool2d(input, lp.spec(), lp.norm());
        } else if (op instanceof PoolOp.AdaptiveAvg adaptive) {
            return adaptiveAvg(input, Validation.adaptiveShape(input.shape(), adaptive.outD(), adaptive.outH(), adaptive.outW(),
                    adaptive.spatialAxes()));
        }
        return null;
    }

    /**
     * The magnitudes of {@code op}'s backward (arguments as {@link io.clpool.Pooling#backward}), or
     * null where nothing is summed (max unpooling's backward is a gather of single values).
     */
    public static float[] backward(PoolOp op, Tensor gradOutput, Tensor input, Tensor output, IndexTensor indices) {
        if (input.shape().isChannelsLast() || (input.dtype() != DType.FLOAT32 && input.dtype() != DType.FLOAT64)) {
            float[] plain = backward(op, channelsFirstFloat(gradOutput), channelsFirstFloat(input),
                    output == null ? null : channelsFirstFloat(output),
                    indices == null ? null : indices.withLayout(Layout.CHANNELS_FIRST));
            return plain == null ? null : inLayout(plain, input.shape());
        }
        if (op instanceof PoolOp.Extremum) {
            return maxPool2dBackward(gradOutput, indices, input.shape(), op.spec());
        } else if (op instanceof PoolOp.Avg avg) {
            return avgPool2dBackward(gradOutput, input.shape(), avg.spec(), avg.options());
        } else if (op instanceof PoolOp.Lp lp) {
            return lpPool2dBackward(gradOutput, input, output, lp.spec(), lp.norm());
        } else if (op instanceof PoolOp.AdaptiveMax) {
            return adaptiveMaxPool2dBackward(gradOutput, indices, input.shape());
        } else if (op instanceof PoolOp.AdaptiveAvg) {
            return adaptiveAvgPool2dBackward(gradOutput, input.shape());
        } else if (op instanceof PoolOp.FractionalMax fractional) {
            return fractionalMaxPool2dBackward(gradOutput, indices, input.shape(), fractional);
        }
        return null;
    }

    /** Channels first in the compute type: float64 stays float64, the others become float32. */
    private static Tensor channelsFirstFloat(Tensor tensor) {
        return tensor.withLayout(Layout.CHANNELS_FIRST).toType(tensor.dtype() == DType.FLOAT64 ? DType.FLOAT64 : DType.FLOAT32);
    }

    /** Channels-first magnitudes moved to where {@code shape}'s layout puts each element. */
    private static float[] inLayout(float[] channelsFirst, Shape shape) {
        return new Tensor(shape.withLayout(Layout.CHANNELS_FIRST), channelsFirst).withLayout(shape.layout()).data();
    }
}
