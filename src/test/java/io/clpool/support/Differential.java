package io.clpool.support;

import io.clpool.IndexTensor;
import io.clpool.PoolOp;
import io.clpool.PoolResult;
import io.clpool.reference.TermMagnitudes;
import io.clpool.Pooling;
import io.clpool.Tensor;
import io.clpool.spec.AvgOptions;
import io.clpool.spec.PoolSpec;
import io.clpool.spec.Shape;
import java.util.List;

/** Runs one op forward and backward on a backend and on the reference, and compares them. */
public final class Differential {
    /** Every op of the family, by the names the CLI and the conformance cases use. */
    public static final List<String> OPS = List.of("max", "min", "avg", "lp", "adaptive-max", "adaptive-avg", "fractional-max", "unpool");

    private Differential() {}

    /**
     * Compares {@code op} on {@code device} with {@code reference}. For fixed-window ops {@code spec}
     * is used (avg and LP drop dilation and, for LP, padding, as they must); adaptive ops pool to
     * the spec's output size; unpool undoes a max pooling.
     */
    public static void check(Pooling device, Pooling reference, String op, Tensor x, PoolSpec spec, long seed) {
        switch (op) {
            case "unpool" -> {
                PoolResult pooled = reference.forward(PoolOp.max(spec), x);
                check(device, reference, PoolOp.maxUnpool(x.shape().h(), x.shape().w()), pooled.values(), pooled.indices(), seed);
            }
            case "lp" -> check(device, reference, op(op, x, spec, seed), abs(x), null, seed);
            default -> check(device, reference, op(op, x, spec, seed), x, null, seed);
        }
    }

    /**
     * The op named {@code name} for {@code spec}: avg and LP drop dilation and, for LP, padding (as
     * they must; LP's window shrinks to the input when it no longer fits); adaptive ops pool to the
     * spec's output size.
     */
    public static PoolOp op(String name, Tensor x, PoolSpec spec, long seed) {
        return switch (name) {
            case "max" -> PoolOp.max(spec);
            case "min" -> PoolOp.min(spec);
            case "avg" -> PoolOp.avg(spec.withDilation(1), new AvgOptions(seed % 2 == 0, seed % 5 == 0 ? 3 : 0));
            case "lp" -> { // 2-D or 3-D as the spec is (a 2-D spec's depth is 1, as a 4-D shape's)
                Shape in = x.shape();
                yield PoolOp.lp(new PoolSpec(Math.min(spec.kernelD(), in.d()), Math.min(spec.kernelH(), in.h()), Math.min(spec.kernelW(), in.w()),
                        spec.strideD(), spec.strideH(), spec.strideW(), 0, 0, 0, 1, 1, 1, spec.ceilMode(), spec.volumetric() ? 3 : 2),
                        seed % 3 == 0 ? 2.0 : seed % 3 == 1 ? 3.0 : 1.5);
            }
            case "adaptive-max" -> PoolOp.adaptiveMax(spec.outputShape(x.shape()).h(), spec.outputShape(x.shape()).w());
            case "adaptive-avg" -> PoolOp.adaptiveAvg(spec.outputShape(x.shape()).h(), spec.outputShape(x.shape()).w());
            case "fractional-max" -> { // the spec's kernel, cut to the input; outputs from 1 up to as many as fit
                int kh = Math.min(spec.kernelH(), x.shape().h());
                int kw = Math.min(spec.kernelW(), x.shape().w());
                int oh = 1 + (int) Math.floorMod(seed, x.shape().h() - kh + 1);
                int ow = 1 + (int) Math.floorMod(seed >> 8, x.shape().w() - kw + 1);
                yield PoolOp.fractionalMax(kh, kw, oh, ow, io.clpool.spec.FractionalSamples.seeded(seed));
            }
            default -> throw new IllegalArgumentException("unknown op " + name);
        };
    }

    /**
     * {@code op} forward and backward on {@code device} and {@code reference}: selections bit for
     * bit, sums within {@link io.clpool.Tolerance}. {@code taken}: the indices max unpooling reads.
     */
    public static void check(Pooling device, Pooling reference, PoolOp op, Tensor x, IndexTensor taken, long seed) {
        PoolResult e = reference.forward(op, x, taken);
        PoolResult a = device.forward(op, x, taken);
        float[] magnitudes = TermMagnitudes.forward(op, x);
        if (magnitudes == null) {
            Compare.bitEqual(e.values(), a.values(), op + " values");
        } else {
            Compare.close(e.values(), a.values(), magnitudes, op + " values", op instanceof PoolOp.Lp);
        }
        if (op.hasIndices()) {
            Compare.bitEqual(e.indices().data(), a.indices().data(), op + " indices");
        }
        Tensor dy = gradient(e.values().shape(), seed, x.dtype());
        IndexTensor indices = op.hasIndices() ? e.indices() : taken;
        Tensor expectedGrad = reference.backward(op, dy, x, e.values(), indices);
        Tensor actualGrad = device.backward(op, dy, x, e.values(), indices);
        float[] gradMagnitudes = TermMagnitudes.backward(op, dy, x, e.values(), indices);
        if (gradMagnitudes == null) {
            Compare.bitEqual(expectedGrad, actualGrad, op + " gradient");
        } else {
            Compare.close(expectedGrad, actualGrad, gradMagnitudes, op + " gradient", op instanceof PoolOp.Lp);
        }
    }

