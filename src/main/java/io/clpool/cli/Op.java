package io.clpool.cli;

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
    ADAPTIVE_AVG("adaptive-avg", false, true);

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
