package io.clpool.cli;

import io.clpool.spec.AvgOptions;
import io.clpool.spec.FractionalSamples;
import io.clpool.spec.PoolSpec;
import java.nio.file.Path;
import java.util.List;
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

    @Option(names = "--output-size", paramLabel = "O|OH,OW|OD,OH,OW", converter = Flags.PerAxisConverter.class,
            description = "adaptive-max, adaptive-avg, fractional-max: the output size, one value for every spatial axis "
                    + "or one per axis of the input (L; H,W; D,H,W).")
    Flags.PerAxis outputSize;

    @Option(names = "--samples", paramLabel = "S.npy",
            description = "fractional-max: PyTorch's _random_samples, float32 in [0, 1): N×C×2 for a 4-D input (sample 0 places columns, 1 rows),"
                    + " N×C×3 for a 5-D input (sample 0 places depth, 1 rows, 2 columns).")
    Path samples;

    @Option(names = "--seed", paramLabel = "SEED",
            description = "fractional-max without --samples: draw the samples with java.util.Random(SEED).nextFloat(), in (n, c, axis) order"
                    + " (2 per plane for a 4-D input, 3 for a 5-D one).")
    Long seed;

    /**
     * The flags, checked before any file is read for what does not depend on the input: flags that
     * the op does not take are rejected, so that a typo such as {@code --op max --norm 2} is not
     * silently ignored, and required ones must be there. {@code defaultKernel} stands in for a
     * missing --kernel (null: --kernel is required). The window is fitted to the input by
     * {@link Checked#forInput}, once its rank is known.
     */
    Checked check(Flags.PerAxis defaultKernel) {
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
            if (window.kernel == null && defaultKernel == null) throw UsageError.required("--kernel", "by --op " + op);
            if (samples != null && seed != null) throw new UsageError("--samples and --seed exclude each other: give one");
            if (samples == null && seed == null) throw UsageError.required("--samples or --seed", "by --op " + op);
            FractionalSamples drawn = samples != null ? TensorFiles.readSamples("--samples", samples) : FractionalSamples.seeded(seed);
            return new Checked(this, defaultKernel, null, drawn);
        }
        if (op.isAdaptive()) {
            List<String> given = window.given();
            if (!given.isEmpty()) throw UsageError.notApplicable(given.get(0), forOp + " (it takes --output-size)");
            if (outputSize == null) throw UsageError.required("--output-size", "by --op " + op);
            return new Checked(this, null, null, null);
        }
        if (outputSize != null) throw UsageError.notApplicable("--output-size", forOp + " (it takes --kernel)");
        if (window.kernel == null && defaultKernel == null) throw UsageError.required("--kernel", "by --op " + op);
        if (op.equals(Op.LP) && norm == null) throw UsageError.required("--norm", "by --op lp");
        if (divisor != null && divisor <= 0) { // AvgOptions reads 0 as "no override"; a user's 0 is a mistake
            throw new UsageError("--divisor should be a positive integer, but got " + divisor);
        }
        return new Checked(this, defaultKernel, new AvgOptions(!excludePadding, divisor == null ? 0 : divisor), null);
    }

    /** Flags that passed {@link #check}: the op, and what is left to fit to the input. */
    record Checked(PoolingOptions flags, Flags.PerAxis defaultKernel, AvgOptions avg, FractionalSamples samples) {

        Op op() {
            return flags.op;
        }

        /**
         * The request for an input of {@code rank}, named {@code input} in messages (e.g.
         * {@code --input x.npy}): every window flag with one value or one per spatial axis of that
         * rank, and an op that pools that rank.
         */
        PoolingRequest forInput(InputRank rank, String input) {
            Op op = flags.op;
            if (!op.pools(rank)) {
                String takes = op.equals(Op.FRACTIONAL_MAX) ? "4-D (N,C,H,W) and 5-D (N,C,D,H,W) inputs" : "4-D (N,C,H,W) inputs only";
                throw new UsageError("--op " + op + " pools " + takes + ", but " + input + " is " + rank.describe());
            }
            WindowOptions window = flags.window;
            if (op.isAdaptive()) {
                return new PoolingRequest(op.toPoolOp(null, null, 0, rank.perAxis("--output-size", flags.outputSize, 1, input)));
            }
            PoolSpec spec = window.spec(defaultKernel, rank, input);
            if (op.equals(Op.FRACTIONAL_MAX)) {
                if (!samples.isSeeded() && samples.perPlane() != rank.spatialAxes()) {
                    throw new UsageError("--samples gives " + samples.perPlane() + " samples per plane (N x C x " + samples.perPlane()
                            + "), but " + input + " is " + rank.describe() + ": give N x C x " + rank.spatialAxes());
                }
                return new PoolingRequest(op.toPoolOp(spec, null, 0, rank.perAxis("--output-size", flags.outputSize, 1, input), samples));
            }
            return new PoolingRequest(op.toPoolOp(spec, avg, flags.norm == null ? 0 : flags.norm, null));
        }
    }
}
