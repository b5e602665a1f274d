package io.clpool.cli;

import io.clpool.PoolOp;
import io.clpool.spec.AvgOptions;
import io.clpool.spec.FractionalSamples;
import io.clpool.spec.PoolSpec;
import java.util.Arrays;
import java.util.stream.Collectors;
import picocli.CommandLine.TypeConversionException;

/** The pooling operations of {@code --op}, by their flag names. */
enum Op {
    MAX("max", true, false),
    MIN("min", true, false),
    AVG("avg", false, false),
    LP("lp", false, false),
    ADAPTIVE_MAX("adaptive-max", true, true),
    ADAPTIVE_AVG("adaptive-avg", false, true),
    FRACTIONAL_MAX("fractional-max", true, false);

    static final String NAMES = Arrays.stream(values()).map(Op::flag).collect(Collectors.joining("|"));

    private final String flag;
    private final boolean hasIndices;
    private final boolean adaptive;

    Op(String flag, boolean hasIndices, boolean adaptive) {
        this.flag = flag;
        this.hasIndices = hasIndices;
        this.adaptive = adaptive;
    }

    String flag() {
        return flag;
    }

    /** Whether the forward produces winning indices (and the backward can take them). */
    boolean hasIndices() {
        return hasIndices;
    }

    /** Adaptive ops take an output size instead of a window. */
    boolean isAdaptive() {
        return adaptive;
    }

    /**
     * The library op this flag names, with the parameters the flags gave ({@code spec} for
     * fixed-window ops, {@code outputSize} for adaptive ones, as (H, W) or (D, H, W); fractional
     * max takes the kernel of {@code spec}, {@code outputSize} and {@code samples}): the one place
     * where a flag name becomes a {@link PoolOp}.
     */
    PoolOp toPoolOp(PoolSpec spec, AvgOptions avgOptions, double norm, int[] outputSize) {
        return toPoolOp(spec, avgOptions, norm, outputSize, null);
    }

    PoolOp toPoolOp(PoolSpec spec, AvgOptions avgOptions, double norm, int[] outputSize, FractionalSamples samples) {
        boolean volumetric = outputSize != null && outputSize.length == 3;
        return switch (this) {
            case MAX -> PoolOp.max(spec);
            case MIN -> PoolOp.min(spec);
            case AVG -> PoolOp.avg(spec, avgOptions);
            case LP -> PoolOp.lp(spec, norm);
            case ADAPTIVE_MAX -> volumetric ? PoolOp.adaptiveMax3d(outputSize[0], outputSize[1], outputSize[2])
                    : PoolOp.adaptiveMax(outputSize[0], outputSize[1]);
            case ADAPTIVE_AVG -> volumetric ? PoolOp.adaptiveAvg3d(outputSize[0], outputSize[1], outputSize[2])
                    : PoolOp.adaptiveAvg(outputSize[0], outputSize[1]);
            case FRACTIONAL_MAX -> volumetric
                    ? PoolOp.fractionalMax3d(spec.kernelD(), spec.kernelH(), spec.kernelW(), outputSize[0], outputSize[1], outputSize[2],
                            samples)
                    : PoolOp.fractionalMax(spec.kernelH(), spec.kernelW(), outputSize[0], outputSize[1], samples);
        };
    }

    /** Whether the library pools inputs of {@code rank} with this op: fractional max is 2-D and 3-D (no 1-D form), the others every rank. */
    boolean pools(InputRank rank) {
        return switch (this) {
            case FRACTIONAL_MAX -> rank != InputRank.ONE_D;
            default -> true;
        };
    }

    static Op fromFlag(String text) {
        for (Op op : values()) {
            if (op.flag.equalsIgnoreCase(text.trim())) {
                return op;
            }
        }
        throw new TypeConversionException("'" + text + "' should be one of " + NAMES.replace("|", ", "));
    }

    @Override
    public String toString() {
        return flag;
    }
}
