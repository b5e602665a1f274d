package io.clpool.spec;

/**
 * Average-pooling options, as PyTorch's {@code avg_pool2d}: whether padding taps count in the
 * divisor, and an optional divisor that replaces it (0 means none).
 */
public record AvgOptions(boolean countIncludePad, int divisorOverride) {

    public static final AvgOptions DEFAULT = new AvgOptions(true, 0);

    public AvgOptions {
        if (divisorOverride < 0) {
            throw Checks.invalid("divisor_override", "positive (or 0 for none)", "divisor: " + divisorOverride);
        }
    }

    public boolean hasDivisorOverride() {
        return divisorOverride != 0;
    }
}
