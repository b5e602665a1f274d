package io.clpool.cli;

import io.clpool.spec.AvgOptions;
import io.clpool.spec.FractionalSamples;
import java.nio.file.Path;
import io.clpool.spec.PoolSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** The flags that describe one pooling: {@code --op} and the parameters the op takes. */
final class PoolingOptions {
    @Option(names = "--op", paramLabel = "OP", converter = Flags.OpConverter.class, defaultValue = "max",
            description = "max|min|avg|lp|adaptive-max|adaptive-avg|fractional-max (default: ${DEFAULT-VALUE}).")
    Op op;

    @Mixin
    WindowOptions window;

    @Option(names = "--exclude-padding", description = "avg: do not count padding taps in the divisor (count_include_pad=False).")
    boolean excludePadding;

    @Option(names = "--divisor", paramLabel = "N", description = "avg: divide every window's sum by N (divisor_override).")
    Integer divisor;

    @Option(names = "--norm", paramLabel = "P", description = "lp: the norm p, e.g. 2 or 1.5.")
    Double norm;

    @Option(names = "--output-size", paramLabel = "OH,OW", converter = Flags.IntPairConverter.class,
            description = "adaptive-max, adaptive-avg, fractional-max: the output height and width.")
    Flags.IntPair outputSize;

    @Option(names = "--samples", paramLabel = "S.npy",
            description = "fractional-max: PyTorch's _random_samples, float32 N×C×2 in [0, 1) (sample 0 places columns, 1 rows).")
    Path samples;

    @Option(names = "--seed", paramLabel = "SEED",
            description = "fractional-max without --samples: draw the samples with java.util.Random(SEED).nextFloat(), in (n, c, axis) order.")
    Long seed;

    /**
     * The request these flags describe. {@code defaultKernel} stands in for a missing --kernel
     * (null: --kernel is required). Flags that the op does not take are rejected, so that a typo
     * such as {@code --op max --norm 2} is not silently ignored.
     */
    PoolingRequest request(Flags.IntPair defaultKernel) {
        String forOp = "to --op " + op;
        if (!op.equals(Op.AVG) && excludePadding) throw UsageError.notApplicable("--exclude-padding", forOp);
        if (!op.equals(Op.AVG) && divisor != null) throw UsageError.notApplicable("--divisor", forOp);
        if (!op.equals(Op.LP) && norm != null) throw UsageError.notApplicable("--norm", forOp);
        if (!op.equals(Op.FRACTIONAL_MAX) && samples != null) throw UsageError.notApplicable("--samples", forOp);
        if (!op.equals(Op.FRACTIONAL_MAX) && seed != null) throw UsageError.notApplicable("--seed", forOp);
        if (op.equals(Op.FRACTIONAL_MAX)) {
            for (String flag : window.given()) {
                if (!flag.equals("--kernel")) throw UsageError.notApplicable(flag, forOp + " (it takes --kernel and --output-size)");
            }
            if (outputSize == null) throw UsageError.required("--output-size", "by --op " + op);
            PoolSpec spec = window.spec(defaultKernel);
            if (spec == null) throw UsageError.required("--kernel", "by --op " + op);
            if (samples != null && seed != null) throw new UsageError("--samples and --seed exclude each other: give one");
            if (samples == null && seed == null) throw UsageError.required("--samples or --seed", "by --op " + op);
            FractionalSamples drawn = samples != null ? TensorFiles.readSamples("--samples", samples) : FractionalSamples.seeded(seed);
            return new PoolingRequest(op.toPoolOp(spec, null, 0, outputSize, drawn));
        }
        if (op.isAdaptive()) {
            if (!window.given().isEmpty()) throw UsageError.notApplicable(window.given().get(0), forOp + " (it takes --output-size)");
            if (outputSize == null) throw UsageError.required("--output-size", "by --op " + op);
            return new PoolingRequest(op.toPoolOp(null, null, 0, outputSize));
        }
        if (outputSize != null) throw UsageError.notApplicable("--output-size", forOp + " (it takes --kernel)");
        PoolSpec spec = window.spec(defaultKernel);
        if (spec == null) throw UsageError.required("--kernel", "by --op " + op);
        if (op.equals(Op.LP) && norm == null) throw UsageError.required("--norm", "by --op lp");
        if (divisor != null && divisor <= 0) { // AvgOptions reads 0 as "no override"; a user's 0 is a mistake
            throw new UsageError("--divisor should be a positive integer, but got " + divisor);
        }
        AvgOptions avg = new AvgOptions(!excludePadding, divisor == null ? 0 : divisor);
        return new PoolingRequest(op.toPoolOp(spec, avg, norm == null ? 0 : norm, null));
    }
}