    /**
     * An indexed {@code op} (fractional max pooling) through {@link #check}, then once more with the
     * reference's summation order made explicit: values, indices and the gradient bit for bit
     * against the reference (the device gathers in the reference's order), and two backward runs
     * bitwise equal.
     */
    public static void checkExactAndDeterministic(Pooling device, Pooling reference, PoolOp op, Tensor x, long seed) {
        check(device, reference, op, x, null, seed);
        PoolResult expected = reference.forward(op, x);
        PoolResult actual = device.forward(op, x);
        Compare.bitEqual(expected.values().data(), actual.values().data(), "values");
        Compare.bitEqual(expected.indices().data(), actual.indices().data(), "indices");
        Tensor gy = Inputs.gradient(expected.values().shape(), seed);
        Tensor expectedGrad = reference.backward(op, gy, x, expected.values(), expected.indices());
        Tensor first = device.backward(op, gy, x, actual.values(), actual.indices());
        Tensor second = device.backward(op, gy, x, actual.values(), actual.indices());
        Compare.bitEqual(expectedGrad.data(), first.data(), "gradient (same summation order as the reference)");
        Compare.bitEqual(first.data(), second.data(), "two backward runs");
    }

    /**
     * Max or min {@code op} on {@code im2col} against the reference ({@link #check}: bit for bit)
     * and against {@code direct}: values, indices and gradient bit for bit.
     */
    public static void checkAgainstDirect(Pooling im2col, Pooling direct, Pooling reference, PoolOp op, Tensor x, long seed) {
        check(im2col, reference, op, x, null, seed);
        PoolResult a = im2col.forward(op, x);
        PoolResult d = direct.forward(op, x);
        Compare.bitEqual(d.values(), a.values(), op + " values, IM2COL vs DIRECT");
        Compare.bitEqual(d.indices().data(), a.indices().data(), op + " indices, IM2COL vs DIRECT");
        Tensor dy = gradient(d.values().shape(), seed, x.dtype());
        Compare.bitEqual(direct.backward(op, dy, x, d.values(), d.indices()),
                im2col.backward(op, dy, x, d.values(), d.indices()), op + " gradient, IM2COL vs DIRECT");
    }

    /**
     * A float64 copy of {@code x} whose finite non-integral values carry bits float32 cannot hold
     * (a seeded relative nudge of at most 2^-30), so float64 paths that narrow anywhere are caught;
     * integers (the ties flavour), zeros, infinities and NaN stay as they are.
     */
    /** {@link Inputs#gradient} in {@code type}: rounded to a float type, {@link #beyondFloat} for float64. */
    public static Tensor gradient(io.clpool.spec.Shape shape, long seed, io.clpool.spec.DType type) {
        Tensor g = Inputs.gradient(shape, seed);
        return type == io.clpool.spec.DType.FLOAT64 ? beyondFloat(g, seed) : g.toType(type);
    }

    public static Tensor beyondFloat(Tensor x, long seed) {
        java.util.Random random = new java.util.Random(seed ^ 0x5DEECE66DL);
        double[] values = x.toDoubles();
        for (int i = 0; i < values.length; i++) {
            double v = values[i];
            if (Double.isFinite(v) && v != Math.rint(v)) {
                values[i] = v + v * (random.nextDouble() - 0.5) * 0x1p-30;
            }
        }
        return Tensor.ofDoubles(x.shape(), values);
    }

    public static Tensor abs(Tensor x) {
        if (x.dtype() == io.clpool.spec.DType.FLOAT64) {
            double[] values = x.doubles().clone();
            for (int i = 0; i < values.length; i++) {
                values[i] = Math.abs(values[i]);
            }
            return Tensor.ofDoubles(x.shape(), values);
        }
        float[] data = x.data().clone();
        for (int i = 0; i < data.length; i++) {
            data[i] = Math.abs(data[i]);
        }
        return new Tensor(x.shape(), data, x.dtype());
    }
}
