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
     * fixed-window ops, {@code outputSize} for adaptive ones; fractional max takes the kernel of
     * {@code spec}, {@code outputSize} and {@code samples}): the one place where a flag name
     * becomes a {@link PoolOp}.
     */
    PoolOp toPoolOp(PoolSpec spec, AvgOptions avgOptions, double norm, Flags.IntPair outputSize) {
        return toPoolOp(spec, avgOptions, norm, outputSize, null);
    }

    PoolOp toPoolOp(PoolSpec spec, AvgOptions avgOptions, double norm, Flags.IntPair outputSize, FractionalSamples samples) {
        return switch (this) {
            case MAX -> PoolOp.max(spec);
            case MIN -> PoolOp.min(spec);
            case AVG -> PoolOp.avg(spec, avgOptions);
            case LP -> PoolOp.lp(spec, norm);
            case ADAPTIVE_MAX -> PoolOp.adaptiveMax(outputSize.h(), outputSize.w());
            case ADAPTIVE_AVG -> PoolOp.adaptiveAvg(outputSize.h(), outputSize.w());
            case FRACTIONAL_MAX -> PoolOp.fractionalMax(spec.kernelH(), spec.kernelW(), outputSize.h(), outputSize.w(), samples);
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
