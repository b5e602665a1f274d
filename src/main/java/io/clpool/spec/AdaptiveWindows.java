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
        return outputShape(input, 1, outH, outW, 2);
    }

    /** As {@link #outputShape(Shape, int, int)} over two or three spatial axes ({@code outD} is 1 in 2-D). */
    public static Shape outputShape(Shape input, int outD, int outH, int outW, int spatialAxes) {
        if (spatialAxes == 3) {
            Checks.requirePositiveAxes("adaptive output size", new String[] {"outputD", "outputH", "outputW"}, outD, outH, outW);
        } else {
            Checks.requirePositivePair("adaptive output size", "outputH", outH, "outputW", outW);
        }
        if (input.spatialAxes() != spatialAxes) {
            throw Checks.invalid("the input of a " + spatialAxes + "-D adaptive pooling",
                    (spatialAxes + 2) + "-D (" + (spatialAxes == 3 ? "N, C, D, H, W" : "N, C, H, W") + ")", input.rank() + "-D " + input);
        }
        Checks.requireIndexablePlane("input", input);
        Checks.requireIndexablePlane("output", outD, outH, outW, spatialAxes == 3);
        return input.withSpatial(outD, outH, outW);
    }
}
