package io.clpool.spec;

/**
 * Window bounds of adaptive pooling, PyTorch's rule: output row {@code r} of {@code out} spans
 * input rows {@code floor(r·in/out)} (inclusive) to {@code ceil((r+1)·in/out)} (exclusive).
 */
public final class AdaptiveWindows {
    private AdaptiveWindows() {}

    public static int start(int o, int in, int out) {
        return (int) Math.floorDiv((long) o * in, out);
    }

    public static int end(int o, int in, int out) {
        return (int) -Math.floorDiv(-(long) (o + 1) * in, out);
    }

    /**
     * The adaptive output shape, validated: both sizes positive, and the input and output planes
     * each at most 2^31 − 1 elements (indices and the kernels' in-plane offsets are int32).
     */
    public static Shape outputShape(Shape input, int outH, int outW) {
        Checks.requirePositivePair("adaptive output size", "outputH", outH, "outputW", outW);
        Checks.requireIndexablePlane("input", input.h(), input.w());
        Checks.requireIndexablePlane("output", outH, outW);
        return input.withSpatial(outH, outW);
    }
}
