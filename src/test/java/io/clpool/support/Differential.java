package io.clpool.support;

import io.clpool.PoolResult;
import io.clpool.Pooling;
import io.clpool.Tensor;
import io.clpool.spec.AvgOptions;
import io.clpool.spec.PoolSpec;
import java.util.List;

/** Runs one op forward and backward on a backend and on the reference, and compares them. */
public final class Differential {
    /** Every op of the family, by the names the CLI and the conformance cases use. */
    public static final List<String> OPS = List.of("max", "min", "avg", "lp", "adaptive-max", "adaptive-avg", "unpool");

    private Differential() {}

    /**
     * Compares {@code op} on {@code device} with {@code reference}. For fixed-window ops {@code spec}
     * is used (avg and LP drop dilation and, for LP, padding, as they must); adaptive ops pool to
     * the spec's output size; unpool undoes a max pooling.
     */
    public static void check(Pooling device, Pooling reference, String op, Tensor x, PoolSpec spec, long seed) {
        switch (op) {
            case "max", "min" -> {
                boolean min = op.equals("min");
                PoolResult e = min ? reference.minPool2d(x, spec) : reference.maxPool2d(x, spec);
                PoolResult a = min ? device.minPool2d(x, spec) : device.maxPool2d(x, spec);
                Compare.bitEqual(e.values().data(), a.values().data(), op + " values");
                Compare.bitEqual(e.indices().data(), a.indices().data(), op + " indices");
                Tensor dy = Inputs.gradient(e.values().shape(), seed);
                Compare.close(reference.maxPool2dBackward(dy, e.indices(), x.shape(), spec).data(),
                        device.maxPool2dBackward(dy, e.indices(), x.shape(), spec).data(), op + " gradient");
            }
            case "avg" -> {
                PoolSpec avgSpec = spec.withDilation(1);
                AvgOptions options = new AvgOptions(seed % 2 == 0, seed % 5 == 0 ? 3 : 0);
                Tensor e = reference.avgPool2d(x, avgSpec, options);
                Compare.close(e.data(), device.avgPool2d(x, avgSpec, options).data(), "avg values");
                Tensor dy = Inputs.gradient(e.shape(), seed);
                Compare.close(reference.avgPool2dBackward(dy, x.shape(), avgSpec, options).data(),
                        device.avgPool2dBackward(dy, x.shape(), avgSpec, options).data(), "avg gradient");
            }
            case "lp" -> {
                // LP takes no padding; without it the window may no longer fit, so shrink it to the input.
                PoolSpec unpadded = spec.withDilation(1).withPadding(0);
                PoolSpec lpSpec = new PoolSpec(Math.min(unpadded.kernelH(), x.shape().h()), Math.min(unpadded.kernelW(), x.shape().w()),
                        unpadded.strideH(), unpadded.strideW(), 0, 0, 1, 1, unpadded.ceilMode());
                double norm = seed % 3 == 0 ? 2.0 : seed % 3 == 1 ? 3.0 : 1.5;
                Tensor positive = abs(x);
                Tensor e = reference.lpPool2d(positive, lpSpec, norm);
                Compare.close(e.data(), device.lpPool2d(positive, lpSpec, norm).data(), "lp values");
                Tensor dy = Inputs.gradient(e.shape(), seed);
                Compare.close(reference.lpPool2dBackward(dy, positive, e, lpSpec, norm).data(),
                        device.lpPool2dBackward(dy, positive, e, lpSpec, norm).data(), "lp gradient");
            }
            case "adaptive-max" -> {
                var out = spec.outputShape(x.shape());
                PoolResult e = reference.adaptiveMaxPool2d(x, out.h(), out.w());
                PoolResult a = device.adaptiveMaxPool2d(x, out.h(), out.w());
                Compare.bitEqual(e.values().data(), a.values().data(), "adaptive-max values");
                Compare.bitEqual(e.indices().data(), a.indices().data(), "adaptive-max indices");
                Tensor dy = Inputs.gradient(e.values().shape(), seed);
                Compare.close(reference.adaptiveMaxPool2dBackward(dy, e.indices(), x.shape()).data(),
                        device.adaptiveMaxPool2dBackward(dy, e.indices(), x.shape()).data(), "adaptive-max gradient");
            }
            case "adaptive-avg" -> {
                var out = spec.outputShape(x.shape());
                Tensor e = reference.adaptiveAvgPool2d(x, out.h(), out.w());
                Compare.close(e.data(), device.adaptiveAvgPool2d(x, out.h(), out.w()).data(), "adaptive-avg values");
                Tensor dy = Inputs.gradient(e.shape(), seed);
                Compare.close(reference.adaptiveAvgPool2dBackward(dy, x.shape()).data(),
                        device.adaptiveAvgPool2dBackward(dy, x.shape()).data(), "adaptive-avg gradient");
            }
            case "unpool" -> {
                PoolResult pooled = reference.maxPool2d(x, spec);
                Tensor e = reference.maxUnpool2d(pooled.values(), pooled.indices(), x.shape());
                Compare.bitEqual(e.data(), device.maxUnpool2d(pooled.values(), pooled.indices(), x.shape()).data(),
                        "unpool values");
                Compare.bitEqual(reference.maxUnpool2dBackward(e, pooled.indices()).data(),
                        device.maxUnpool2dBackward(e, pooled.indices()).data(), "unpool gradient");
            }
            default -> throw new IllegalArgumentException("unknown op " + op);
        }
    }

    private static Tensor abs(Tensor x) {
        float[] data = x.data().clone();
        for (int i = 0; i < data.length; i++) {
            data[i] = Math.abs(data[i]);
        }
        return new Tensor(x.shape(), data);
    }
}
